#!/bin/bash
# Idle RSS of the packaged connector (not a test: it prints a figure).
#
#   ./mvnw -B -q package -DskipTests && bench/idle-rss.sh [JVM options...]
#
# Starts target/quarkus-app/quarkus-run.jar (embedded sandbox, the defaults, routes/ and application.properties of
# this checkout) in a temporary directory on free ports, waits until ready, lets it idle 60 s, prints VmRSS and VmHWM
# from /proc/PID/status, and stops it. Example: bench/idle-rss.sh -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || { echo "package first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
mkdir -p "$root/target/bench"
dir=$(mktemp -d "$root/target/bench/eci-idle-rss-XXXX")
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
hp=$(port); mp=$(port)
cd "$dir"
ECI_ROUTES_DIR=$root/routes ECI_CONFIG_FILE=$root/application.properties \
  java "$@" -Dquarkus.http.port=$hp -Dquarkus.management.port=$mp -Deci.jolokia.port=0 -Duser.home="$dir" -Djava.io.tmpdir="$dir" \
  -jar "$jar" > app.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$mp/observe/health/ready" > /dev/null && break; sleep 1; done
sleep 60
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status); hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "ready after ${i} s; idle RSS $((rss / 1024)) MB, peak RSS $((hwm / 1024)) MB; options: $*"
