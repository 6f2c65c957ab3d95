-- views/030_rollups: the materialized cross-department aggregates and the
-- function that refreshes them.
--
-- Refreshing a materialized view recomputes it whole, and on a large
-- database the aggregation over every fact is the cost of a nightly run.
-- So the aggregation is kept in a table per view (core.*_store), recomputed
-- only for the fiscal years a run changed (etl.refresh_years, written by
-- the loader in the transaction that changed them); the materialized views
-- read those tables, and their REFRESH ... CONCURRENTLY is then proportional
-- to the rollups, not to the facts.
--
-- Repeatable: re-applied, with every file of sql/views/ in name order and in
-- one transaction, whenever any of them changes (docs/internals.md, "SQL");
-- so it first drops what it creates.  Objects of your own that depend on
-- these views are dropped with them: keep them in a schema of your own and
-- recreate them after a migrate that changed sql/views/.

DROP FUNCTION IF EXISTS etl.refresh_marts() CASCADE;
DROP FUNCTION IF EXISTS etl.refresh_marts(smallint[]) CASCADE;
DROP MATERIALIZED VIEW IF EXISTS mart.function_yoy CASCADE;
DROP MATERIALIZED VIEW IF EXISTS mart.function_rollup CASCADE;
DROP FUNCTION IF EXISTS core.function_rollup_rows(smallint[]) CASCADE;
DROP TABLE IF EXISTS core.function_rollup_store CASCADE;

-- Cross-department aggregates (materialized) --------------------------------

-- mart.expenditure_by_function summed over departments at 类, 款 and 项 level.
-- Sums across departments are numeric(38,2): each amount, and each table's
-- column sum, is below 10^16 yuan (checked where read), but their sum over
-- many departments need not be, and a refresh must never overflow.
-- departments: departments whose amounts at this code are not all zero.
-- A unit's table 3 is left out when its parent department's is loaded
-- (core.counted_tables): nothing is counted twice.
-- next_year_code: the code these amounts compare with in fiscal_year + 1
-- (core.code_change 'function' renamed/moved/merged to exactly one code the
-- next year; else the code itself); mart.function_yoy uses it.
-- The rows of mart.function_rollup for the years p_years (NULL: every year),
-- computed from the facts; etl.refresh_marts() keeps them in
-- core.function_rollup_store, year by year, for the years a run changed.
CREATE TABLE core.function_rollup_store (
    fiscal_year    smallint NOT NULL,
    region         text,
    level          text NOT NULL,
    level_no       smallint NOT NULL,
    code           text NOT NULL,
    name           text,
    class_code     text,
    cofog_division text,
    departments    integer NOT NULL,
    basic_amount   numeric(38,2) NOT NULL,
    project_amount numeric(38,2) NOT NULL,
    total_amount   numeric(38,2) NOT NULL,
    next_year_code text,
    stage          text NOT NULL
);
CREATE INDEX function_rollup_store_year ON core.function_rollup_store (fiscal_year);

COMMENT ON TABLE core.function_rollup_store IS
    '功能分类跨部门汇总的存量（按年度增量刷新） / the rows of mart.function_rollup, refreshed by year (etl.refresh_marts)';

-- PL/pgSQL rather than SQL for Citus (sql/citus/README.md): Citus cannot plan
-- a SQL function over distributed tables called in FROM ("parameterized
-- queries for SQL functions referencing distributed tables are not
-- supported"); the same query, planned here with the years given.
CREATE FUNCTION core.function_rollup_rows(p_years smallint[])
RETURNS SETOF core.function_rollup_store
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
RETURN QUERY
WITH e AS (
    -- the columns used, not f.*: a materialised CTE would compute every
    -- column of the view, current_item_code's function call per row included
    SELECT f.fiscal_year, f.region, f.dept_code, f.class_code, f.class_name,
           f.section_code, f.section_name, f.item_code, f.item_name,
           f.basic_amount, f.project_amount, f.total_amount
    FROM mart.expenditure_by_function f
    LEFT JOIN core.counted_tables ct
           ON ct.fiscal_year = f.fiscal_year AND ct.dept_code = f.dept_code
          AND ct.stage = f.stage AND ct.table_kind = 3
    WHERE coalesce(ct.counted, true)
      AND (p_years IS NULL OR f.fiscal_year = ANY (p_years))
), lv AS (
    SELECT fiscal_year, region, dept_code, 1 AS level_no, class_code AS code, class_name AS name,
           basic_amount, project_amount, total_amount
    FROM e
    UNION ALL
    SELECT fiscal_year, region, dept_code, 2, section_code, section_name,
           basic_amount, project_amount, total_amount
    FROM e
    UNION ALL
    SELECT fiscal_year, region, dept_code, 3, item_code, item_name,
           basic_amount, project_amount, total_amount
    FROM e
), per_dept AS (
    SELECT fiscal_year, region, level_no, code, dept_code, min(name) AS name,
           sum(basic_amount) AS basic_amount, sum(project_amount) AS project_amount,
           sum(total_amount) AS total_amount
    FROM lv
    GROUP BY fiscal_year, region, level_no, code, dept_code
), agg AS (
    SELECT fiscal_year, region, level_no, code, min(name) AS name,
           count(*) FILTER (WHERE basic_amount <> 0 OR project_amount <> 0
                            OR total_amount <> 0) AS departments,
           sum(basic_amount) AS basic_amount, sum(project_amount) AS project_amount,
           sum(total_amount) AS total_amount
    FROM per_dept
    GROUP BY fiscal_year, region, level_no, code
), moves AS (
    SELECT from_year, from_code, min(to_code) AS to_code
    FROM core.code_change
    WHERE scheme = 'function' AND to_year = from_year + 1
      AND change IN ('renamed', 'moved', 'merged')
    GROUP BY from_year, from_code
    HAVING count(DISTINCT to_code) = 1
)
SELECT a.fiscal_year,
       a.region,
       (ARRAY['类', '款', '项'])[a.level_no]        AS level,
       a.level_no::smallint                          AS level_no,
       a.code,
       coalesce(f.name, a.name)                      AS name,
       left(a.code, 3)                               AS class_code,
       coalesce(f.cofog_division, c.cofog_division)  AS cofog_division,
       a.departments::integer                        AS departments,
       a.basic_amount::numeric(38,2)                 AS basic_amount,
       a.project_amount::numeric(38,2)               AS project_amount,
       a.total_amount::numeric(38,2)                 AS total_amount,
       coalesce(m.to_code, a.code)                   AS next_year_code,
       'budget'::text                                AS stage
FROM agg a
LEFT JOIN core.dim_function f ON f.fiscal_year = a.fiscal_year AND f.code = a.code
LEFT JOIN core.dim_function c ON c.fiscal_year = a.fiscal_year AND c.code = left(a.code, 3)
LEFT JOIN moves m ON m.from_year = a.fiscal_year AND m.from_code = a.code
WHERE a.basic_amount <> 0 OR a.project_amount <> 0 OR a.total_amount <> 0;
END
$fn$;

COMMENT ON FUNCTION core.function_rollup_rows(smallint[]) IS
    '功能分类跨部门汇总，按年度计算（NULL：全部年度） / function_rollup computed from the facts for the given years (NULL: all)';

INSERT INTO core.function_rollup_store SELECT * FROM core.function_rollup_rows(NULL);

CREATE MATERIALIZED VIEW mart.function_rollup AS
SELECT * FROM core.function_rollup_store;

CREATE UNIQUE INDEX function_rollup_key ON mart.function_rollup (fiscal_year, region, level, code);
CREATE INDEX function_rollup_region ON mart.function_rollup (region, level, fiscal_year);
CREATE INDEX function_rollup_code ON mart.function_rollup (code, fiscal_year);

COMMENT ON MATERIALIZED VIEW mart.function_rollup IS
    '功能分类支出跨部门汇总（表3，类/款/项三级） / cross-department aggregation of expenditure_by_function at 类, 款 and 项 level, per year and region (materialized: etl.refresh_marts())';

-- Year-on-year change per region and code, from mart.function_rollup only.
-- prior_amount is null when the region has no data for the previous year;
-- 0 when it has, but not for this code.  A code renamed, moved or merged in
-- core.code_change is compared with its predecessors; a split code is not
-- (its old code shows the prior amount against 0).
CREATE MATERIALIZED VIEW mart.function_yoy AS
WITH cur AS (
    SELECT fiscal_year, region, level, level_no, code, name, total_amount
    FROM mart.function_rollup
), prev AS (
    SELECT fiscal_year + 1 AS fiscal_year, region, level, level_no, next_year_code AS code,
           min(name) AS name, sum(total_amount) AS total_amount
    FROM mart.function_rollup
    GROUP BY fiscal_year + 1, region, level, level_no, next_year_code
), years AS (
    SELECT DISTINCT fiscal_year, region FROM mart.function_rollup
), j AS (
    SELECT coalesce(c.fiscal_year, p.fiscal_year) AS fiscal_year,
           coalesce(c.region, p.region)           AS region,
           coalesce(c.level, p.level)             AS level,
           coalesce(c.level_no, p.level_no)       AS level_no,
           coalesce(c.code, p.code)               AS code,
           coalesce(c.name, p.name)               AS name,
           coalesce(c.total_amount, 0)            AS total_amount,
           coalesce(p.total_amount, 0)            AS prior_total
    FROM cur c
    FULL JOIN prev p
      ON p.fiscal_year = c.fiscal_year AND p.region = c.region
     AND p.level = c.level AND p.code = c.code
), k AS (
    SELECT j.*,
           CASE WHEN py.fiscal_year IS NOT NULL THEN j.prior_total END AS prior_amount
    FROM j
    JOIN years y ON y.fiscal_year = j.fiscal_year AND y.region = j.region
    LEFT JOIN years py ON py.fiscal_year = j.fiscal_year - 1 AND py.region = j.region
)
SELECT fiscal_year,
       region,
       level,
       level_no::smallint                                  AS level_no,
       code,
       name,
       total_amount::numeric(38,2)                         AS total_amount,
       prior_amount::numeric(38,2)                         AS prior_amount,
       (total_amount - prior_amount)::numeric(38,2)        AS change_amount,
       round((total_amount - prior_amount) * 100 / nullif(prior_amount, 0), 2) AS change_pct,
       'budget'::text                                      AS stage
FROM k
WHERE total_amount <> 0 OR prior_total <> 0;

CREATE UNIQUE INDEX function_yoy_key ON mart.function_yoy (fiscal_year, region, level, code);
CREATE INDEX function_yoy_region ON mart.function_yoy (region, level, fiscal_year);
CREATE INDEX function_yoy_code ON mart.function_yoy (code, fiscal_year);

COMMENT ON MATERIALIZED VIEW mart.function_yoy IS
    '功能分类支出同比（按地区、类/款/项） / year-on-year change of expenditure by function per region and 类/款/项 code (materialized: etl.refresh_marts())';

-- Refresh -------------------------------------------------------------------

-- Recomputes the stores for the years p_years (NULL: every year; the year
-- after each is no concern of a store, only of function_yoy, which reads
-- mart.function_rollup whole), then refreshes every materialized view of
-- mart, function_rollup before function_yoy (which reads it), others after
-- in name order: CONCURRENTLY when the view is populated and has a usable
-- unique index (readers are not blocked), plainly otherwise.  SECURITY
-- DEFINER: runs as the migration owner, who owns the views; budget_loader
-- gets EXECUTE in views/090_contract.sql.
CREATE FUNCTION etl.refresh_marts(p_years smallint[] DEFAULT NULL) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v record;
BEGIN
    FOR v IN
        SELECT c.relname AS store, replace(c.relname, '_store', '_rows') AS rows_fn
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'core' AND c.relkind = 'r' AND c.relname LIKE '%\_store'
        ORDER BY c.relname
    LOOP
        IF p_years IS NULL THEN
            EXECUTE format('DELETE FROM core.%I', v.store);
        ELSE
            EXECUTE format('DELETE FROM core.%I WHERE fiscal_year = ANY ($1)', v.store) USING p_years;
        END IF;
        EXECUTE format('INSERT INTO core.%I SELECT * FROM core.%I($1)', v.store, v.rows_fn)
            USING p_years;
    END LOOP;
    FOR v IN
        SELECT c.oid, n.nspname, c.relname, c.relispopulated,
               EXISTS (SELECT 1 FROM pg_index i
                       WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid
                         AND i.indpred IS NULL AND i.indexprs IS NULL) AS has_key
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'mart' AND c.relkind = 'm'
        ORDER BY array_position(ARRAY['function_rollup', 'function_yoy']::name[], c.relname) NULLS LAST,
                 c.relname
    LOOP
        IF v.relispopulated AND v.has_key THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I.%I', v.nspname, v.relname);
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW %I.%I', v.nspname, v.relname);
        END IF;
    END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION etl.refresh_marts(smallint[]) FROM PUBLIC;

COMMENT ON FUNCTION etl.refresh_marts(smallint[]) IS
    '刷新 mart 的物化视图，汇总只重算给定年度（NULL：全部） / refresh the materialized views of mart, recomputing the aggregates of the given years only (NULL: all)';
