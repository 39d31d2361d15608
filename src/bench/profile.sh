#!/usr/bin/env bash
# CPU profile of a running Tocsin with async-profiler, kernel frames included (where the write()
# system calls of a fan-out go, which JFR's Java samples leave out). async-profiler comes from
# Maven Central (tools.profiler:async-profiler) and is attached to the running JVM, not shipped.
#
#   bash src/bench/profile.sh PID SECONDS OUT.collapsed     # then run the load meanwhile
#   bash src/bench/profile.sh PID start                     # start now ...
#   bash src/bench/profile.sh PID stop OUT.collapsed        # ... and write the profile
#
# OUT is in collapsed-stack form (one stack per line, frames separated by ';', then the sample
# count; kernel frames end in _[k]), for flame-graph tools or a few lines of awk. Stacks carry no
# thread names: which thread a stack ran on shows only in its frames.
# Kernel frames need root or kernel.perf_event_paranoid <= 1; otherwise only user-space frames.
# Interval: PROFILE_INTERVAL (default 1ms).
set -euo pipefail
usage() { echo "usage: $0 PID SECONDS|start|stop [OUT.collapsed]" >&2; exit 2; }
pid=${1:-}
what=${2:-}
out=${3:-}
[[ $pid =~ ^[0-9]+$ ]] || usage
case $what in
    start) ;;
    stop) [[ -n $out && $out != *,* ]] || usage ;;
    *) [[ $what =~ ^[0-9]+$ && -n $out && $out != *,* ]] || usage ;;
esac

version=4.1
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tocsin/async-profiler-$version
lib=$cache/linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')/libasyncProfiler.so
if [[ ! -f $lib ]]; then
    mkdir -p "$cache"
    mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:$version -DoutputDirectory="$cache" >&2
    (cd "$cache" && jar xf "async-profiler-$version.jar" "${lib#"$cache"/}")
fi

# jcmd reads name=value pairs out of its arguments, so the agent's options must arrive quoted; it
# reports the agent's own failure as "return code: N" and still exits 0.
agent() {
    local said
    said=$(jcmd "$pid" JVMTI.agent_load "$lib" "\"$1\"")
    if [[ $said != *"return code: 0"* ]]; then
        echo "async-profiler refused \"$1\": $said (the JVM's log says why)" >&2
        exit 1
    fi
}
start() { agent "start,event=cpu,interval=${PROFILE_INTERVAL:-1ms}"; }
stop() { agent "stop,file=$(realpath -m "$out"),collapsed"; }

case $what in
    start) start ;;
    stop) stop ;;
    *)
        start
        sleep "$what"
        stop
        ;;
esac
