-- reader_grants.sql: OPTIONAL, for Citus only.  Lets budget_reader query the
-- mart views on a Citus cluster, at the price of the single-server rule
-- "budget_reader reads mart only" (sql/020_roles.sql).
--
-- On one PostgreSQL server a view runs with its owner's rights, so
-- budget_reader needs SELECT on the mart views alone.  Citus 12.1 runs the
-- queries it sends to the shards, and the subqueries it plans on the
-- coordinator for local tables, with the rights of the user who asked: the
-- mart views fail for budget_reader with "permission denied for schema core"
-- (citusdata/citus issues #1683 and #6161, open).  The materialized views
-- (mart.function_rollup, mart.function_yoy, mart.execution_rollup) are plain
-- local tables and work either way.
--
-- Run it (as a superuser on the coordinator, after distribute.sql) only if
-- BI tools may also read the underlying tables directly: every fact and
-- project row of every stage, the dimensions, etl.checks (the check
-- results, with messages), etl.loaded_tables (which tables of which
-- submission and stage are loaded, with their file hashes: the views of
-- sql/views/040_final.sql and core.counted_tables read it), and for
-- mart.rejects (sql/views/050_report.sql) etl.rejects (the rejected values
-- and messages), etl.files (every file path, hash and status) and
-- etl.withdrawals.  mart.failed_checks and mart.rejects read etl only, but
-- join core.department_region, whose core.dim_department is a Citus local
-- table, so Citus plans them too.  mart.run_summary reads etl only and works
-- without this.  Writing stays refused.  Undo with REVOKE ... of the same
-- lists.

GRANT USAGE ON SCHEMA core, etl TO budget_reader;
GRANT SELECT ON core.fact_amount, core.project, core.project_indicator,
                core.dim_department, core.dim_region, core.dim_function,
                core.dim_economic, core.econ_crosswalk, core.dim_fund_source,
                etl.checks, etl.loaded_tables, etl.rejects, etl.files, etl.withdrawals
    TO budget_reader;
