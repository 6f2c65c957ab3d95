-- distribute.sql: spread the star schema over a Citus 12.1 cluster
-- (PostgreSQL 15).  Verified on Citus 12.1.12 with a coordinator and two
-- workers: docs/citus-verification.md.
--
-- Not a migration (the runner applies sql/0*.sql only).  Run it as a
-- superuser on the coordinator, after the migrations and before the first
-- load, in one transaction; the coordinator must be in Citus's node list
-- (citus_set_coordinator_host), see README.md beside this file:
--
--     build/load --migrate --dsn 'host=coordinator dbname=budget user=postgres'
--     psql -v ON_ERROR_STOP=1 -1 'host=coordinator dbname=budget user=postgres' \
--          -f sql/citus/distribute.sql
--
-- Running it again changes nothing.  The shard count of the facts is
-- citus.shard_count (default 32), e.g. PGOPTIONS='-c citus.shard_count=8'.
--
--   distributed by dept_code, co-located: core.fact_amount (with every
--       partition), core.project, core.project_indicator.  Their primary keys
--       all include dept_code, so they hold on every shard; a submission
--       (department, year) lives on one shard group, and a reload replaces
--       it on one node.
--   reference (a copy on every node): the dimensions and crosswalks, which
--       the mart views join to the facts -- all but core.dim_department.
--   Citus local table (on the coordinator, known to Citus):
--       core.dim_department.  The loader's reference sync updates it with a
--       NOT EXISTS subquery on a temporary table, which Citus refuses on a
--       reference table ("relation sync_dept is not distributed").  Left a
--       plain table, some queries on the mart views fail instead (a UNION ALL
--       of two function views: "relation dim_department is not distributed").
--       As a Citus local table both work; Citus sends its rows along with the
--       queries that join it to the facts.  Citus makes it one by dropping
--       and recreating every view and materialized view that depends on it,
--       which loses their comments, grants and the materialized views'
--       indexes: the block below puts them back.
--   local (coordinator only): everything in etl, etl.refresh_years
--       included.  Small, written once per file or run.  Its rules stay
--       among local tables: the foreign key etl.withdrawals -> etl.runs, and
--       the per-statement triggers of migration 060 (etl.files, etl.rejects,
--       etl.checks must name a run of etl.runs; a run with audit rows cannot
--       be deleted), which Citus leaves alone on tables it does not manage.
--       No foreign key leads from a distributed table to a local one: the
--       facts carry file_id without a constraint.  Views join
--       etl.loaded_tables and etl.checks to the facts; Citus reads them here
--       and ships them with the query.
--   local (coordinator only): core.function_rollup_store and
--       core.execution_rollup_store, the aggregates behind the materialized
--       views.  They have no dept_code (they sum across departments), so they
--       cannot be co-located with the facts; they are written by
--       etl.refresh_marts() on the coordinator (the distributed query's
--       result comes back here anyway) and read only by the local
--       materialized views, so a reference copy on every worker would cost a
--       two-phase commit per refresh for no reader.  Re-applying the views
--       recreates them as plain tables, which is what they are meant to be.
--   mart: the views stay views, answered through the coordinator; the
--       materialized views are local tables on the coordinator, refreshed by
--       etl.refresh_marts() as before (by year too: it recomputes the stores'
--       rows of the years given through core.*_rollup_rows(), PL/pgSQL
--       functions because Citus cannot plan SQL functions over distributed
--       tables called in FROM).
--   core.current_code(): called per row by the function views, which Citus
--       runs on the workers; it reads core.code_change, a reference table
--       with a full copy on every node.  Citus refuses such a nested query
--       unless citus.allow_nested_distributed_execution is on, so it is set
--       for this function only (sql/views/010_helpers.sql sets it too, for
--       when the views are re-applied).  Keep it reading reference tables
--       only.

CREATE EXTENSION IF NOT EXISTS citus;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE groupid = 0) THEN
        RAISE EXCEPTION 'the coordinator is not in Citus''s node list'
            USING HINT = 'run SELECT citus_set_coordinator_host(''<host workers reach it by>'', <port>); first';
    END IF;
END $$;

-- core.current_code() reads the reference table core.code_change from
-- inside queries Citus runs on the workers (see above).  It comes first:
-- Citus propagates the change to the workers only before any parallel
-- operation in the transaction.
ALTER FUNCTION core.current_code(text, smallint, text)
    SET citus.allow_nested_distributed_execution = on;

-- Dimensions and crosswalks (reference tables) --------------------------------

SELECT t AS reference_table, create_reference_table(t)
FROM unnest(ARRAY['core.dim_fiscal_year', 'core.dim_region', 'core.dim_function',
                  'core.dim_economic', 'core.econ_crosswalk', 'core.code_change',
                  'core.dim_fund_source', 'core.dim_measure']::regclass[]) AS t
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = t);

-- core.dim_department (Citus local table) -------------------------------------

-- citus_add_local_table_to_metadata drops and recreates the views and
-- materialized views that depend on the table, with their definitions and
-- owners only: comments, indexes and grants are lost (the recreated objects
-- get what ALTER DEFAULT PRIVILEGES gives).  Save them and put them back.
DO $$
DECLARE
    o record;
    cmd text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_dist_partition
               WHERE logicalrelid = 'core.dim_department'::regclass) THEN
        RETURN;
    END IF;

    -- the views and materialized views that depend on it, directly or not
    CREATE TEMP TABLE citus_dependent_views ON COMMIT DROP AS
    WITH RECURSIVE dep (oid) AS (
        SELECT r.ev_class
        FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = 'core.dim_department'::regclass
        UNION
        SELECT r.ev_class
        FROM dep JOIN pg_depend d ON d.refobjid = dep.oid
        JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND r.ev_class <> dep.oid
    )
    SELECT c.oid, c.relkind, c.relowner, c.relacl,
           format('%I.%I', n.nspname, c.relname) AS name
    FROM dep JOIN pg_class c ON c.oid = dep.oid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm');

    CREATE TEMP TABLE citus_restore ON COMMIT DROP AS
    SELECT 1 AS ord, pg_get_indexdef(i.indexrelid) AS cmd
    FROM citus_dependent_views v JOIN pg_index i ON i.indrelid = v.oid
    UNION ALL
    SELECT 2, format('COMMENT ON %s %s IS %L',
                     CASE v.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
                     v.name, d.description)
    FROM citus_dependent_views v JOIN pg_description d
      ON d.classoid = 'pg_class'::regclass AND d.objoid = v.oid AND d.objsubid = 0
    UNION ALL
    SELECT 3, format('COMMENT ON COLUMN %s.%I IS %L', v.name, a.attname, d.description)
    FROM citus_dependent_views v JOIN pg_description d
      ON d.classoid = 'pg_class'::regclass AND d.objoid = v.oid AND d.objsubid > 0
    JOIN pg_attribute a ON a.attrelid = v.oid AND a.attnum = d.objsubid
    UNION ALL
    SELECT 4, format('GRANT %s ON %s TO %s', x.privilege_type, v.name,
                     CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                          ELSE quote_ident(pg_get_userbyid(x.grantee)) END)
    FROM citus_dependent_views v, aclexplode(v.relacl) x
    WHERE x.grantee <> v.relowner;

    PERFORM citus_add_local_table_to_metadata('core.dim_department');

    -- the grants of the recreated objects: exactly the saved ones
    FOR o IN SELECT v.name FROM citus_dependent_views v LOOP
        EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', o.name);
        FOR cmd IN
            SELECT DISTINCT format('REVOKE ALL ON %s FROM %I', o.name, pg_get_userbyid(x.grantee))
            FROM pg_class c, aclexplode(c.relacl) x
            WHERE c.oid = o.name::regclass AND x.grantee NOT IN (0, c.relowner)
        LOOP
            EXECUTE cmd;
        END LOOP;
    END LOOP;
    FOR cmd IN SELECT r.cmd FROM citus_restore r ORDER BY r.ord, r.cmd LOOP
        EXECUTE cmd;
    END LOOP;
END $$;

-- Facts and projects (distributed by dept_code, co-located) -------------------

-- The partitions by fiscal_year (001_core.sql) are distributed with their
-- parent; a partition added later with CREATE TABLE ... PARTITION OF is
-- distributed automatically.
SELECT t AS distributed_table,
       create_distributed_table(t, 'dept_code',
                                colocate_with => CASE WHEN t = 'core.fact_amount'::regclass
                                                      THEN 'default' ELSE 'core.fact_amount' END)
FROM unnest(ARRAY['core.fact_amount', 'core.project',
                  'core.project_indicator']::regclass[]) WITH ORDINALITY AS u(t, n)
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = t)
ORDER BY n;

-- Distributing a table that holds rows copies them to the shards and leaves
-- the originals, invisible, in the coordinator's table (002_reference.sql's
-- fund sources and measures; the facts when distributed after a load).
SELECT truncate_local_data_after_distributing_table(t)
FROM unnest(ARRAY['core.dim_fiscal_year', 'core.dim_region', 'core.dim_function',
                  'core.dim_economic', 'core.econ_crosswalk', 'core.code_change',
                  'core.dim_fund_source', 'core.dim_measure', 'core.fact_amount',
                  'core.project', 'core.project_indicator']::regclass[]) AS t;

-- etl.* and core.*_store stay local: nothing to do.

-- What landed where (the yearly partitions of core.fact_amount left out).
SELECT p.logicalrelid AS table_name,
       CASE WHEN p.partmethod = 'h' THEN 'distributed'
            WHEN p.repmodel = 't' THEN 'reference'
            ELSE 'citus local' END AS citus_table_type,
       column_to_column_name(p.logicalrelid, p.partkey) AS distribution_column,
       p.colocationid,
       (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) AS shards
FROM pg_dist_partition p
WHERE p.logicalrelid::text NOT LIKE 'core.fact\_amount\_%'
ORDER BY 2, p.logicalrelid::text;
