-- The PostgreSQL mirror of the org. Typed columns for the fields the pipeline uses; every other
-- synced field (custom fields named by the rules, for example) lives in "extra" so a new field
-- needs no migration. No foreign keys: the org is the source of truth and objects sync apart.

CREATE TABLE sf_user (
    id                  TEXT PRIMARY KEY,
    name                TEXT,
    username            TEXT,
    email               TEXT,
    is_active           BOOLEAN,
    extra               JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp     TIMESTAMPTZ NOT NULL,
    synced_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sf_user_username_idx ON sf_user (lower(username));
CREATE INDEX sf_user_email_idx ON sf_user (lower(email));

CREATE TABLE sf_account (
    id                        TEXT PRIMARY KEY,
    name                      TEXT,
    type                      TEXT,
    parent_id                 TEXT,
    billing_street            TEXT,
    billing_city              TEXT,
    billing_state             TEXT,
    billing_postal_code       TEXT,
    billing_country           TEXT,
    billing_latitude          DOUBLE PRECISION,
    billing_longitude         DOUBLE PRECISION,
    industry                  TEXT,
    annual_revenue            NUMERIC,
    number_of_employees       INTEGER,
    owner_id                  TEXT,
    is_excluded_from_realign  BOOLEAN,
    extra                     JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp           TIMESTAMPTZ NOT NULL,
    synced_at                 TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sf_opportunity (
    id                                  TEXT PRIMARY KEY,
    name                                TEXT,
    account_id                          TEXT,
    owner_id                            TEXT,
    amount                              NUMERIC,
    probability                         NUMERIC,
    stage_name                          TEXT,
    is_closed                           BOOLEAN,
    is_won                              BOOLEAN,
    close_date                          DATE,
    type                                TEXT,
    territory2_id                       TEXT,
    is_excluded_from_territory2_filter  BOOLEAN,
    extra                               JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp                     TIMESTAMPTZ NOT NULL,
    synced_at                           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sf_opportunity_account_idx ON sf_opportunity (account_id);

CREATE TABLE sf_territory2_model (
    id                      TEXT PRIMARY KEY,
    developer_name          TEXT,
    name                    TEXT,
    state                   TEXT,
    extra                   JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp         TIMESTAMPTZ NOT NULL,
    synced_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sf_territory2_type (
    id                TEXT PRIMARY KEY,
    developer_name    TEXT,
    master_label      TEXT,
    priority          INTEGER,
    extra             JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp   TIMESTAMPTZ NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sf_territory2 (
    id                        TEXT PRIMARY KEY,
    developer_name            TEXT,
    name                      TEXT,
    territory2_model_id       TEXT,
    territory2_type_id        TEXT,
    parent_territory2_id      TEXT,
    extra                     JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp           TIMESTAMPTZ NOT NULL,
    synced_at                 TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sf_territory2_model_idx ON sf_territory2 (territory2_model_id);

CREATE TABLE sf_object_territory2_association (
    id                  TEXT PRIMARY KEY,
    object_id           TEXT,
    territory2_id       TEXT,
    association_cause   TEXT,
    extra               JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp     TIMESTAMPTZ NOT NULL,
    synced_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sf_ot2a_object_idx ON sf_object_territory2_association (object_id);
CREATE INDEX sf_ot2a_territory_idx ON sf_object_territory2_association (territory2_id);

CREATE TABLE sf_user_territory2_association (
    id                  TEXT PRIMARY KEY,
    user_id             TEXT,
    territory2_id       TEXT,
    role_in_territory2  TEXT,
    is_active           BOOLEAN,
    extra               JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp     TIMESTAMPTZ NOT NULL,
    synced_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sf_ut2a_territory_idx ON sf_user_territory2_association (territory2_id);

CREATE TABLE sf_object_territory2_assignment_rule (
    id                  TEXT PRIMARY KEY,
    developer_name      TEXT,
    master_label        TEXT,
    is_active           BOOLEAN,
    object_type         TEXT,
    territory2_model_id TEXT,
    boolean_filter      TEXT,
    extra               JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp     TIMESTAMPTZ NOT NULL,
    synced_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sf_object_territory2_assignment_rule_item (
    id                TEXT PRIMARY KEY,
    rule_id           TEXT,
    sort_order        INTEGER,
    field             TEXT,
    operation         TEXT,
    value             TEXT,
    extra             JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp   TIMESTAMPTZ NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sf_rule_territory2_association (
    id                TEXT PRIMARY KEY,
    rule_id           TEXT,
    territory2_id     TEXT,
    is_inherited      BOOLEAN,
    extra             JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp   TIMESTAMPTZ NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sf_territory2_object_exclusion (
    id                TEXT PRIMARY KEY,
    object_id         TEXT,
    territory2_id     TEXT,
    extra             JSONB       NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp   TIMESTAMPTZ NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Where each object's incremental sync resumes, and which fields its mirror rows hold.
CREATE TABLE sync_watermark (
    object              TEXT PRIMARY KEY,
    watermark           TIMESTAMPTZ,
    last_sync_at        TIMESTAMPTZ,
    last_full_sync_at   TIMESTAMPTZ,
    fields              TEXT[]      NOT NULL DEFAULT '{}'
);

-- Ids seen by a full sync in progress; what is absent at the end is gone from the org.
CREATE UNLOGGED TABLE sync_seen (
    object  TEXT NOT NULL,
    id      TEXT NOT NULL
);
CREATE INDEX sync_seen_idx ON sync_seen (object, id);

-- Field descriptions from the org (describe), refreshed at most daily.
CREATE TABLE sf_field (
    object          TEXT NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    label           TEXT,
    reference_to    TEXT[],
    picklist_values TEXT[],
    described_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (object, name)
);
