#!/usr/bin/env bash
# Start-up to readiness: launches a command RUNS times and prints, per launch, the milliseconds
# from exec until http://127.0.0.1:PORT/q/health/ready answers 200 and Quarkus's own "started in",
# then stops it with SIGTERM and prints how long the process took to exit.
#   src/bench/startup.sh RUNS PORT command args...      (docs/benchmarks.md)
set -euo pipefail
runs=$1 port=$2
shift 2
log=$(mktemp)
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$@" >"$log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/q/health/ready"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "exited before ready:" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    sleep 0.02
  done
  end=$(date +%s%N)
  # Quarkus's line ("... on JVM (powered by Quarkus ...) started in 3.512s."), not Camel's
  started=$(grep -o 'Quarkus [0-9.]*) started in [0-9.]*s' "$log" | grep -o '[0-9.]*s$' | head -1 || true)
  kill -TERM "$pid"
  wait "$pid" || true
  stopped=$(date +%s%N)
  echo "$(((end - start) / 1000000)) ms ready (Quarkus started in $started), exit $(((stopped - end) / 1000000)) ms"
done
rm -f "$log"
