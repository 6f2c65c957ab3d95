-- 010_mart: indexes for the mart views' filters.
--
-- Until the migration checksums (docs/internals.md, "SQL"), this file also
-- held every view and function of mart; they now live in sql/views/, which
-- is re-applied whenever it changes.  A database migrated before keeps its
-- 010_mart row and gets the views from sql/views/ on its next migrate.

-- Indexes for BI filters on the facts --------------------------------------

-- The primary key serves (fiscal_year, dept_code); these serve a code across
-- departments and the views' table_kind/row_role filters.
CREATE INDEX fact_amount_code ON core.fact_amount (table_kind, row_role, code, dept_code);
CREATE INDEX dim_department_region ON core.dim_department (region_code);
