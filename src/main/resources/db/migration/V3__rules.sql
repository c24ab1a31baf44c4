-- Every rules file (or org rule set) that was valid when loaded; the newest is in force.
CREATE TABLE rules_version (
    id          BIGSERIAL   PRIMARY KEY,
    source      TEXT        NOT NULL,
    checksum    TEXT        NOT NULL,
    content     TEXT        NOT NULL,
    loaded_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX rules_version_checksum_idx ON rules_version (checksum);

-- What the rules stage of the latest run decided: the account-territory pairs the rules want,
-- and which rule put each there (null: a named-account override).
CREATE UNLOGGED TABLE desired_assignment (
    run_id          BIGINT  NOT NULL,
    account_id      TEXT    NOT NULL,
    territory_id    TEXT    NOT NULL,
    rule            TEXT,
    PRIMARY KEY (account_id, territory_id)
);
CREATE INDEX desired_assignment_territory_idx ON desired_assignment (territory_id);
