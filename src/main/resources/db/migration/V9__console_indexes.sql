-- Indexes for the console's pages, which must answer within 300 ms on a mirror of a million
-- accounts (docs/benchmarks.md).

-- Account search by name: "starts with" through this index everywhere...
CREATE INDEX sf_account_name_prefix_idx ON sf_account (lower(name) text_pattern_ops);
-- ...and "contains" through a trigram index where PostgreSQL has pg_trgm (the embedded server
-- does; a managed server may not allow it, and then search stays "starts with").
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE INDEX sf_account_name_trgm_idx ON sf_account USING gin (lower(name) gin_trgm_ops);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm not installed (no privilege): account search matches name starts only';
        END;
    END IF;
END
$$;

-- A run's changes page by page in id order without reading other runs' rows (a rare outcome is
-- found through plan_change_run_idx instead).
CREATE INDEX plan_change_run_id_idx ON plan_change (run_id, id);
