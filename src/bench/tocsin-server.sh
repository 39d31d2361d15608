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
exec bash "$repo/deploy/micro.sh" --systemproperties "$repo/deploy/demo.properties"
