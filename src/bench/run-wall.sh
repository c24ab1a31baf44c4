#!/usr/bin/env bash
# Wall time of a one-shot command (e.g. `run`): launches it RUNS times and prints, per launch, the
# milliseconds from exec to exit, Quarkus's "started in", the run's own time and the exit code.
#   src/bench/run-wall.sh RUNS command args...          (docs/benchmarks.md)
set -uo pipefail
runs=$1
shift
log=$(mktemp)
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$@" >"$log" 2>&1
  rc=$?
  end=$(date +%s%N)
  started=$(grep -o 'Quarkus [0-9.]*) started in [0-9.]*s' "$log" | grep -o '[0-9.]*s$' | head -1 || true)
  ran=$(grep -o 'succeeded in [0-9]* ms' "$log" | head -1 | grep -o '[0-9]* ms' || true)
  echo "$(((end - start) / 1000000)) ms wall (Quarkus started in $started, run $ran), exit code $rc"
done
rm -f "$log"
