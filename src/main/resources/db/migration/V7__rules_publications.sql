-- Rules published from the console or the admin API. A published version is a rules_version row
-- with who published it; rules_publication is the log of what was put in force, newest last.
-- Every replica runs the version of the newest publication; with no publication (or after a
-- "follow the configured source" publication, version_id NULL) the configured file or the
-- org's own rules are in force, as before.
ALTER TABLE rules_version ADD COLUMN created_by TEXT;
ALTER TABLE rules_version ADD COLUMN note TEXT;

CREATE TABLE rules_publication (
    id            BIGSERIAL   PRIMARY KEY,
    version_id    BIGINT      REFERENCES rules_version (id),
    action        TEXT        NOT NULL,
    published_by  TEXT        NOT NULL,
    published_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    note          TEXT,
    CONSTRAINT rules_publication_action_check
        CHECK (action IN ('publish', 'rollback', 'follow-source'))
);
