#!/bin/sh
# Stream benchmark: starts arcnetd with its simulated mesh live, opens
# CLIENTS WebSocket connections to /v1/stream with build/bench-stream and
# prints frames delivered per second and the server's CPU. Asserts
# nothing.
#
#   bench/stream.sh                     (after make)
#   CLIENTS=1000 SECONDS=10 SCALE=60 bench/stream.sh
set -eu
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-1000}
SECONDS_RUN=${SECONDS:-10}
SCALE=${SCALE:-60}
ARCNETD=${ARCNETD:-build/arcnetd}
TOKEN=bench-stream-operator-token-01
TMP=$(mktemp -d /tmp/arcnet-stream.XXXXXX)
PID=""

cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

[ -x "$ARCNETD" ] && [ -x build/bench-stream ] ||
    { echo "bench/stream.sh: run make first"; exit 1; }
ulimit -n 8192

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ARCNET_TOKEN=$TOKEN "$ARCNETD" --listen "127.0.0.1:$PORT" \
    --data-dir "$TMP/data" --time-scale "$SCALE" >"$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.1
done

echo "arcnetd: 150 simulated sites, time scale $SCALE; $CLIENTS clients," \
     "$SECONDS_RUN s"
build/bench-stream --port "$PORT" --token "$TOKEN" --clients "$CLIENTS" \
    --seconds "$SECONDS_RUN" --pid "$PID"
