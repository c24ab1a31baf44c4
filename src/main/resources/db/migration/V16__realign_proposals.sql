-- Realignment plans and their proposals (docs/realignment.md), shared by every replica and kept
-- across restarts: the newest territory.realign.keep of them. A plan runs while its replica holds
-- advisory lock (TSYN, 3); a row still 'running' when nobody holds it was abandoned.
CREATE TABLE realign_proposal (
    id            BIGSERIAL        PRIMARY KEY,
    status        TEXT             NOT NULL DEFAULT 'running',
    phase         TEXT             NOT NULL DEFAULT 'queued',
    progress      DOUBLE PRECISION NOT NULL DEFAULT 0,
    best_score    TEXT,
    error         TEXT,
    request       JSONB            NOT NULL,
    report        JSONB,
    rules         TEXT,
    valid         BOOLEAN,
    created_by    TEXT             NOT NULL,
    created_at    TIMESTAMPTZ      NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ,
    published_at  TIMESTAMPTZ,
    CONSTRAINT realign_proposal_status_check CHECK (status IN ('running', 'done', 'failed'))
);
