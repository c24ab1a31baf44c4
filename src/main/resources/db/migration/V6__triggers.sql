-- Runs are queued (POST /api/runs, the schedule) and taken one at a time under the run lock.
-- Webhook notifications are stored before they are acknowledged, then processed by mini-runs.

ALTER TABLE run ADD COLUMN accounts TEXT[];

-- Pending changes are looked up by every plan (changes of runs that died are abandoned).
CREATE INDEX plan_change_pending_idx ON plan_change (run_id) WHERE status = 'pending';

CREATE TABLE webhook_event (
    id              BIGSERIAL   PRIMARY KEY,
    source          TEXT        NOT NULL,              -- outbound-message | signed-json
    dedupe_key      TEXT        NOT NULL UNIQUE,       -- a retried notification is stored once
    account_id      TEXT        NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    status          TEXT        NOT NULL DEFAULT 'pending',
    attempts        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at    TIMESTAMPTZ,
    run_id          BIGINT,
    error           TEXT,
    CONSTRAINT webhook_event_status_check CHECK (status IN ('pending', 'done', 'dead'))
);

CREATE INDEX webhook_event_due_idx ON webhook_event (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_event_dead_idx ON webhook_event (id) WHERE status = 'dead';
CREATE INDEX webhook_event_account_idx ON webhook_event (account_id);

-- The nightly schedule: when it last fired (claimed by one replica) and since when it is known.
CREATE TABLE schedule_state (
    name        TEXT        PRIMARY KEY,
    known_since TIMESTAMPTZ NOT NULL,
    last_fire   TIMESTAMPTZ,
    last_run_id BIGINT
);
