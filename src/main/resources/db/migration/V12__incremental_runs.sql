-- What changed in the mirror since a whole run last took it into account, so a run can evaluate,
-- plan and roll up only that. kind 'account': the account, one of its territory associations or
-- one of its opportunities changed (key = account id); kind 'object': a row of a model object
-- (territories, types, models, org rules, exclusions, user associations) changed (key = API
-- name). A change recorded again gets a new seq, so a run clears only what it took into account.
CREATE SEQUENCE mirror_change_seq;
CREATE TABLE mirror_change (
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'object')),
    key        TEXT NOT NULL,
    seq        BIGINT NOT NULL DEFAULT nextval('mirror_change_seq'),
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, key)
);

-- What the last whole evaluation and the last rollup computation were based on: a run compares
-- these with its own inputs to decide between incremental and full.
CREATE TABLE run_basis (
    stage      TEXT PRIMARY KEY CHECK (stage IN ('evaluation', 'rollups')),
    run_id     BIGINT NOT NULL,
    basis      TEXT NOT NULL,
    full_at    TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An incremental run keeps the assignments of the accounts it did not evaluate: they must survive
-- a database crash, which empties unlogged tables.
ALTER TABLE desired_assignment SET LOGGED;
ALTER TABLE desired_user_assignment SET LOGGED;
