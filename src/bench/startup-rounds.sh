#!/usr/bin/env bash
# Interleaved start-up comparison on a loaded machine: ROUNDS rounds, each launching every variant
# once in the order given, so load changes hit all of them; prints every launch, then the median
# and range per variant. MODE serve: ms until /q/health/ready on PORT (src/bench/startup.sh);
# MODE run: wall ms of the one-shot command (src/bench/run-wall.sh).
#   src/bench/startup-rounds.sh ROUNDS serve|run PORT 'label=command args' ...   (docs/benchmarks.md)
set -euo pipefail
rounds=$1 mode=$2 port=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
results=$(mktemp)
for round in $(seq "$rounds"); do
  for variant in "$@"; do
    label=${variant%%=*}
    command=${variant#*=}
    if [ "$mode" = serve ]; then
      line=$("$here/startup.sh" 1 "$port" bash -c "$command")
    else
      line=$("$here/run-wall.sh" 1 bash -c "$command")
    fi
    echo "round $round  $label: $line  (load $(cut -d' ' -f1 /proc/loadavg))"
    echo "$label ${line%% ms*}" >>"$results"
  done
done
echo
for variant in "$@"; do
  label=${variant%%=*}
  grep "^$label " "$results" | awk '{print $2}' | sort -n |
    awk -v l="$label" '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2;
      printf "%-28s median %6.1f s  range %.1f-%.1f s  (%d launches)\n", l, m/1000, v[1]/1000, v[NR]/1000, NR}'
done
rm -f "$results"
