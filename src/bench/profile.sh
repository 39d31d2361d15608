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
# count; kernel frames end in _[k]), for flame-graph tools or a few lines of awk.
# Interval: PROFILE_INTERVAL (default 1ms).
set -euo pipefail
pid=${1:?pid of the Payara Micro JVM}
what=${2:?seconds, start or stop}
version=4.1
jar=$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar
if [[ ! -f $jar ]]; then
    mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$version >&2
fi
lib=${TMPDIR:-/tmp}/async-profiler-$version/linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')/libasyncProfiler.so
if [[ ! -f $lib ]]; then
    mkdir -p "${TMPDIR:-/tmp}/async-profiler-$version"
    (cd "${TMPDIR:-/tmp}/async-profiler-$version" && unzip -q -o "$jar" 'linux-*')
fi

# jcmd reads name=value pairs out of its arguments: the agent's options must arrive quoted.
agent() { jcmd "$pid" JVMTI.agent_load "$lib" "\"$1\"" >/dev/null; }
start() { agent "start,event=cpu,interval=${PROFILE_INTERVAL:-1ms}"; }
stop() { agent "stop,file=$(realpath -m "$1"),collapsed"; }

case $what in
    start) start ;;
    stop) stop "${3:?output file}" ;;
    *)
        start
        sleep "$what"
        stop "${3:?output file}"
        ;;
esac
