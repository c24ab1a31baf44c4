-- A run stopped at a safe point because its process was shutting down (SIGTERM): another run,
-- queued at the same moment, continues it.
ALTER TABLE run DROP CONSTRAINT run_status_check;
ALTER TABLE run ADD CONSTRAINT run_status_check
    CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed', 'stopped_by_guard', 'stopped'));
