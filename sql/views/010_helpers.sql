-- views/010_helpers: the views BI tools read, and their helpers in core
-- (docs/contract.md, "What lands in PostgreSQL").
--
-- Layers:
--   core.department_region   department with its region (district) and unit type
--   core.function_amounts    the function tables (3, 5, 8, 10) pivoted: one row
--                            per (year, stage, table, department, row role, code)
--                            with one column per measure
--   core.function_labels     labels printed on 类/款 subtotal rows, the fallback
--                            for names missing from core.dim_function
--   core.function_expenditure  leaf rows with names and region, all four tables
--   core.counted_tables      every loaded table, and whether cross-department
--                            sums count it (a unit's table is not counted when
--                            its parent department has the same table loaded)
--   mart.*                   what BI reads: stage 'budget' only, no all-zero rows
--                            (three_public_expenses keeps one row per table 7)
--
-- Conventions every mart view follows:
--   * amounts are yuan, numeric(18,2); an amount the file left empty is 0
--     (admin_operating: null when the table has no 机关运行经费 column);
--   * region is core.dim_region.district of the department;
--   * names come from the classification of the fact's own fiscal_year,
--     falling back to the label printed in the file;
--   * a function row's total_amount is its 合计 column when present, else
--     basic + project + upper_remit + business_op + subsidiary.
--
-- The helper views live in core, so budget_reader (who may read mart only)
-- does not see them; mart views run with their owner's rights.
--
-- Citus: views join distributed facts with reference dims on dept_code and
-- fiscal_year only, never through correlated subqueries; the materialized
-- views are local tables on the coordinator, and mart.function_yoy reads only
-- mart.function_rollup (see sql/citus/README.md).
--
-- Repeatable: re-applied, with every file of sql/views/ in name order and in
-- one transaction, whenever any of them changes (docs/internals.md, "SQL");
-- so it first drops what it creates.  Objects of your own that depend on
-- these views are dropped with them: keep them in a schema of your own and
-- recreate them after a migrate that changed sql/views/.

DROP VIEW IF EXISTS core.counted_tables CASCADE;
DROP VIEW IF EXISTS core.function_expenditure CASCADE;
DROP FUNCTION IF EXISTS core.current_code(text, smallint, text) CASCADE;
DROP VIEW IF EXISTS core.function_labels CASCADE;
DROP VIEW IF EXISTS core.function_amounts CASCADE;
DROP VIEW IF EXISTS core.department_region CASCADE;

-- Helpers ------------------------------------------------------------------

CREATE VIEW core.department_region AS
SELECT d.dept_code,
       d.dept_name,
       d.unit_type,
       d.region_code,
       coalesce(r.district, d.region_code) AS region
FROM core.dim_department d
LEFT JOIN core.dim_region r ON r.region_code = d.region_code;

COMMENT ON VIEW core.department_region IS
    '部门及其地区 / departments with their region (district) and unit type';

CREATE VIEW core.function_amounts AS
SELECT q.*,
       coalesce(q.total,
                q.basic_amount + coalesce(q.project, 0) + coalesce(q.upper_remit, 0)
                + coalesce(q.business_op, 0) + coalesce(q.subsidiary, 0)) AS total_amount
FROM (
    SELECT p.*,
           -- table 5 may print only 人员经费/公用经费 inside 基本支出
           coalesce(p.basic, p.personnel + p.public, p.personnel, p.public, 0) AS basic_amount
    FROM (
        SELECT fiscal_year, stage, table_kind, dept_code, row_role, code,
               min(nullif(btrim(label, E' \t　'), '')) AS label,
               sum(amount) FILTER (WHERE measure = 'total')       AS total,
               sum(amount) FILTER (WHERE measure = 'basic')       AS basic,
               sum(amount) FILTER (WHERE measure = 'project')     AS project,
               sum(amount) FILTER (WHERE measure = 'personnel')   AS personnel,
               sum(amount) FILTER (WHERE measure = 'public')      AS public,
               sum(amount) FILTER (WHERE measure = 'upper_remit') AS upper_remit,
               sum(amount) FILTER (WHERE measure = 'business_op') AS business_op,
               sum(amount) FILTER (WHERE measure = 'subsidiary')  AS subsidiary
        FROM core.fact_amount
        WHERE table_kind IN (3, 5, 8, 10)
          AND row_role IN ('leaf', 'subtotal', 'total')
        GROUP BY fiscal_year, stage, table_kind, dept_code, row_role, code
    ) p
) q;

COMMENT ON VIEW core.function_amounts IS
    '功能分类表（表3/5/8/10）按行透视 / function tables pivoted: one row per year, stage, table, department, row role and code; null = measure not written';

CREATE VIEW core.function_labels AS
SELECT fiscal_year, stage, dept_code, code,
       min(nullif(btrim(label, E' \t　'), '')) AS label
FROM core.fact_amount
WHERE table_kind IN (2, 3, 5, 8, 10)
  AND row_role = 'subtotal'
  AND length(code) IN (3, 5)
GROUP BY fiscal_year, stage, dept_code, code;

COMMENT ON VIEW core.function_labels IS
    '文件中类/款行的名称 / names printed on 类/款 subtotal rows of a submission (fallback for core.dim_function)';

-- The code of the latest edition a code has become, following core.code_change
-- forward through one-to-one changes (renamed, moved, merged); a code that
-- was split or retired stays as it was.  A historical fact keeps its own
-- code and carries this one for cross-year series.
CREATE FUNCTION core.current_code(p_scheme text, p_year smallint, p_code text)
RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, core AS $$
DECLARE
    y smallint := p_year;
    c text := p_code;
    nxt record;
BEGIN
    FOR i IN 1..50 LOOP
        SELECT min(to_year) AS to_year, min(to_code) AS to_code, count(*) AS n
          INTO nxt
          FROM core.code_change
         WHERE scheme = p_scheme AND from_year = y AND from_code = c
           AND change IN ('renamed', 'moved', 'merged');
        EXIT WHEN nxt.n <> 1;
        y := nxt.to_year;
        c := nxt.to_code;
    END LOOP;
    RETURN c;
END $$;

COMMENT ON FUNCTION core.current_code(text, smallint, text) IS
    '科目的最新编码（依科目变动表） / the latest-edition code a code has become (core.code_change)';

-- Citus only (nothing happens on one server): the function runs inside the
-- shard queries on the workers and reads the reference table
-- core.code_change there, which Citus allows only with this setting
-- (sql/citus/distribute.sql sets it too).  Recreated above without it, the
-- materialized views below would fail to build when this file is re-applied
-- to a distributed database ("cannot execute a distributed query from a
-- query on a shard").
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        ALTER FUNCTION core.current_code(text, smallint, text)
            SET citus.allow_nested_distributed_execution = on;
    END IF;
END $$;

CREATE VIEW core.function_expenditure AS
SELECT f.fiscal_year,
       d.region,
       f.dept_code,
       d.dept_name,
       left(f.code, 3)                           AS class_code,
       coalesce(fc.name, lc.label)               AS class_name,
       left(f.code, 5)                           AS section_code,
       coalesce(fs.name, ls.label)               AS section_name,
       f.code                                    AS item_code,
       coalesce(fi.name, f.label)                AS item_name,
       coalesce(f.personnel, 0)::numeric(18,2)   AS personnel_amount,
       coalesce(f.public, 0)::numeric(18,2)      AS public_amount,
       f.basic_amount::numeric(18,2)             AS basic_amount,
       coalesce(f.project, 0)::numeric(18,2)     AS project_amount,
       coalesce(f.upper_remit, 0)::numeric(18,2) AS upper_remit_amount,
       coalesce(f.business_op, 0)::numeric(18,2) AS business_op_amount,
       coalesce(f.subsidiary, 0)::numeric(18,2)  AS subsidiary_amount,
       f.total_amount::numeric(18,2)             AS total_amount,
       coalesce(fi.cofog_division, fc.cofog_division) AS cofog_division,
       f.table_kind,
       f.stage,
       core.current_code('function', f.fiscal_year, f.code) AS current_item_code
FROM core.function_amounts f
LEFT JOIN core.department_region d ON d.dept_code = f.dept_code
LEFT JOIN core.dim_function fc ON fc.fiscal_year = f.fiscal_year AND fc.code = left(f.code, 3)
LEFT JOIN core.dim_function fs ON fs.fiscal_year = f.fiscal_year AND fs.code = left(f.code, 5)
LEFT JOIN core.dim_function fi ON fi.fiscal_year = f.fiscal_year AND fi.code = f.code
LEFT JOIN core.function_labels lc
       ON lc.fiscal_year = f.fiscal_year AND lc.stage = f.stage
      AND lc.dept_code = f.dept_code AND lc.code = left(f.code, 3)
LEFT JOIN core.function_labels ls
       ON ls.fiscal_year = f.fiscal_year AND ls.stage = f.stage
      AND ls.dept_code = f.dept_code AND ls.code = left(f.code, 5)
WHERE f.row_role = 'leaf'
  AND (f.total_amount <> 0 OR f.basic_amount <> 0 OR coalesce(f.project, 0) <> 0
       OR coalesce(f.personnel, 0) <> 0 OR coalesce(f.public, 0) <> 0
       OR coalesce(f.upper_remit, 0) <> 0 OR coalesce(f.business_op, 0) <> 0
       OR coalesce(f.subsidiary, 0) <> 0);

COMMENT ON VIEW core.function_expenditure IS
    '功能分类表的项级行（含名称与地区） / leaf rows of the function tables with names and region, every stage and table';

-- Publication scope: a unit (单位, 预算单位) publishes its own tables, and its
-- department's 部门 tables consolidate them.  A cross-department sum leaves
-- out a table published as a unit's (its title) whose parent_code
-- (config/departments.csv) names a department with a loaded table of the
-- same year, stage and kind: it is counted once, through the parent.  A unit
-- whose parent published nothing that year is counted.  Per-department
-- views show every unit.
CREATE VIEW core.counted_tables AS
SELECT lt.fiscal_year,
       lt.dept_code,
       lt.stage,
       lt.table_kind,
       lt.publication_scope,
       d.parent_code,
       NOT (lt.publication_scope = 'unit' AND p.dept_code IS NOT NULL) AS counted
FROM etl.loaded_tables lt
LEFT JOIN core.dim_department d ON d.dept_code = lt.dept_code
LEFT JOIN etl.loaded_tables p
       ON p.dept_code = d.parent_code AND p.fiscal_year = lt.fiscal_year
      AND p.stage = lt.stage AND p.table_kind = lt.table_kind;

COMMENT ON VIEW core.counted_tables IS
    '已加载的表及其是否计入跨部门汇总（上级部门已加载同年同阶段同表的单位表不计入） / loaded tables and whether cross-department sums count them: a unit''s table is left out when its parent department has the same year, stage and table loaded';
