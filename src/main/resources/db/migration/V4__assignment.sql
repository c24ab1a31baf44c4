-- The users the rules file lists per territory, resolved to user ids by the rules stage.
CREATE UNLOGGED TABLE desired_user_assignment (
    run_id        BIGINT NOT NULL,
    user_id       TEXT   NOT NULL,
    territory_id  TEXT   NOT NULL,
    role          TEXT,
    PRIMARY KEY (user_id, territory_id)
);

-- Every change a run planned, and what became of it: the plan, the write-back's work list and
-- the history that explains each association (who, which territory, which rule, when, outcome).
--   phase:  1 add account associations, 2 add user associations, 3 update user roles,
--           4 remove account associations, 5 remove user associations, 6 opportunity territories
--   kind:   account | user | opportunity;  action: add | remove | role | set
--   status: pending | done | already (the org had it) | skipped (with reason) | failed (with
--           error) | planned (dry run) | held (stopped by the safety guard) | abandoned (run died)
CREATE TABLE plan_change (
    id                     BIGSERIAL   PRIMARY KEY,
    run_id                 BIGINT      NOT NULL REFERENCES run (id),
    phase                  SMALLINT    NOT NULL,
    kind                   TEXT        NOT NULL,
    action                 TEXT        NOT NULL,
    object_id              TEXT        NOT NULL,
    account_id             TEXT,
    territory_id           TEXT,
    previous_territory_id  TEXT,
    association_id         TEXT,
    role                   TEXT,
    rule                   TEXT,
    rules_version          BIGINT,
    reason                 TEXT,
    status                 TEXT        NOT NULL,
    error                  TEXT,
    attempts               INTEGER     NOT NULL DEFAULT 0,
    planned_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    written_at             TIMESTAMPTZ,
    CONSTRAINT plan_change_status_check CHECK (status IN
        ('pending', 'done', 'already', 'skipped', 'failed', 'planned', 'held', 'abandoned'))
);
CREATE INDEX plan_change_run_idx ON plan_change (run_id, phase, status);
CREATE INDEX plan_change_object_idx ON plan_change (object_id);
CREATE INDEX plan_change_account_idx ON plan_change (account_id);

-- Associations Territory Sync created (its ownership record): with the default removal policy it
-- only ever removes these. A claim is written before the insert is sent (confirmed = false) and
-- confirmed with the record id afterwards, so a crash between the two loses no ownership.
CREATE TABLE managed_association (
    kind            TEXT        NOT NULL,
    object_id       TEXT        NOT NULL,
    territory_id    TEXT        NOT NULL,
    association_id  TEXT,
    confirmed       BOOLEAN     NOT NULL DEFAULT FALSE,
    run_id          BIGINT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, object_id, territory_id)
);
CREATE INDEX managed_association_territory_idx ON managed_association (territory_id);
