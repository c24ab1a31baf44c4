-- Per-territory performance of the latest run, per period (current fiscal year and quarter):
-- the territory's own figures and, for parents, those of its whole subtree; plus its balance
-- status among its siblings of the same type. docs/rollups.md gives every formula.
CREATE TABLE territory_rollup (
    territory_id                TEXT        NOT NULL,
    period                      TEXT        NOT NULL,
    run_id                      BIGINT      NOT NULL,
    model_id                    TEXT        NOT NULL,
    developer_name              TEXT,
    name                        TEXT,
    parent_id                   TEXT,
    type_id                     TEXT,
    period_start                DATE        NOT NULL,
    period_end                  DATE        NOT NULL,
    account_count               BIGINT      NOT NULL,
    annual_revenue              NUMERIC     NOT NULL,
    average_annual_revenue      NUMERIC,
    potential                   NUMERIC     NOT NULL,
    open_pipeline               NUMERIC     NOT NULL,
    weighted_pipeline           NUMERIC     NOT NULL,
    closed_won_amount           NUMERIC     NOT NULL,
    closed_won_count            BIGINT      NOT NULL,
    closed_lost_count           BIGINT      NOT NULL,
    win_rate                    NUMERIC,
    average_deal_size           NUMERIC,
    assigned_users              BIGINT      NOT NULL,
    quota                       NUMERIC,
    quota_attainment            NUMERIC,
    subtree_account_count       BIGINT      NOT NULL,
    subtree_annual_revenue      NUMERIC     NOT NULL,
    subtree_potential           NUMERIC     NOT NULL,
    subtree_open_pipeline       NUMERIC     NOT NULL,
    subtree_weighted_pipeline   NUMERIC     NOT NULL,
    subtree_closed_won_amount   NUMERIC     NOT NULL,
    subtree_closed_won_count    BIGINT      NOT NULL,
    subtree_closed_lost_count   BIGINT      NOT NULL,
    subtree_win_rate            NUMERIC,
    subtree_assigned_users      BIGINT      NOT NULL,
    potential_balance           TEXT,
    workload_balance            TEXT,
    computed_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (territory_id, period)
);

-- Balance of each group of sibling territories of one type (same parent, same Territory2Type).
CREATE TABLE territory_balance (
    parent_id           TEXT        NOT NULL,
    type_id             TEXT        NOT NULL,
    run_id              BIGINT      NOT NULL,
    territories         INTEGER     NOT NULL,
    potential_mean      NUMERIC,
    potential_cv        NUMERIC,
    potential_max_min   NUMERIC,
    workload_mean       NUMERIC,
    workload_cv         NUMERIC,
    workload_max_min    NUMERIC,
    outside             JSONB       NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (parent_id, type_id)
);

-- What was last written to Territory_Performance__c per record key, so only changes are sent.
CREATE TABLE rollup_written (
    key         TEXT        PRIMARY KEY,
    hash        TEXT,
    record_id   TEXT,
    status      TEXT        NOT NULL,
    error       TEXT,
    written_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
