#!/usr/bin/env bash
# The history retention's cost on a first assignment's worth of changes (docs/benchmarks.md): a run
# finished 400 days ago with 1.7M changes, then the statements RunHistory issues, timed.
#   src/bench/history-purge.sh [DATABASE]   (a migrated database on 127.0.0.1:5432)
set -euo pipefail
DB=${1:-startup_bench}
P="psql -h 127.0.0.1 -U postgres -d $DB -qtA"
old=$($P -c "INSERT INTO run (trigger, status, requested_at, started_at, finished_at) VALUES ('bench', 'succeeded', now() - interval '400 days', now() - interval '400 days', now() - interval '400 days') RETURNING id" | head -1)
$P -c "INSERT INTO run (trigger, status, requested_at, started_at, finished_at) VALUES ('bench', 'succeeded', now(), now(), now())" >/dev/null
$P -c "INSERT INTO plan_change (run_id, phase, kind, action, object_id, account_id, territory_id, rule, reason, status, attempts, planned_at, written_at) SELECT $old, CASE WHEN g % 2 = 0 THEN 1 ELSE 6 END, CASE WHEN g % 2 = 0 THEN 'account' ELSE 'opportunity' END, CASE WHEN g % 2 = 0 THEN 'add' ELSE 'set' END, '001' || lpad(g::text, 15, '0'), '001' || lpad((g / 2)::text, 15, '0'), '0MI' || lpad((g % 1000)::text, 15, '0'), 'Geo_' || (g % 50), 'rule Geo_' || (g % 50) || ' matched', 'done', 1, now() - interval '400 days', now() - interval '400 days' FROM generate_series(1, 1700000) g"
$P -c "VACUUM ANALYZE plan_change"
echo "run $old: $($P -c "SELECT count(*) FROM plan_change WHERE run_id = $old") changes"
start=$(date +%s.%N); batches=0
while :; do
  n=$($P -c "WITH d AS (DELETE FROM plan_change WHERE id IN (SELECT id FROM plan_change WHERE run_id = $old ORDER BY id LIMIT 20000) RETURNING 1) SELECT count(*) FROM d")
  batches=$((batches + 1))
  [ "$n" -lt 20000 ] && break
done
$P -c "UPDATE run SET changes_purged_at = now() WHERE id = $old"
end=$(date +%s.%N)
echo "deleted in $batches batches, $(echo "$end - $start" | bc) s"
