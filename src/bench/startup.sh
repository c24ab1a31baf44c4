#!/usr/bin/env bash
# Start-up to readiness: launches a command RUNS times and prints, per launch, the milliseconds
# from exec until http://127.0.0.1:PORT/q/health/ready answers 200, then stops it with SIGTERM.
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
  started=$(grep -o 'started in [0-9.]*s' "$log" | head -1 || true)
  echo "$(((end - start) / 1000000)) ms ($started)"
  kill -TERM "$pid"
  wait "$pid" || true
done
rm -f "$log"
