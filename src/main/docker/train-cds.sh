#!/usr/bin/env bash
# Trains the archive of the service's start that the JVM maps at every later start: on JDK 25 and
# newer an AOT cache (-XX:AOTCacheOutput: the classes loaded and linked and the methods' profiles;
# start with -XX:AOTCache=ARCHIVE), on JDK 17-24 a dynamic class-data sharing archive
# (-XX:ArchiveClassesAtExit; start with -XX:SharedArchiveFile=ARCHIVE). It starts the app's own
# emulator as Salesforce, mirrors it with one whole `run` on an embedded database, starts `serve`
# on that database, waits until /q/health/ready answers 200 (after the webhook warm-up's dry
# mini-run, which needs the mirror), requests the pages a replica serves first, then stops it
# with SIGTERM; the JVM writes the archive as it exits. The
# training database, the PostgreSQL binaries it unpacked (java.io.tmpdir) and the emulator are
# removed afterwards, so nothing of them stays in the image.
#
#   train-cds.sh JAR ARCHIVE [java options...]
#
# The image runs it with its own JVM and at the path it runs the app from (Dockerfile.jvm): an
# archive only loads in the JVM build that wrote it and with the same class path. The same script
# trains the archive beside target/quarkus-app (./mvnw -Pcds package) and for measuring
# (docs/benchmarks.md). Ports: CDS_TRAINING_PORT (default 8080) and CDS_TRAINING_EMULATOR_PORT (8089).
set -euo pipefail
jar=$1 archive=$2
shift 2
port=${CDS_TRAINING_PORT:-8080}
emulator_port=${CDS_TRAINING_EMULATOR_PORT:-8089}
work=$(mktemp -d)

# JDK 25+ (JEP 514/515): the AOT cache; older JDKs: the dynamic archive
flags=$(java -XX:+PrintFlagsFinal -version 2>/dev/null || true)
if [[ $flags == *" AOTCacheOutput "* ]]; then
  record="-XX:AOTCacheOutput=$archive" use="-XX:AOTCache=$archive"
else
  record="-XX:ArchiveClassesAtExit=$archive" use="-XX:SharedArchiveFile=$archive"
fi

# HTTP status of GET PATH on this machine's PORT, with bash alone (no curl or grep in the image)
status() {
  exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || { echo 000; return; }
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nX-API-Key: cds-training\r\n\r\n' "$2" >&3
  local protocol code
  read -r protocol code _ <&3 || code=000
  cat <&3 >/dev/null || true
  exec 3<&-
  echo "${code:-000}"
}

wait_for() {
  local port=$1 path=$2 pid=$3 want=$4
  for _ in $(seq 3000); do
    [ "$(status "$port" "$path")" = "$want" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

: >"$work/emulator.log"
java -jar "$jar" emulator --port "$emulator_port" --accounts 100 >"$work/emulator.log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -rf "$work"' EXIT
until [[ $(<"$work/emulator.log") == *"Connect Territory Sync with"* ]]; do
  kill -0 "$emulator" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done

export CAMEL_COMPONENT_SALESFORCE_LOGIN_URL=http://localhost:$emulator_port \
  CAMEL_COMPONENT_SALESFORCE_AUTHENTICATION_TYPE=CLIENT_CREDENTIALS \
  CAMEL_COMPONENT_SALESFORCE_CLIENT_ID=territory-sync-demo \
  CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET=demo-secret \
  TERRITORY_RULES_SOURCE=org TERRITORY_SCHEDULE_ENABLED=false \
  TERRITORY_API_VIEWER_KEYS=cds-training TERRITORY_DATA_DIR="$work/data" PORT="$port"
# a whole run first (not recorded), so the recorded start has a mirror and goes through the
# webhook warm-up's dry mini-run as a replica's start does: its classes and profiles are in the
# archive too
if ! java "$@" -Djava.io.tmpdir="$work" -jar "$jar" run >"$work/run.log" 2>&1; then
  tail -40 "$work/run.log" >&2
  exit 1
fi
java "$record" "$@" -Djava.io.tmpdir="$work" -jar "$jar" serve >"$work/serve.log" 2>&1 &
service=$!
if ! wait_for "$port" /q/health/ready "$service" 200; then
  kill "$service" 2>/dev/null || true
  tail -40 "$work/serve.log" >&2
  exit 1
fi
while IFS= read -r line; do
  if [[ $line == *"Webhook processing warmed up"*"dry run"* ]]; then
    warmed=${line#*Webhook processing }
  fi
done <"$work/serve.log"
echo "training: the start went through the webhook warm-up: ${warmed:-no (its classes are not in the archive)}"
for path in /q/health/live /q/metrics /q/openapi /api/runs /; do
  echo "training: GET $path $(status "$port" "$path")"
done
kill -TERM "$service"
wait "$service" || true
if [ ! -s "$archive" ]; then
  tail -40 "$work/serve.log" >&2
  echo "no archive written at $archive" >&2
  exit 1
fi
echo "training: wrote $archive ($(du -h "$archive" | cut -f1)); start with: java $use -jar $jar"
