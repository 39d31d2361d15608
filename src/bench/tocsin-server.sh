#!/usr/bin/env bash
# Tocsin as the harness's PEER_X_CMD: deploy/micro.sh with the demo keys, on a fresh runtime
# directory (and so a fresh embedded database) for every run. A reused directory would carry the
# earlier runs' alerts, and Payara Micro would deploy the WAR twice at boot: once from the
# directory's domain.xml, then again for --deploy.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$TOCSIN_BENCH_ROOT"
TOCSIN_ROOT=$(mktemp -d -p "$TOCSIN_BENCH_ROOT" run-XXXX)
export TOCSIN_ROOT
# The collector's pauses, with wall-clock times, into the run's server log (the harness keeps one
# per case and repetition), so that a run's figures can be read beside the pauses that fell in it.
# Through the launcher's own variable, so that JAVA_OPTS stays deploy/micro.sh's.
export JDK_JAVA_OPTIONS="${JDK_JAVA_OPTIONS:+$JDK_JAVA_OPTIONS }-Xlog:gc:stdout:time,uptime"
# The JIT compiler threads' CPU beside them, every 2 s (clock ticks, theirs and the whole
# process's), so that a run measured while the compiler was busy can be told from a slow Tocsin
# (src/bench/windows.js). Shell builtins only, as it shares the server's core: a few hundred
# small reads per sample, no process started but sleep. micro.sh execs java, so the server keeps
# this shell's PID; the sampler stops when it is gone.
server=$$
ticks() { # TICKS = utime + stime of a /proc stat file; the name before ") " may hold spaces
    local line field
    read -r line <"$1" || return 1
    read -r -a field <<<"${line##*) }"
    TICKS=$((field[11] + field[12]))
}
(
    export TZ=UTC
    while kill -0 "$server" 2>/dev/null; do
        jit=0
        for task in /proc/"$server"/task/*; do
            read -r name <"$task/comm" 2>/dev/null || continue
            if [[ $name == "C1 Compiler"* || $name == "C2 Compiler"* ]]; then
                ticks "$task/stat" && jit=$((jit + TICKS))
            fi
        done
        ticks /proc/"$server"/stat || break
        printf '[%(%Y-%m-%dT%H:%M:%S)T.000+0000] jit-ticks %d process-ticks %d\n' -1 "$jit" "$TICKS"
        sleep 2
    done
) &
exec bash "$repo/deploy/micro.sh" --systemproperties "$repo/deploy/demo.properties"
