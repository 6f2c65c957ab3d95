-- distribute.sql: spread the star schema over a Citus 12.1 cluster.
--
-- Not a migration (the runner applies sql/0*.sql only).  Run it once, as a
-- superuser on the coordinator, after `./run.sh migrate` and before the first
-- load:
--
--     psql -v ON_ERROR_STOP=1 -1 -d budget -f sql/citus/distribute.sql
--
-- See README.md beside this file for when it is worth it.
--
--   distributed by dept_code, co-located: core.fact_amount (with every
--       partition), core.project, core.project_indicator.  Their primary keys
--       all include dept_code, so they hold on every shard; a submission
--       (department, year) lives on one shard group, and a reload replaces
--       it on one node.
--   reference (a copy on every node): the dimensions and crosswalks, which
--       the mart views join to the facts.
--   local (coordinator only): everything in etl.  The audit trail is small,
--       written once per file, and has foreign keys between its own tables
--       (etl.files -> etl.runs ...), which Citus allows only among local or
--       reference tables.  No foreign key leads from a distributed table to a
--       local one: the facts carry file_id without a constraint.
--   mart: the views stay views (Citus propagates them); the materialized
--       views are local tables on the coordinator, refreshed by
--       etl.refresh_marts() as before.

CREATE EXTENSION IF NOT EXISTS citus;

-- Dimensions and crosswalks --------------------------------------------------

SELECT create_reference_table('core.dim_fiscal_year');
SELECT create_reference_table('core.dim_region');
SELECT create_reference_table('core.dim_department');
SELECT create_reference_table('core.dim_function');
SELECT create_reference_table('core.dim_economic');
SELECT create_reference_table('core.econ_crosswalk');
SELECT create_reference_table('core.code_change');
SELECT create_reference_table('core.dim_fund_source');
SELECT create_reference_table('core.dim_measure');

-- Facts and projects ---------------------------------------------------------

-- The partitions by fiscal_year (001_core.sql) are distributed with their
-- parent; a partition added later with CREATE TABLE ... PARTITION OF is
-- distributed automatically.
SELECT create_distributed_table('core.fact_amount', 'dept_code');
SELECT create_distributed_table('core.project', 'dept_code', colocate_with => 'core.fact_amount');
SELECT create_distributed_table('core.project_indicator', 'dept_code', colocate_with => 'core.fact_amount');

-- etl.* stays local: nothing to do.

-- What landed where.
SELECT table_name, citus_table_type, distribution_column, colocation_id, shard_count
FROM citus_tables
ORDER BY citus_table_type, table_name::text;
