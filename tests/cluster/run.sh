#!/bin/sh
# Cluster test of arcnetd's distributed roles: a mock Kafka cluster of 3
# brokers, a brain, zone aggregators (west twice: replicas 0 and 1,
# central, east) and one simulated agent per node, each a separate
# process on loopback. It checks that
#   1. every zone sees every node of its zone report, and a zone marks
#      a node whose agent has not started down once the heartbeat
#      timeout has passed since the zone opened;
#   2. under inference load every request is answered: a receipt or an
#      explicit JSON error, never a dropped connection - while a zone
#      replica is killed with SIGKILL and restarted, and agents are
#      killed mid-request;
#   3. the restarted replica resumed from its committed offsets (it did
#      not read the log again from the start) and holds the same
#      sequence number per node as the replica that never stopped;
#   4. per-node telemetry has no sequence gaps on any zone;
#   5. malformed and unknown-version messages on every topic are
#      counted, logged once per reason, and skipped;
#   6. with every broker down for ARCNET_CLUSTER_OUTAGE_S seconds (30)
#      the producers buffer, the zone's backlog shows it, zones record
#      bus-backlog (and central, bound to 10 messages, bus-buffer-full)
#      in their own logs while the brokers are away, an agent with a
#      bound of 3 messages says it crossed the bound, and after the
#      brokers return everything drains with no sequence gap; the brain
#      then holds every agent's and zone's bus-backlog, bus-buffer-full
#      and bus-backlog-drained events;
#   7. requests entering through ornl.bridge.ingress go from the brain
#      to the zone of their origin and are served there; while
#      arcnet.inference has no partition leader the brain (bound to 2
#      messages) says bus-backlog and bus-buffer-full in its own log,
#      then bus-backlog-drained;
#   8. with half of central's agents dead, central marks them silent
#      and its published summary shows the healthy GPUs it has left;
#      of a batch of requests entering central, exactly those whose
#      id the router's share rule picks are served in a neighbour,
#      spilled, and the others in central;
#   9. with every agent of central dead, a request entering central
#      spills to the neighbour its summaries show with the most free
#      GPUs and is served there.
# Every process is killed on exit, whatever happens.
#
#   tests/cluster/run.sh BUILD_DIR
set -u
B=$1
D=$B/arcnetd
HERE=$(dirname "$0")
PY="python3 $HERE/cluster.py"
# At least 10 s: central's bound of 10 messages takes about 5 s to fill.
OUTAGE_S=${ARCNET_CLUSTER_OUTAGE_S:-30}
[ "$OUTAGE_S" -ge 10 ] || OUTAGE_S=10
NODES=31 # 31 agents; one runs with a tiny producer bound
TMP=$(mktemp -d /tmp/arcnet-cluster.XXXXXX)
PIDS=""
FAILS=0
CHECKS=0
START=$(date +%s)
export ARCNET_TOKEN=operator-token-cluster-000001

cleanup() {
    for p in $PIDS; do
        kill -KILL "$p" 2>/dev/null
    done
    exec 3>&- 2>/dev/null
    wait 2>/dev/null
    if [ "$FAILS" -ne 0 ] && [ -n "${ARCNET_CLUSTER_KEEP:-}" ]; then
        echo "logs kept in $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    FAILS=$((FAILS + 1))
    echo "FAIL: $*"
}

ok() {
    CHECKS=$((CHECKS + 1))
}

say() {
    echo "cluster: [$(($(date +%s) - START))s] $*"
}

# start NAME ARGS...: runs arcnetd in the background, logs in $TMP/NAME.*
start() {
    name=$1
    shift
    "$D" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PIDS="$PIDS $!"
    eval "PID_$(echo "$name" | tr -- '-.' '__')=$!"
}

pid_of() {
    eval "echo \$PID_$(echo "$1" | tr -- '-.' '__')"
}

# port NAME: the API port the role printed (waits up to 15 s).
port() {
    i=0
    while [ $i -lt 150 ]; do
        p=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/v1.*|\1|p' \
            "$TMP/$1.out" 2>/dev/null)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# ---- the cluster --------------------------------------------------------
mkfifo "$TMP/mc.in"
"$B/kafka/mock_cluster" 3 <"$TMP/mc.in" >"$TMP/mc.out" 2>"$TMP/mc.err" &
PIDS="$PIDS $!"
exec 3>"$TMP/mc.in"
i=0
while [ $i -lt 50 ] && [ ! -s "$TMP/mc.out" ]; do
    sleep 0.1
    i=$((i + 1))
done
BS=$(head -1 "$TMP/mc.out")
[ -n "$BS" ] || { fail "the mock cluster printed no bootstrap"; exit 1; }

mc() {
    echo "$*" >&3
}

PREFIX="t$$.$(date +%s)."
COMMON="--bus kafka://$BS --topic-prefix $PREFIX --nodes $NODES \
--tick-ms 1000 --session-timeout-ms 6000 --summary-ms 500 \
--request-timeout-ms 15000 --listen 127.0.0.1:0"

start brain --role brain --data-dir "$TMP/brain" $COMMON --max-buffered 2
# Central holds at most 10 messages, so the outage crosses its bound.
for z in west-0 west-1 central-0 east-0; do
    bound=""
    [ "$z" = central-0 ] && bound="--max-buffered 10"
    start "$z" --role zone --zone "${z%-*}" --replica "${z#*-}" \
        --data-dir "$TMP/$z" $COMMON $bound
done
P_BRAIN=$(port brain) && P_W0=$(port west-0) && P_W1=$(port west-1) &&
    P_C=$(port central-0) && P_E=$(port east-0) ||
    { fail "a role did not start"; cat "$TMP"/*.err; exit 1; }

# Node ids per zone, from the zones themselves.
for z in west-1 central-0 east-0; do
    $PY seqs "$(port "$z")" | awk '{print $1}' >"$TMP/nodes.${z%-*}"
done
cat "$TMP/nodes.west" "$TMP/nodes.central" "$TMP/nodes.east" \
    >"$TMP/nodes.all"
BOUNDED=$(tail -1 "$TMP/nodes.west")
# LATE's agent starts only once central has given up waiting for it.
LATE=$(tail -1 "$TMP/nodes.central")
[ "$(wc -l <"$TMP/nodes.all")" -eq $NODES ] && ok ||
    fail "zones list $(wc -l <"$TMP/nodes.all") nodes, want $NODES"
for n in $(grep -vx -e "$BOUNDED" -e "$LATE" "$TMP/nodes.all"); do
    start "agent-$n" --role agent --node "$n" --sim-site $COMMON
done
start "agent-$BOUNDED" --role agent --node "$BOUNDED" --sim-site \
    $COMMON --max-buffered 3
say "started brain, 4 zone replicas, $((NODES - 1)) agents"

# said PORT TYPE TEXT: an event of TYPE whose "zone node message" line
# holds TEXT is in that role's log.
said() {
    $PY said "$1" "$2" 2>/dev/null | grep -q -- "$3"
}

# wait_said PORT TYPE TEXT UNTIL: polls `said` until the epoch second
# UNTIL; fails the check if it never holds.
wait_said() {
    while ! said "$1" "$2" "$3"; do
        if [ "$(date +%s)" -ge "$4" ]; then
            fail "port $1 has no $2 event with \"$3\""
            return 1
        fi
        sleep 0.5
    done
    ok
}

# stat PORT FIELD: one number of GET /v1/stats (0 if unreadable).
stat() {
    $PY get "$1" /v1/stats "$2" 2>/dev/null || echo 0
}

# wait_stat PORT FIELD MIN UNTIL: polls until FIELD >= MIN or the epoch
# second UNTIL; fails the check then.
wait_stat() {
    while [ "$(stat "$1" "$2")" -lt "$3" ]; do
        if [ "$(date +%s)" -ge "$4" ]; then
            fail "port $1: $2 is $(stat "$1" "$2"), want $3 or more"
            return 1
        fi
        sleep 0.5
    done
    ok
}

# all_reported PORT MIN: every node of that zone at seq >= MIN.
all_reported() {
    $PY seqs "$1" >"$TMP/reported" 2>/dev/null &&
        awk -v m="$2" '$2 < m {bad=1} END {exit bad || NR == 0}' \
            "$TMP/reported"
}

wait_reported() {
    i=0
    while [ $i -lt 60 ]; do
        all_reported "$P_W1" "$1" && all_reported "$P_C" "$1" &&
            all_reported "$P_E" "$1" && return 0
        sleep 1
        i=$((i + 1))
    done
    return 1
}

# A node never heard from is down once the heartbeat timeout (3 s)
# has passed since its zone opened, and healthy once it reports.
wait_said "$P_C" node-down "central $LATE no telemetry in the" \
    $(($(date +%s) + 15))
start "agent-$LATE" --role agent --node "$LATE" --sim-site $COMMON
say "central marked $LATE down for never reporting; started its agent"

wait_reported 2 && ok || fail "not every node reported to its zone"
say "every node reported"

# ---- load, a zone killed and restarted, agents killed -----------------
$PY load "$TMP/load.json" 400 12 "$P_W1" "$P_C" "$P_E" &
LOAD=$!
sleep 3
kill -KILL "$(pid_of west-0)"
say "killed zone west replica 0"
# Two of east's ten: 80% of its GPUs stay healthy, above the 72% under
# which the share rule would send some of east's requests (the one
# below among them) to a neighbour first.
for n in $(head -2 "$TMP/nodes.east"); do
    kill -KILL "$(pid_of "agent-$n")"
done
KILLED=$(head -2 "$TMP/nodes.east" | tr '\n' ' ')
say "killed agents $KILLED"
sleep 2
start west-0 --role zone --zone west --replica 0 --data-dir "$TMP/west-0" \
    $COMMON
P_W0=$(port west-0) || fail "west replica 0 did not restart"
wait $LOAD && ok || fail "requests without an explicit answer: \
$(cat "$TMP/load.json")"
say "load done: $(cat "$TMP/load.json")"

# Agents killed mid-request: the zone marked each one down.
sleep 4
$PY events "$P_E" node-down >"$TMP/down.east"
for n in $KILLED; do
    grep -qx "$n" "$TMP/down.east" && ok ||
        fail "east recorded no node-down for killed agent $n"
done

# An agent killed while it runs a request: the zone notices the silence
# after the heartbeat timeout and places the request on another node.
$PY one "$P_E" 400 >"$TMP/one.out" &
ONE=$!
victim=""
i=0
while [ -z "$victim" ] && [ $i -lt 40 ]; do
    victim=$($PY busy "$P_E" | head -1)
    i=$((i + 1))
done
if [ -n "$victim" ]; then
    kill -KILL "$(pid_of "agent-$victim")"
    say "killed agent $victim while it ran a request"
fi
wait $ONE
grep -q '^200 .*"placements": 2' "$TMP/one.out" && ok ||
    fail "request on a killed agent: $(cat "$TMP/one.out") (node $victim)"

# ---- the restarted replica --------------------------------------------
same=0
i=0
while [ $i -lt 40 ]; do
    $PY seqs "$P_W0" | awk '{print $1, $2}' >"$TMP/w0.seq"
    $PY seqs "$P_W1" | awk '{print $1, $2}' >"$TMP/w1.seq"
    if cmp -s "$TMP/w0.seq" "$TMP/w1.seq" &&
        ! awk '$2 == 0 {f=1} END {exit !f}' "$TMP/w0.seq"; then
        same=1
        break
    fi
    sleep 0.25
    i=$((i + 1))
done
[ $same -eq 1 ] && ok || fail "restarted west replica differs: \
$(diff "$TMP/w0.seq" "$TMP/w1.seq" | head -5)"
$PY seqs "$P_W0" | awk '{s += $2; r += $3} END {exit !(r < s)}' && ok ||
    fail "restarted west replica read the log again from the start"
say "restarted replica matches the one that never stopped"

# ---- continuity -------------------------------------------------------
check_gaps() {
    for p in "$P_W0" "$P_W1" "$P_C" "$P_E"; do
        g=$($PY seqs "$p" | awk '{g += $4} END {print g + 0}')
        [ "$g" -eq 0 ] && ok || fail "$g sequence gaps on port $p ($1)"
    done
}
check_gaps "after load"

# ---- bad messages on every topic ---------------------------------------
# malformed (c1), truncated (an array of 3 holding 1), unknown version
# ([2, 99, 1]), unknown type ([9, 1, 1]).
W1N=$(head -1 "$TMP/nodes.west")
for t in arcnet.telemetry arcnet.events arcnet.inference \
    arcnet.zone-summary ornl.bridge.ingress; do
    for hex in c1 9301 93026301 93090101; do
        "$B/cluster/inject" "$BS" "$PREFIX$t" "$W1N" "$hex" ||
            fail "cannot inject into $t"
    done
done
sleep 3
rej=$($PY get "$P_W1" /v1/stats ingest.rejected)
[ "$rej" -ge 12 ] && ok || fail "west counted $rej bad messages, want 12"
rej=$($PY get "$P_BRAIN" /v1/stats ingest.rejected)
[ "$rej" -ge 12 ] && ok || fail "brain counted $rej bad messages, want 12"
for r in malformed truncated unknown-version unknown-type; do
    c=$(grep -c "reason=$r " "$TMP/west-1.err")
    [ "$c" -eq 1 ] && ok || fail "west logged reason $r $c times, want 1"
done
# The brain reads no telemetry, so the truncated telemetry-typed message
# may meet another reason first there; each reason is still logged once.
for r in malformed unknown-version unknown-type; do
    c=$(grep -c "reason=$r " "$TMP/brain.err")
    [ "$c" -eq 1 ] && ok || fail "brain logged reason $r $c times, want 1"
done
all_reported "$P_W1" 3 && ok || fail "telemetry stopped after bad messages"
say "bad messages counted, logged once per reason, skipped"

# ---- every broker away ------------------------------------------------
mc down 1
mc down 2
mc down 3
DOWN_AT=$(date +%s)
UP_AT=$((DOWN_AT + OUTAGE_S))
say "brokers down for ${OUTAGE_S}s"
# While the brokers are away the zones say so in their own logs.
wait_said "$P_W1" bus-backlog "west - zone west replica 1 cannot reach" \
    "$UP_AT"
wait_said "$P_C" bus-buffer-full "central - zone central replica 0 holds" \
    "$UP_AT"
backlog=$($PY get "$P_W1" /v1/stats bus.backlog)
[ "$backlog" -gt 0 ] && ok || fail "west shows no backlog while down"
left=$((UP_AT - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
grep -q "brokers unreachable, buffering" "$TMP/agent-$W1N.err" && ok ||
    fail "agent $W1N did not say it was buffering"
grep -q "producer buffer full" "$TMP/agent-$BOUNDED.err" && ok ||
    fail "agent $BOUNDED did not say it crossed its bound"
mc up 1
mc up 2
mc up 3
say "brokers up"
i=0
drained=0
while [ $i -lt 60 ]; do
    if grep -q "backlog drained" "$TMP/agent-$W1N.err" &&
        [ "$($PY get "$P_W1" /v1/stats bus.backlog)" -eq 0 ]; then
        drained=1
        break
    fi
    sleep 1
    i=$((i + 1))
done
[ $drained -eq 1 ] && ok || fail "the backlog did not drain"
sleep 5
check_gaps "after the outage"
say "drained with no gap"
# The agents' and zones' own events say it too, on the brain: those
# raised early in the outage travel in the producers' backlogs.
BY=$(($(date +%s) + 20))
wait_said "$P_BRAIN" bus-backlog "west $W1N $W1N cannot reach" "$BY"
wait_said "$P_BRAIN" bus-backlog-drained "west $W1N $W1N reached" "$BY"
wait_said "$P_BRAIN" bus-buffer-full "$BOUNDED $BOUNDED holds" "$BY"
wait_said "$P_BRAIN" bus-backlog "west - zone west replica 1 cannot" "$BY"
wait_said "$P_BRAIN" bus-backlog-drained "west - zone west replica 1 reached" \
    "$BY"
wait_said "$P_BRAIN" bus-buffer-full "central - zone central replica 0" "$BY"
wait_said "$P_BRAIN" bus-backlog-drained "central - zone central replica 0" \
    "$BY"
say "the brain holds the outage's events"

# ---- the bridge, and the brain's own backlog ----------------------------
# Three requests from New York enter through the bridge while
# arcnet.inference has no leader: the brain forwards them to east, its
# producer holds two (its bound) and refuses the third until the
# partitions have a leader again.
BRIDGED=$(stat "$P_BRAIN" bridged)
SERVED_E=$(stat "$P_E" spilled_in_served)
mc leaders "${PREFIX}arcnet.inference" -1
for id in 7001 7002 7003; do
    "$B/cluster/inject" "$BS" "${PREFIX}ornl.bridge.ingress" "$id" \
        "$($PY request "$id" 40.7 -74.0)" ||
        fail "cannot inject bridge request $id"
done
BY=$(($(date +%s) + 20))
wait_said "$P_BRAIN" bus-backlog "None - the brain cannot reach" "$BY"
wait_said "$P_BRAIN" bus-buffer-full "None - the brain holds" "$BY"
mc leaders "${PREFIX}arcnet.inference" 1
BY=$(($(date +%s) + 30))
wait_said "$P_BRAIN" bus-backlog-drained "None - the brain reached" "$BY"
wait_stat "$P_BRAIN" bridged $((BRIDGED + 3)) "$BY"
wait_stat "$P_E" spilled_in_served $((SERVED_E + 3)) "$BY"
say "bridge requests served in east; the brain said its backlog"

# ---- the share rule between zone processes -----------------------------
# Half of central's agents die. Silent past 3 s, they leave central's
# healthy totals, so its summary (as the brain holds it) shows half its
# GPUs healthy: under 72%, so 1 - 0.5 x 1.4 = 30% of the requests
# entering central, picked by a hash of their ids, go to a neighbour
# first and the rest stay in central.
# central_downs: node-down events central holds for its own nodes (the
# outage already made some: every node fell silent then).
central_downs() {
    $PY events "$P_C" node-down | grep -cxFf "$TMP/nodes.central"
}
DOWNS=$(($(central_downs) + $(wc -l <"$TMP/nodes.central")))
HALF=$(($(wc -l <"$TMP/nodes.central") / 2))
head -"$HALF" "$TMP/nodes.central" >"$TMP/central.dead"
tail -n +$((HALF + 1)) "$TMP/nodes.central" >"$TMP/central.alive"
# summary FIELD: a field of central's latest summary on the brain.
summary() {
    $PY zone "$P_BRAIN" central "$1" 2>/dev/null || echo -1
}
TOTAL=$(summary gpus_total)
WANT=$((TOTAL - $($PY gpus "$P_C" $(cat "$TMP/central.dead"))))
for n in $(cat "$TMP/central.dead"); do
    kill -KILL "$(pid_of "agent-$n")"
done
BY=$(($(date +%s) + 20))
while [ "$(summary gpus_healthy)" -ne "$WANT" ] &&
    [ "$(date +%s)" -lt "$BY" ]; do
    sleep 0.5
done
got=$(summary gpus_healthy)
[ "$got" -eq "$WANT" ] && [ "$WANT" -lt "$TOTAL" ] && ok ||
    fail "central's summary shows $got healthy GPUs, want $WANT of $TOTAL"
say "central's summary: $got healthy GPUs of $TOTAL"
SHARE_OUT=$(stat "$P_C" spilled_out_share)
$PY share "$P_C" 40 8 1 >"$TMP/share.out" && ok ||
    fail "share rule between zones: $(cat "$TMP/share.out")"
[ "$(stat "$P_C" spilled_out_share)" -gt "$SHARE_OUT" ] && ok ||
    fail "central counted no request sent by the share rule"
say "share rule: $(cat "$TMP/share.out")"

# ---- spill-over between zone processes ----------------------------------
# The rest of central's agents die. Once central has recorded each of
# its nodes down (silent past 3 s), a request entering central goes to
# the neighbour whose latest summary shows the most free GPUs.
served_in() {
    echo $(($(stat "$P_W0" spilled_in_served) +
        $(stat "$P_W1" spilled_in_served) + $(stat "$P_E" spilled_in_served)))
}
SERVED_IN=$(served_in)
for n in $(cat "$TMP/central.alive"); do
    kill -KILL "$(pid_of "agent-$n")"
done
BY=$(($(date +%s) + 20))
while [ "$(central_downs)" -lt "$DOWNS" ] && [ "$(date +%s)" -lt "$BY" ]; do
    sleep 0.5
done
[ "$(central_downs)" -ge "$DOWNS" ] && ok ||
    fail "central did not record its dead nodes down"
$PY one "$P_C" 48 1 >"$TMP/spill.out"
grep -q '^200 .*"spilled": true' "$TMP/spill.out" &&
    ! grep -q '"zone": "central"' "$TMP/spill.out" && ok ||
    fail "request to a central without agents: $(cat "$TMP/spill.out")"
[ "$(stat "$P_C" spilled_out)" -ge 1 ] && ok ||
    fail "central counted no spilled request"
# The serving zone reads the outcome from the bus on its own, maybe
# after central has already answered: give it a moment.
BY=$(($(date +%s) + 10))
while [ "$(served_in)" -le "$SERVED_IN" ] && [ "$(date +%s)" -lt "$BY" ]; do
    sleep 0.2
done
[ "$(served_in)" -gt "$SERVED_IN" ] && ok ||
    fail "no neighbour counted the spilled request as served"
say "spilled from central: $(sed 's/.*"zone": "\([a-z]*\)".*/\1/' \
    "$TMP/spill.out")"

echo "cluster: $CHECKS passed, $FAILS failed ($(($(date +%s) - START))s)"
[ "$FAILS" -eq 0 ]
