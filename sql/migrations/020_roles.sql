-- 020_roles: the two roles of the users of docs/contract.md, and what each may do.
--
--   budget_loader  the pipeline: writes core and etl, reads mart, runs
--                  etl.refresh_marts(); cannot create roles or databases.
--   budget_reader  BI tools: USAGE on mart and SELECT on its views, nothing
--                  in core or etl, CREATE in no schema.
--
-- Both are created with LOGIN and no password: on the embedded cluster they
-- connect over the Unix socket; on an external database the administrator
-- sets a password (ALTER ROLE ... PASSWORD) or another authentication method,
-- which re-running this file never touches.  Roles are cluster-wide, so the
-- file is idempotent: a role that exists is kept, and only made to hold the
-- attributes below.
--
-- Run by the migration owner (the role that owns the schemas and mart
-- views); the default privileges below apply to objects that role creates
-- later.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_loader') THEN
        CREATE ROLE budget_loader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_loader'
                  AND (rolsuper OR rolcreaterole OR rolcreatedb OR NOT rolcanlogin)) THEN
        ALTER ROLE budget_loader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;

    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_reader') THEN
        CREATE ROLE budget_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_reader'
                  AND (rolsuper OR rolcreaterole OR rolcreatedb OR NOT rolcanlogin)) THEN
        ALTER ROLE budget_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END $$;

-- Nobody but the owner creates objects in public (PostgreSQL 15's default,
-- made explicit for databases created from an older template).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- budget_loader ---------------------------------------------------------------

GRANT USAGE ON SCHEMA core, etl, mart TO budget_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA core TO budget_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA etl TO budget_loader;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA core TO budget_loader;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA etl TO budget_loader;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO budget_loader;

ALTER DEFAULT PRIVILEGES IN SCHEMA core
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO budget_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA etl
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO budget_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA core
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO budget_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA etl
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO budget_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart
    GRANT SELECT ON TABLES TO budget_loader;

-- budget_reader ---------------------------------------------------------------

REVOKE ALL ON SCHEMA core, etl FROM budget_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA core FROM budget_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA etl FROM budget_reader;
REVOKE CREATE ON SCHEMA mart FROM budget_reader;
GRANT USAGE ON SCHEMA mart TO budget_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO budget_reader;

ALTER DEFAULT PRIVILEGES IN SCHEMA mart
    GRANT SELECT ON TABLES TO budget_reader;
