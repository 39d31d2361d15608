#!/usr/bin/env bash
# Starts Tocsin on Payara Micro, bound to loopback, clustering in TCP/IP mode on 127.0.0.1.
# Extra arguments go to Payara Micro (e.g. --systemproperties demo.properties, --sslport 8443).
#
#   PAYARA_MICRO_JAR  the Payara Micro jar        (default: target/payara-micro.jar)
#   TOCSIN_WAR        the WAR                     (default: target/tocsin.war)
#   TOCSIN_PORT       HTTP port                   (default: 8080)
#   TOCSIN_CLUSTER    cluster members host:port,… (default: 127.0.0.1:6900)
#   TOCSIN_CLUSTER_PORT  this node's Hazelcast port (default: 6900)
#   TOCSIN_CLUSTER_NAME  cluster name             (default: tocsin-dev)
#   TOCSIN_ROOT       Payara's runtime directory; the embedded database lives here (default: target/payara-root)
#   JAVA_OPTS         JVM options                 (default: -Xms256m -Xmx1g: 19,000 held connections take about 700 MiB, docs/performance.md)
#
# The same loopback flags are in pom.xml (micro.loopback.options) for the test suite.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

jar=${PAYARA_MICRO_JAR:-$repo/target/payara-micro.jar}
war=${TOCSIN_WAR:-$repo/target/tocsin.war}
root=${TOCSIN_ROOT:-$repo/target/payara-root}
cluster_port=${TOCSIN_CLUSTER_PORT:-6900}
mkdir -p "$root"

# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--Xms256m -Xmx1g} \
    -Dhazelcast.phone.home.enabled=false -Dhazelcast.socket.bind.any=false \
    -jar "$jar" \
    --deploy "$war" --contextroot / \
    --port "${TOCSIN_PORT:-8080}" \
    --disablephonehome --interfaces 127.0.0.1 \
    --clustermode "tcpip:${TOCSIN_CLUSTER:-127.0.0.1:$cluster_port}" \
    --clustername "${TOCSIN_CLUSTER_NAME:-tocsin-dev}" --startport "$cluster_port" \
    --rootdir "$root" \
    --prebootcommandfile "$here/pre-boot-commands.txt" \
    --postbootcommandfile "$here/post-boot-commands.txt" \
    "$@"
