#!/usr/bin/env bash
# The benchmark: builds Tocsin, and runs the load harness of ../shared/bench against Tocsin on
# Payara Micro (started by deploy/micro.sh, as deployed) and the two peer servers (the tutorials'
# `ws` broadcast server and Socket.IO 4), alternating them, a fresh server per run. Prints the
# harness's comparison table, then Tocsin's targets as ratios to the peers of the same runs.
#
#   bash src/bench/run.sh                                   # full matrix, 3 repetitions (about 2 h 15 min)
#   REPS=1 CASES="fanout-1k-max connect-1k" bash src/bench/run.sh
#   PEERS=tocsin CASES=echo-100 REPS=1 bash src/bench/run.sh
#
# Everything stays on 127.0.0.1; servers on CPU 0, the load generator on CPU 1 (see the harness
# README). Results: target/bench/<time>/ (results.jsonl, table.md, targets.md, server logs).
# Knobs: the harness's (REPS, CASES, PEERS, DURATION, HOLD, ...) and
#   BENCH_HARNESS   the harness folder            (default: ../shared/bench beside the repository)
#   TOCSIN_BENCH_PORT  Tocsin's HTTP port         (default: 18083)
#   JAVA_OPTS       Tocsin's JVM options          (default: deploy/micro.sh's)
#   SKIP_BUILD=1    use the WAR already in target/
#   SKIP_HARNESS=1  skip the case matrix: only the extras below (with PEERS=tocsin)
#   SKIP_EXTRAS=1   skip the extras
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
harness_src=${BENCH_HARNESS:-$repo/../shared/bench}
harness=$repo/target/bench-harness
port=${TOCSIN_BENCH_PORT:-18083}
stamp=$(date +%Y%m%d-%H%M%S)
# Absolute: the harness runs from its own folder, where a relative OUT would put its results.
out=$(realpath -m "${OUT:-$repo/target/bench/$stamp}")

[[ -f $harness_src/run-peers.sh ]] || { echo "no load harness at $harness_src (set BENCH_HARNESS)" >&2; exit 2; }
if [[ -z ${SKIP_BUILD:-} ]]; then
    (cd "$repo" && mvn -B -q -DskipTests package)
fi

# A private copy of the harness, so that its node_modules and results stay out of the shared folder.
rm -rf "$harness" && mkdir -p "$harness"
(cd "$harness_src" && tar cf - --exclude=node_modules --exclude=results .) | (cd "$harness" && tar xf -)
(cd "$harness" && npm ci --no-audit --no-fund --loglevel=error)

# Tocsin as deploy/ runs it, with the demo keys (the adapter mints demo tokens), on a fresh
# runtime directory and embedded database per run (src/bench/tocsin-server.sh). The
# per-connection frame rate limit is raised for the echo and publisher connections, which send
# hundreds of frames per second by design; every other limit, the signatures, the bounded
# outboxes and the slow-consumer policy stay as shipped.
export TOCSIN_PORT=$port TOCSIN_BENCH_ROOT=$repo/target/bench-root/$stamp
export TOCSIN_CLUSTER_PORT=${TOCSIN_BENCH_CLUSTER_PORT:-28700} TOCSIN_CLUSTER_NAME=tocsin-bench-$$
export TOCSIN_CLUSTER=127.0.0.1:$TOCSIN_CLUSTER_PORT
export TOCSIN_LIMITS_FRAMES_PER_SECOND=${TOCSIN_LIMITS_FRAMES_PER_SECOND:-1000000}
export TOCSIN_LIMITS_FRAMES_BURST=${TOCSIN_LIMITS_FRAMES_BURST:-1000000}
export PEER_X_NAME=tocsin
export PEER_X_CMD="bash $repo/src/bench/tocsin-server.sh"
export PEER_X_ADAPTER=$repo/src/bench/tocsin-adapter.js
export PEER_X_URL=ws://127.0.0.1:$port/ws
export PEER_X_PUBLISH_URL=http://127.0.0.1:$port/api/alerts
# Ready = deployed and warmed by warmup.js (a fresh JVM measures its JIT compiler otherwise).
gate_port=${TOCSIN_BENCH_GATE_PORT:-18099}
export PEER_X_READY=http://127.0.0.1:$gate_port/ready
export START_TIMEOUT=${START_TIMEOUT:-600}   # boot, and the warm-up until the JIT is quiet (warmup.js)
export PEERS=${PEERS:-"ws socketio tocsin"}
export OUT=$out

adapter=$PEER_X_ADAPTER
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_all EXIT

mkdir -p "$out"
node "$repo/src/bench/warmup.js" --gate "$gate_port" --tocsin "http://127.0.0.1:$port" \
    --harness "$harness" --adapter "$adapter" 2>>"$out/warmup.log" &
pids+=($!)
if [[ -z ${SKIP_HARNESS:-} ]]; then
    bash "$harness/run-peers.sh"
fi

# Beyond the harness's cases: 19,000 connections held, and the signing cost at 10 and 10,000
# subscribers, on one more fresh, warmed Tocsin.
if [[ -z ${SKIP_EXTRAS:-} && " $PEERS " == *" tocsin "* ]]; then
    ulimit -n "$(ulimit -Hn)"
    taskset -c "${SERVER_CPU:-0}" bash "$repo/src/bench/tocsin-server.sh" >"$out/server-tocsin-extras.log" 2>&1 &
    server=$!
    pids+=("$server")
    for _ in $(seq 1 "$START_TIMEOUT"); do
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/api/keys" && break
        sleep 1
    done
    node "$repo/src/bench/warmup.js" --once --tocsin "http://127.0.0.1:$port" --harness "$harness" --adapter "$adapter" 2>>"$out/warmup.log"
    node "$repo/src/bench/extras.js" --harness "$harness" --adapter "$adapter" --tocsin "http://127.0.0.1:$port" \
        --pid "$server" >>"$out/extra.jsonl" 2>>"$out/extras.log"
    kill "$server"
    wait "$server" 2>/dev/null || true
fi

rm -rf "$TOCSIN_BENCH_ROOT"   # the runtime directories (about 120 MB each); the logs are in $out

echo
node "$repo/src/bench/targets.js" "$out/results.jsonl" "$out/extra.jsonl" | tee "$out/targets.md"
echo
echo "Tocsin's fan-out and connect runs beside their collector pauses and JIT compiler share (src/bench/windows.js):"
node "$repo/src/bench/windows.js" "$out" | tee "$out/windows.txt"
echo "results: $out"
