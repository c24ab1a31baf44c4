-- Runs older than territory.runs.history-retention lose their changes (plan_change, the bulk of
-- the database after a few whole runs); the run keeps its summary and says when they went. Webhook
-- mini-runs that ended cleanly go entirely (RunHistory).
ALTER TABLE run ADD COLUMN changes_purged_at TIMESTAMPTZ;
