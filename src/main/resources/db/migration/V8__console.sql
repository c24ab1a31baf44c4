-- Console sign-in sessions. The cookie value is never stored, only its SHA-256, so a copy of this
-- table opens no session. A session ends at expires_at, or when idle for the configured time.
CREATE TABLE console_session (
    token_hash          TEXT        PRIMARY KEY,
    user_name           TEXT        NOT NULL,
    salesforce_user_id  TEXT,
    role                TEXT        NOT NULL CHECK (role IN ('viewer', 'admin')),
    method              TEXT        NOT NULL CHECK (method IN ('api-key', 'salesforce')),
    csrf_token          TEXT        NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    expires_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX console_session_expires_idx ON console_session (expires_at);
