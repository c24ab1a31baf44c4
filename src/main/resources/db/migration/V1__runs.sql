-- A run moves through the stages sync -> rules -> plan -> write -> rollups.
CREATE TABLE run (
    id            BIGSERIAL   PRIMARY KEY,
    trigger       TEXT        NOT NULL,
    full_sync     BOOLEAN     NOT NULL DEFAULT FALSE,
    dry_run       BOOLEAN     NOT NULL DEFAULT FALSE,
    forced        BOOLEAN     NOT NULL DEFAULT FALSE,
    status        TEXT        NOT NULL,
    stage         TEXT,
    requested_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    heartbeat_at  TIMESTAMPTZ,
    owner         TEXT,
    api_calls     INTEGER     NOT NULL DEFAULT 0,
    progress      JSONB       NOT NULL DEFAULT '{}'::jsonb,
    summary       JSONB       NOT NULL DEFAULT '{}'::jsonb,
    error         TEXT,
    CONSTRAINT run_status_check
        CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed', 'stopped_by_guard'))
);

CREATE INDEX run_requested_at_idx ON run (requested_at DESC);
CREATE INDEX run_active_idx ON run (status) WHERE status IN ('queued', 'running');
