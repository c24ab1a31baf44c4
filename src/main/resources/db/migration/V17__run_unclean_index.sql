-- The runs that did not end cleanly: few among a row per run and per webhook mini-run (never
-- purged). The sync looks for them before it leaves this product's own writes out of a read
-- (RunRepository.endedCleanlySince), twice per whole run; without this it read the whole table.
CREATE INDEX run_unclean_idx ON run (id)
    WHERE status NOT IN ('succeeded', 'partial', 'stopped_by_guard', 'queued');
