#!/bin/sh
# API benchmark: wrk against arcnetd pinned to one core, beside HAProxy
# on the same core answering a fixed 400-byte JSON with
# `http-request return` (the floor for an HTTP server on this machine).
# Prints a table: requests/s, p99 latency and server CPU microseconds
# per request (user + system time of the server process over the run,
# from /proc, divided by the requests wrk completed). Asserts nothing.
#
#   bench/api.sh                 (after make; needs wrk and haproxy:
#                                 scripts/install-deps --bench)
#   DURATION=20 CONNS=100 bench/api.sh
#
# The server runs on CPU 0 and wrk on CPU 1 (taskset), one thread each.
set -eu
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-50}
ARCNETD=${ARCNETD:-build/arcnetd}
TOKEN=bench-operator-token-0000000001
TMP=$(mktemp -d /tmp/arcnet-bench.XXXXXX)
PIDS=""

cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

for tool in wrk haproxy taskset; do
    command -v $tool >/dev/null 2>&1 || {
        echo "bench/api.sh: $tool is missing (scripts/install-deps --bench)"
        exit 1
    }
done
[ -x "$ARCNETD" ] || { echo "bench/api.sh: build $ARCNETD first (make)"; exit 1; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cpu_ticks() { # utime + stime of a process, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

wait_port() {
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    return 1
}

# run NAME REQUEST PID URL LUA: one wrk run, one table row.
run() {
    name=$1 what=$2 pid=$3 url=$4 lua=$5
    before=$(cpu_ticks "$pid")
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$lua" \
        "$url" >"$TMP/wrk.out"
    after=$(cpu_ticks "$pid")
    awk -v name="$name" -v what="$what" -v ticks=$((after - before)) \
        -v hz="$(getconf CLK_TCK)" '
        /requests in/ { reqs = $1 }
        /Requests\/sec/ { rps = $2 }
        /^ +99%/ { p99 = $2 }
        /Non-2xx/ { bad = $4 }
        END {
            us = reqs > 0 ? ticks * 1e6 / hz / reqs : 0
            printf "| %-9s | %-26s | %10.0f | %8s | %9.1f |%s\n",
                   name, what, rps, p99, us, bad ? " non-2xx: " bad : ""
        }' "$TMP/wrk.out"
}

# ---- arcnetd ---------------------------------------------------------------
APORT=$(free_port)
ARCNET_TOKEN=$TOKEN taskset -c 0 "$ARCNETD" --listen "127.0.0.1:$APORT" \
    --data-dir "$TMP/data" --log-level warn >/dev/null 2>"$TMP/arcnetd.log" &
APID=$!
PIDS="$PIDS $APID"
wait_port "$APORT"

cat >"$TMP/route.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"model":"llama-3.1-8b","priority":"normal","origin":{"lat":41.88,"lon":-87.63}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF
cat >"$TMP/get.lua" <<EOF
wrk.method = "GET"
EOF

# ---- HAProxy, a fixed 400-byte JSON -----------------------------------------
HPORT=$(free_port)
python3 -c 'import json; print(json.dumps({"decision":{"node":"c-chicago-01","zone":"central","policy":"arcnet","score":12.5,"terms":{t:{"value":1.25,"weight":1.0} for t in ["latency","queue","carbon","battery","load"]},"runner_ups":[],"spilled":False,"pad":"x"*58}}), end="")' >"$TMP/fixed.json"
cat >"$TMP/haproxy.cfg" <<EOF
global
    nbthread 1
defaults
    mode http
    timeout client 30s
    timeout server 30s
    timeout connect 5s
frontend bench
    bind 127.0.0.1:$HPORT
    http-request return status 200 content-type application/json file $TMP/fixed.json
EOF
taskset -c 0 haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 &
HPID=$!
PIDS="$PIDS $HPID"
wait_port "$HPORT"

ROUTE_BYTES=$(curl -s -H "Authorization: Bearer $TOKEN" \
    -d '{"model":"llama-3.1-8b","priority":"normal","origin":{"lat":41.88,"lon":-87.63}}' \
    "http://127.0.0.1:$APORT/v1/route" | wc -c)
FIXED_BYTES=$(wc -c <"$TMP/fixed.json")

echo "wrk: 1 thread, $CONNS connections, ${DURATION}s per row;" \
    "server on CPU 0, wrk on CPU 1"
echo "| server    | request                    |    req/s   |   p99    | CPU us/req |"
echo "|-----------|----------------------------|------------|----------|-----------|"
run arcnetd "POST /v1/route (${ROUTE_BYTES} B)" "$APID" \
    "http://127.0.0.1:$APORT/v1/route" "$TMP/route.lua"
run arcnetd "GET /healthz (16 B)" "$APID" \
    "http://127.0.0.1:$APORT/healthz" "$TMP/get.lua"
run haproxy "POST fixed JSON (${FIXED_BYTES} B)" "$HPID" \
    "http://127.0.0.1:$HPORT/" "$TMP/route.lua"
echo "arcnetd runs its simulation (150 sites, time scale 1) meanwhile."
