-- What the stored rollups were computed from, so a run that changed a few accounts can apply only
-- their difference: each account's rows as the last computation counted them (territory NULL: in
-- no territory of the model), and the opportunity figures per account, territory and period.
-- Unlogged like the rollups' scratch tables: a crash empties them and rollup_state together, and
-- an empty rollup_state makes the next computation whole.
CREATE UNLOGGED TABLE rollup_state (
    model_id  TEXT        NOT NULL,
    basis     TEXT        NOT NULL,
    run_id    BIGINT      NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNLOGGED TABLE rollup_account (
    territory_id  TEXT,
    account_id    TEXT    NOT NULL,
    revenue       NUMERIC NOT NULL,
    potential     NUMERIC NOT NULL
);
CREATE INDEX rollup_account_account_idx ON rollup_account (account_id);

CREATE UNLOGGED TABLE rollup_opportunity (
    account_id    TEXT,
    territory_id  TEXT    NOT NULL,
    period        TEXT    NOT NULL,
    open          NUMERIC NOT NULL,
    weighted      NUMERIC NOT NULL,
    won_amount    NUMERIC NOT NULL,
    won           BIGINT  NOT NULL,
    lost          BIGINT  NOT NULL
);
CREATE INDEX rollup_opportunity_account_idx ON rollup_opportunity (account_id);
