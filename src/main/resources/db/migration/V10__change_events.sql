-- Change events (transactional outbox): one row per applied change, written by the write stage
-- in the same transaction that records the change's outcome, so an event exists exactly when the
-- change was recorded as done. The events route publishes pending rows in id order, which is the
-- order the changes were recorded in, and marks them published after every endpoint took them.
--   status: pending | published | dead (every redelivery failed; holds the later events of its
--           subject until retried)
CREATE TABLE change_event (
    id            BIGSERIAL   PRIMARY KEY,
    event_id      TEXT        NOT NULL UNIQUE,
    run_id        BIGINT      NOT NULL,
    change_id     BIGINT,
    type          TEXT        NOT NULL,
    subject       TEXT        NOT NULL,
    data          JSONB       NOT NULL,
    status        TEXT        NOT NULL DEFAULT 'pending',
    attempts      INTEGER     NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at  TIMESTAMPTZ,
    CONSTRAINT change_event_status_check CHECK (status IN ('pending', 'published', 'dead'))
);
CREATE INDEX change_event_pending_idx ON change_event (id) WHERE status = 'pending';
CREATE INDEX change_event_dead_idx ON change_event (subject) WHERE status = 'dead';
CREATE INDEX change_event_published_idx ON change_event (published_at) WHERE status = 'published';

-- Dead letters: every time an event failed all its redeliveries, with the endpoint that refused
-- it and the error. Retrying a dead event puts it back in the outbox (retried_at is set).
CREATE TABLE change_event_dead_letter (
    id          BIGSERIAL   PRIMARY KEY,
    event_id    BIGINT      NOT NULL REFERENCES change_event (id) ON DELETE CASCADE,
    endpoint    TEXT,
    error       TEXT        NOT NULL,
    failed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    retried_at  TIMESTAMPTZ
);
CREATE INDEX change_event_dead_letter_event_idx ON change_event_dead_letter (event_id);
