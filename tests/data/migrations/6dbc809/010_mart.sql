-- 010_mart: the views BI tools read (CONTRACT.md, "What lands in PostgreSQL").
--
-- Layers:
--   core.department_region   department with its region (district) and unit type
--   core.function_amounts    the function tables (3, 5, 8, 10) pivoted: one row
--                            per (year, stage, table, department, row role, code)
--                            with one column per measure
--   core.function_labels     labels printed on 类/款 subtotal rows, the fallback
--                            for names missing from core.dim_function
--   core.function_expenditure  leaf rows with names and region, all four tables
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
       f.stage
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

-- Function tables ------------------------------------------------------------

CREATE VIEW mart.expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount, total_amount,
       upper_remit_amount, business_op_amount, subsidiary_amount,
       cofog_division, stage
FROM core.function_expenditure
WHERE table_kind = 3 AND stage = 'budget';

COMMENT ON VIEW mart.expenditure_by_function IS
    '部门支出总表（表3）：按年度、部门、功能分类项级科目的支出 / department expenditure by function (table 3): one row per year, department and 项 code, all funds';

CREATE VIEW mart.gpb_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       personnel_amount, public_amount, basic_amount, project_amount, total_amount,
       cofog_division, stage
FROM core.function_expenditure
WHERE table_kind = 5 AND stage = 'budget';

COMMENT ON VIEW mart.gpb_expenditure_by_function IS
    '一般公共预算支出表（表5）：按项级科目的一般公共预算支出，基本支出分人员经费、公用经费 / general public budget expenditure by function (table 5), basic expenditure split into personnel and public';

CREATE VIEW mart.gov_fund_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount, total_amount,
       cofog_division, stage
FROM core.function_expenditure
WHERE table_kind = 8 AND stage = 'budget';

COMMENT ON VIEW mart.gov_fund_expenditure_by_function IS
    '政府性基金预算支出表（表8）：按项级科目的政府性基金预算支出 / government fund budget expenditure by function (table 8)';

CREATE VIEW mart.state_capital_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount, total_amount,
       cofog_division, stage
FROM core.function_expenditure
WHERE table_kind = 10 AND stage = 'budget';

COMMENT ON VIEW mart.state_capital_expenditure_by_function IS
    '国有资本经营预算支出表（表10）：按项级科目的国有资本经营预算支出 / state capital operating budget expenditure by function (table 10)';

-- Table 6: basic expenditure by economic classification -----------------------

-- 参公 units (参照公务员法管理的事业单位) map like 行政 units in the
-- 部门/政府 economic crosswalk (501/502 机关...): a 参公 department without its
-- own crosswalk row uses the 行政 one.
CREATE VIEW mart.basic_expenditure_by_economic AS
SELECT e.fiscal_year,
       d.region,
       e.dept_code,
       d.dept_name,
       left(e.code, 3)                                 AS econ_class_code,
       coalesce(ec.name, lc.label)                     AS econ_class_name,
       e.code                                          AS econ_code,
       coalesce(en.name, e.label)                      AS econ_name,
       coalesce(xw.gov_econ_code, xa.gov_econ_code)    AS gov_econ_code,
       g.name                                          AS gov_econ_name,
       e.personnel_amount::numeric(18,2)               AS personnel_amount,
       e.public_amount::numeric(18,2)                  AS public_amount,
       coalesce(e.total, e.personnel_amount + e.public_amount)::numeric(18,2) AS total_amount,
       d.unit_type,
       e.stage
FROM (
    SELECT fiscal_year, stage, dept_code, code,
           min(nullif(btrim(label, E' \t　'), '')) AS label,
           sum(amount) FILTER (WHERE measure = 'total') AS total,
           coalesce(sum(amount) FILTER (WHERE measure = 'personnel'), 0) AS personnel_amount,
           coalesce(sum(amount) FILTER (WHERE measure = 'public'), 0) AS public_amount
    FROM core.fact_amount
    WHERE table_kind = 6 AND row_role = 'leaf'
    GROUP BY fiscal_year, stage, dept_code, code
) e
LEFT JOIN core.department_region d ON d.dept_code = e.dept_code
LEFT JOIN core.dim_economic ec
       ON ec.fiscal_year = e.fiscal_year AND ec.scheme = 'dept' AND ec.code = left(e.code, 3)
LEFT JOIN core.dim_economic en
       ON en.fiscal_year = e.fiscal_year AND en.scheme = 'dept' AND en.code = e.code
LEFT JOIN (
    SELECT fiscal_year, stage, dept_code, code, min(nullif(btrim(label, E' \t　'), '')) AS label
    FROM core.fact_amount
    WHERE table_kind = 6 AND row_role = 'subtotal'
    GROUP BY fiscal_year, stage, dept_code, code
) lc ON lc.fiscal_year = e.fiscal_year AND lc.stage = e.stage
    AND lc.dept_code = e.dept_code AND lc.code = left(e.code, 3)
LEFT JOIN core.econ_crosswalk xw
       ON xw.fiscal_year = e.fiscal_year AND xw.unit_type = d.unit_type
      AND xw.dept_econ_code = e.code
LEFT JOIN core.econ_crosswalk xa
       ON d.unit_type = '参公' AND xa.fiscal_year = e.fiscal_year
      AND xa.unit_type = '行政' AND xa.dept_econ_code = e.code
LEFT JOIN core.dim_economic g
       ON g.fiscal_year = e.fiscal_year AND g.scheme = 'gov'
      AND g.code = coalesce(xw.gov_econ_code, xa.gov_econ_code)
WHERE e.stage = 'budget'
  AND (coalesce(e.total, 0) <> 0 OR e.personnel_amount <> 0 OR e.public_amount <> 0);

COMMENT ON VIEW mart.basic_expenditure_by_economic IS
    '一般公共预算基本支出表（表6）：按部门预算支出经济分类款级科目，并对照政府预算支出经济分类 / basic expenditure by economic classification (table 6), per 款 code, with the government economic code of the crosswalk for the department''s unit type';

-- Table 2: revenue by fund source -------------------------------------------

-- The 合计 row of table 2 by fund source (carryover included); a file without
-- a 合计 row falls back to the sum of its leaf rows.
CREATE VIEW mart.revenue_by_source AS
SELECT w.fiscal_year,
       d.region,
       w.dept_code,
       d.dept_name,
       w.measure AS fund_source,
       fs.name   AS fund_source_name,
       (CASE WHEN w.has_total_row THEN coalesce(w.total_row, 0)
             ELSE coalesce(w.leaf_rows, 0) END)::numeric(18,2) AS amount,
       fs.sort   AS fund_source_sort,
       w.has_total_row AS from_total_row,
       w.stage
FROM (
    SELECT m.*,
           bool_or(m.total_row IS NOT NULL)
               OVER (PARTITION BY m.fiscal_year, m.stage, m.dept_code) AS has_total_row
    FROM (
        SELECT fiscal_year, stage, dept_code, measure,
               sum(amount) FILTER (WHERE row_role = 'total') AS total_row,
               sum(amount) FILTER (WHERE row_role = 'leaf')  AS leaf_rows
        FROM core.fact_amount
        WHERE table_kind = 2 AND row_role IN ('total', 'leaf')
        GROUP BY fiscal_year, stage, dept_code, measure
    ) m
) w
JOIN core.dim_fund_source fs ON fs.fund_source = w.measure
LEFT JOIN core.department_region d ON d.dept_code = w.dept_code
WHERE w.stage = 'budget'
  AND (CASE WHEN w.has_total_row THEN coalesce(w.total_row, 0)
            ELSE coalesce(w.leaf_rows, 0) END) <> 0;

COMMENT ON VIEW mart.revenue_by_source IS
    '部门收入总表（表2）合计行：按资金来源的收入（含上年结转结余） / department revenue by fund source: table 2''s 合计 row (sum of leaf rows where the file has none), carryover included';

-- Table 7: the "three public" expenses ---------------------------------------

CREATE VIEW mart.three_public_expenses AS
SELECT t.fiscal_year,
       d.region,
       t.dept_code,
       d.dept_name,
       t.outbound_travel::numeric(18,2)    AS outbound_travel,
       t.vehicle_purchase::numeric(18,2)   AS vehicle_purchase,
       t.vehicle_operation::numeric(18,2)  AS vehicle_operation,
       t.official_reception::numeric(18,2) AS official_reception,
       coalesce(t.total, t.outbound_travel + t.vehicle_total + t.official_reception)::numeric(18,2)
                                           AS total_amount,
       t.admin_operating::numeric(18,2)    AS admin_operating,
       t.vehicle_total::numeric(18,2)      AS vehicle_total,
       t.stage
FROM (
    SELECT s.*,
           coalesce(s.vehicle_total_printed, s.vehicle_purchase + s.vehicle_operation) AS vehicle_total
    FROM (
        SELECT fiscal_year, stage, dept_code,
               sum(amount) FILTER (WHERE measure = 'total') AS total,
               coalesce(sum(amount) FILTER (WHERE measure = 'outbound_travel'), 0)    AS outbound_travel,
               sum(amount) FILTER (WHERE measure = 'vehicle_total')                   AS vehicle_total_printed,
               coalesce(sum(amount) FILTER (WHERE measure = 'vehicle_purchase'), 0)   AS vehicle_purchase,
               coalesce(sum(amount) FILTER (WHERE measure = 'vehicle_operation'), 0)  AS vehicle_operation,
               coalesce(sum(amount) FILTER (WHERE measure = 'official_reception'), 0) AS official_reception,
               sum(amount) FILTER (WHERE measure = 'admin_operating')                 AS admin_operating
        FROM core.fact_amount
        WHERE table_kind = 7 AND row_role = 'three_public'
        GROUP BY fiscal_year, stage, dept_code
    ) s
) t
LEFT JOIN core.department_region d ON d.dept_code = t.dept_code
WHERE t.stage = 'budget';

COMMENT ON VIEW mart.three_public_expenses IS
    '一般公共预算“三公”经费支出表（表7）：每个已加载的表7一行，零值照列 / the "three public" expenses (table 7): one row per loaded table, zeros shown; admin_operating where the table gives 机关运行经费';

-- Table 9: projects and performance indicators --------------------------------

CREATE VIEW mart.project_indicators AS
SELECT p.fiscal_year,
       d.region,
       p.dept_code,
       d.dept_name,
       p.project_no,
       p.project_name,
       p.amount AS project_amount,
       p.supervisor,
       p.goal,
       i.indicator_no,
       i.level1,
       i.level2,
       i.level3,
       i.target_text,
       i.target_operator,
       i.target_value,
       i.target_unit,
       p.stage
FROM core.project p
LEFT JOIN core.project_indicator i
       ON i.fiscal_year = p.fiscal_year AND i.dept_code = p.dept_code
      AND i.stage = p.stage AND i.project_no = p.project_no
LEFT JOIN core.department_region d ON d.dept_code = p.dept_code
WHERE p.stage = 'budget';

COMMENT ON VIEW mart.project_indicators IS
    '项目支出绩效目标表（表9）：每个绩效指标一行（无指标的项目一行，指标列为空）；project_amount 在同一项目的各行重复 / project performance indicators (table 9): one row per indicator (a project without indicators: one row, indicator columns null); project_amount repeats on every row of its project';

-- Department and year ------------------------------------------------------

-- A submission is shown when it has any fact or project of stage 'budget'.
-- revenue_total: table 1's 收入总计; else table 2's 合计 column of its 合计
-- row (of its leaf rows when it has none; the sum of the fund-source columns
-- when it prints no 合计 column).  The expenditure totals come from table 3's
-- 合计 row, else from the sum of its leaf rows.  checks_failed counts the
-- failed checks of the latest run that recorded checks for the submission.
CREATE VIEW mart.department_year AS
WITH subs AS (
    SELECT fiscal_year, dept_code FROM core.fact_amount WHERE stage = 'budget'
    UNION
    SELECT fiscal_year, dept_code FROM core.project WHERE stage = 'budget'
), t1 AS (
    SELECT fiscal_year, dept_code, sum(amount) AS income_total
    FROM core.fact_amount
    WHERE stage = 'budget' AND table_kind = 1 AND row_role = 'income'
      AND code = 'income_total' AND measure = 'amount'
    GROUP BY fiscal_year, dept_code
), t2 AS (
    SELECT fiscal_year, dept_code,
           CASE WHEN bool_or(row_role = 'total')
                THEN coalesce(sum(amount) FILTER (WHERE row_role = 'total' AND measure = 'total'),
                              sum(amount) FILTER (WHERE row_role = 'total'
                                                  AND measure NOT IN ('total', 'income_subtotal')))
                ELSE coalesce(sum(amount) FILTER (WHERE row_role = 'leaf' AND measure = 'total'),
                              sum(amount) FILTER (WHERE row_role = 'leaf'
                                                  AND measure NOT IN ('total', 'income_subtotal')))
           END AS revenue
    FROM core.fact_amount
    WHERE stage = 'budget' AND table_kind = 2 AND row_role IN ('total', 'leaf')
    GROUP BY fiscal_year, dept_code
), t3 AS (
    SELECT fiscal_year, dept_code,
           bool_or(row_role = 'total') AS has_total_row,
           sum(total_amount)   FILTER (WHERE row_role = 'total') AS row_total,
           sum(basic_amount)   FILTER (WHERE row_role = 'total') AS row_basic,
           sum(coalesce(project, 0)) FILTER (WHERE row_role = 'total') AS row_project,
           sum(total_amount)   FILTER (WHERE row_role = 'leaf')  AS leaf_total,
           sum(basic_amount)   FILTER (WHERE row_role = 'leaf')  AS leaf_basic,
           sum(coalesce(project, 0)) FILTER (WHERE row_role = 'leaf') AS leaf_project
    FROM core.function_amounts
    WHERE stage = 'budget' AND table_kind = 3 AND row_role IN ('total', 'leaf')
    GROUP BY fiscal_year, dept_code
), chk AS (
    SELECT c.fiscal_year, c.dept_code, c.run_id,
           count(*) FILTER (WHERE NOT c.passed) AS failed
    FROM etl.checks c
    JOIN (SELECT fiscal_year, dept_code, max(run_id) AS run_id
          FROM etl.checks
          GROUP BY fiscal_year, dept_code) l
      ON l.fiscal_year = c.fiscal_year AND l.dept_code = c.dept_code AND l.run_id = c.run_id
    GROUP BY c.fiscal_year, c.dept_code, c.run_id
), y AS (
    SELECT s.fiscal_year, s.dept_code,
           coalesce(t1.income_total, t2.revenue) AS revenue_total,
           CASE WHEN t3.has_total_row THEN t3.row_total   ELSE t3.leaf_total   END AS expenditure_total,
           CASE WHEN t3.has_total_row THEN t3.row_basic   ELSE t3.leaf_basic   END AS basic_total,
           CASE WHEN t3.has_total_row THEN t3.row_project ELSE t3.leaf_project END AS project_total,
           coalesce(chk.failed, 0)::integer AS checks_failed,
           chk.run_id AS checks_run_id
    FROM subs s
    LEFT JOIN t1  ON t1.fiscal_year  = s.fiscal_year AND t1.dept_code  = s.dept_code
    LEFT JOIN t2  ON t2.fiscal_year  = s.fiscal_year AND t2.dept_code  = s.dept_code
    LEFT JOIN t3  ON t3.fiscal_year  = s.fiscal_year AND t3.dept_code  = s.dept_code
    LEFT JOIN chk ON chk.fiscal_year = s.fiscal_year AND chk.dept_code = s.dept_code
)
SELECT y.fiscal_year,
       d.region,
       y.dept_code,
       d.dept_name,
       y.revenue_total::numeric(18,2)     AS revenue_total,
       y.expenditure_total::numeric(18,2) AS expenditure_total,
       y.basic_total::numeric(18,2)       AS basic_total,
       y.project_total::numeric(18,2)     AS project_total,
       y.checks_failed,
       y.checks_run_id,
       'budget'::text AS stage
FROM y
LEFT JOIN core.department_region d ON d.dept_code = y.dept_code
-- all-zero rows are hidden unless a check failed
WHERE coalesce(y.revenue_total, 0) <> 0 OR coalesce(y.expenditure_total, 0) <> 0
   OR coalesce(y.basic_total, 0) <> 0 OR coalesce(y.project_total, 0) <> 0
   OR y.checks_failed <> 0;

COMMENT ON VIEW mart.department_year IS
    '部门年度汇总：收入总计、支出合计、基本支出、项目支出与未通过的校验数 / one row per year and department: declared revenue total (table 1, else table 2), expenditure totals (table 3), and failed checks of the submission as last loaded';

-- Cross-department aggregates (materialized) --------------------------------

-- mart.expenditure_by_function summed over departments at 类, 款 and 项 level.
-- departments: departments whose amounts at this code are not all zero.
-- next_year_code: the code these amounts compare with in fiscal_year + 1
-- (core.code_change 'function' renamed/moved/merged to exactly one code the
-- next year; else the code itself); mart.function_yoy uses it.
CREATE MATERIALIZED VIEW mart.function_rollup AS
WITH lv AS (
    SELECT fiscal_year, region, dept_code, 1 AS level_no, class_code AS code, class_name AS name,
           basic_amount, project_amount, total_amount
    FROM mart.expenditure_by_function
    UNION ALL
    SELECT fiscal_year, region, dept_code, 2, section_code, section_name,
           basic_amount, project_amount, total_amount
    FROM mart.expenditure_by_function
    UNION ALL
    SELECT fiscal_year, region, dept_code, 3, item_code, item_name,
           basic_amount, project_amount, total_amount
    FROM mart.expenditure_by_function
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
       a.basic_amount::numeric(18,2)                 AS basic_amount,
       a.project_amount::numeric(18,2)               AS project_amount,
       a.total_amount::numeric(18,2)                 AS total_amount,
       coalesce(m.to_code, a.code)                   AS next_year_code,
       'budget'::text                                AS stage
FROM agg a
LEFT JOIN core.dim_function f ON f.fiscal_year = a.fiscal_year AND f.code = a.code
LEFT JOIN core.dim_function c ON c.fiscal_year = a.fiscal_year AND c.code = left(a.code, 3)
LEFT JOIN moves m ON m.from_year = a.fiscal_year AND m.from_code = a.code
WHERE a.basic_amount <> 0 OR a.project_amount <> 0 OR a.total_amount <> 0;

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
       total_amount::numeric(18,2)                         AS total_amount,
       prior_amount::numeric(18,2)                         AS prior_amount,
       (total_amount - prior_amount)::numeric(18,2)        AS change_amount,
       round((total_amount - prior_amount) * 100 / nullif(prior_amount, 0), 2) AS change_pct,
       'budget'::text                                      AS stage
FROM k
WHERE total_amount <> 0 OR prior_total <> 0;

CREATE UNIQUE INDEX function_yoy_key ON mart.function_yoy (fiscal_year, region, level, code);
CREATE INDEX function_yoy_region ON mart.function_yoy (region, level, fiscal_year);
CREATE INDEX function_yoy_code ON mart.function_yoy (code, fiscal_year);

COMMENT ON MATERIALIZED VIEW mart.function_yoy IS
    '功能分类支出同比（按地区、类/款/项） / year-on-year change of expenditure by function per region and 类/款/项 code (materialized: etl.refresh_marts())';

-- Indexes for BI filters on the facts --------------------------------------

-- The primary key serves (fiscal_year, dept_code); these serve a code across
-- departments and the views' table_kind/row_role filters.
CREATE INDEX fact_amount_code ON core.fact_amount (table_kind, row_role, code, dept_code);
CREATE INDEX dim_department_region ON core.dim_department (region_code);

-- Refresh -------------------------------------------------------------------

-- Refreshes every materialized view of mart, function_rollup before
-- function_yoy (which reads it), others after in name order: CONCURRENTLY
-- when the view is populated and has a usable unique index (readers are not
-- blocked), plainly otherwise.  SECURITY DEFINER: runs as the migration
-- owner, who owns the views; budget_loader gets EXECUTE in 020_roles.sql.
CREATE FUNCTION etl.refresh_marts() RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v record;
BEGIN
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

REVOKE ALL ON FUNCTION etl.refresh_marts() FROM PUBLIC;

COMMENT ON FUNCTION etl.refresh_marts() IS
    '刷新 mart 的物化视图 / refresh the materialized views of mart (concurrently when populated)';

-- Comments on every mart column: one dictionary by column name, with
-- overrides where a view gives a column a narrower meaning.  A mart column
-- without an entry stops the migration.
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        WITH dict (relname, attname, comment) AS (VALUES
        ('*', 'fiscal_year',        '预算年度 / fiscal year'),
        ('*', 'region',             '地区（区县） / region (district) of the department'),
        ('*', 'dept_code',          '部门编码 / department code'),
        ('*', 'dept_name',          '部门名称 / department name'),
        ('*', 'stage',              '数据阶段：budget 预算 / stage of the figures: budget'),
        ('*', 'class_code',         '功能分类类级科目编码（3位） / function classification 类 (class) code, 3 digits'),
        ('*', 'class_name',         '功能分类类级科目名称 / function class name'),
        ('*', 'section_code',       '功能分类款级科目编码（5位） / function classification 款 (section) code, 5 digits'),
        ('*', 'section_name',       '功能分类款级科目名称 / function section name'),
        ('*', 'item_code',          '功能分类项级科目编码（7位） / function classification 项 (item) code, 7 digits'),
        ('*', 'item_name',          '功能分类项级科目名称 / function item name'),
        ('*', 'personnel_amount',   '人员经费（元） / personnel expenses (yuan)'),
        ('*', 'public_amount',      '公用经费（元） / public (operating) expenses (yuan)'),
        ('*', 'basic_amount',       '基本支出（元） / basic expenditure (yuan)'),
        ('*', 'project_amount',     '项目支出（元） / project expenditure (yuan)'),
        ('*', 'upper_remit_amount', '上缴上级支出（元） / remittance to the higher level (yuan)'),
        ('*', 'business_op_amount', '事业单位经营支出（元） / operating expenditure of public institutions (yuan)'),
        ('*', 'subsidiary_amount',  '对附属单位补助支出（元） / subsidies to subordinate units (yuan)'),
        ('*', 'total_amount',       '合计（元） / total (yuan)'),
        ('*', 'cofog_division',     'COFOG 职能大类 / COFOG division of the function class'),
        ('*', 'econ_class_code',    '部门预算支出经济分类类级编码（3位） / departmental economic classification class code, 3 digits'),
        ('*', 'econ_class_name',    '部门预算支出经济分类类级名称 / departmental economic class name'),
        ('*', 'econ_code',          '部门预算支出经济分类款级编码（5位） / departmental economic classification code (款), 5 digits'),
        ('*', 'econ_name',          '部门预算支出经济分类款级名称 / departmental economic classification name'),
        ('*', 'gov_econ_code',      '政府预算支出经济分类编码（按单位类型对照） / government economic classification code, by the department''s unit type'),
        ('*', 'gov_econ_name',      '政府预算支出经济分类名称 / government economic classification name'),
        ('*', 'unit_type',          '单位类型：行政、参公、事业 / unit type: administrative, civil-service-managed, public institution'),
        ('*', 'fund_source',        '资金来源编码 / fund source code'),
        ('*', 'fund_source_name',   '资金来源名称 / fund source name'),
        ('*', 'fund_source_sort',   '资金来源在表2中的列序 / column order of the fund source in table 2'),
        ('*', 'from_total_row',     '是否取自合计行（否：各项级行之和） / taken from the 合计 row (false: sum of the leaf rows)'),
        ('*', 'amount',             '金额（元） / amount (yuan)'),
        ('*', 'outbound_travel',    '因公出国（境）费（元） / official overseas travel (yuan)'),
        ('*', 'vehicle_purchase',   '公务用车购置费（元） / official vehicle purchase (yuan)'),
        ('*', 'vehicle_operation',  '公务用车运行费（元） / official vehicle operation (yuan)'),
        ('*', 'vehicle_total',      '公务用车购置及运行费（元） / official vehicles, purchase and operation (yuan)'),
        ('*', 'official_reception', '公务接待费（元） / official reception (yuan)'),
        ('*', 'admin_operating',    '机关运行经费（元），表中无此列时为空 / administrative operating expenses (yuan), null when the table has no such column'),
        ('*', 'project_no',         '项目在表9中的序号 / order of the project in table 9'),
        ('*', 'project_name',       '项目名称 / project name'),
        ('*', 'supervisor',         '主管部门 / supervising department'),
        ('*', 'goal',               '年度绩效目标 / annual performance goal'),
        ('*', 'indicator_no',       '指标在项目中的序号 / order of the indicator within the project'),
        ('*', 'level1',             '一级指标 / level-1 indicator'),
        ('*', 'level2',             '二级指标 / level-2 indicator'),
        ('*', 'level3',             '三级指标 / level-3 indicator'),
        ('*', 'target_text',        '指标值（原文） / target as printed'),
        ('*', 'target_operator',    '指标值的比较符（≥、≤、=…），无法解析时为空 / comparison operator of the target, null when not numeric'),
        ('*', 'target_value',       '指标值的数值 / numeric value of the target'),
        ('*', 'target_unit',        '指标值的单位 / unit of the target'),
        ('*', 'level',              '科目级次：类、款、项 / classification level'),
        ('*', 'level_no',           '科目级次序号：1 类、2 款、3 项 / level number: 1, 2, 3'),
        ('*', 'code',               '功能分类科目编码（该级次） / function classification code at this level'),
        ('*', 'name',               '功能分类科目名称 / function classification name'),
        ('*', 'departments',        '有非零金额的部门数 / number of departments with a non-zero amount'),
        ('*', 'next_year_code',     '下一年度对应科目编码（依科目变动表） / code these amounts compare with the next year (core.code_change)'),
        ('*', 'prior_amount',       '上年合计（元），上年该地区无数据时为空 / previous year''s total (yuan), null when the region has no data that year'),
        ('*', 'change_amount',      '同比增减额（元） / change from the previous year (yuan)'),
        ('*', 'change_pct',         '同比增减百分比（%），上年为零时为空 / change from the previous year in percent, null when the previous year is zero'),
        ('*', 'revenue_total',      '收入总计（元）：表1收入总计，缺表1时取表2合计 / revenue total (yuan): table 1''s 收入总计, else table 2''s 合计'),
        ('*', 'expenditure_total',  '支出合计（元）：表3合计行 / expenditure total (yuan): table 3''s 合计 row'),
        ('*', 'basic_total',        '基本支出合计（元）：表3 / basic expenditure total (yuan), table 3'),
        ('*', 'project_total',      '项目支出合计（元）：表3 / project expenditure total (yuan), table 3'),
        ('*', 'checks_failed',      '最近一次加载中未通过的校验数 / failed checks of the submission as last loaded'),
        ('*', 'checks_run_id',      '校验所属的加载批次 / run whose checks are counted'),
        ('three_public_expenses', 'total_amount', '“三公”经费合计（元），不含机关运行经费 / three public expenses total (yuan), excluding administrative operating expenses'),
        ('function_rollup', 'total_amount',       '各部门合计之和（元） / total over departments (yuan)'),
        ('function_rollup', 'basic_amount',       '各部门基本支出之和（元） / basic expenditure over departments (yuan)'),
        ('function_rollup', 'project_amount',     '各部门项目支出之和（元） / project expenditure over departments (yuan)'),
        ('function_yoy', 'total_amount',          '本年合计（元） / this year''s total (yuan)'))
        SELECT c.relname, a.attname,
               (SELECT d.comment FROM dict d
                WHERE d.attname = a.attname AND d.relname IN (c.relname, '*')
                ORDER BY d.relname = '*'
                LIMIT 1) AS comment
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'mart' AND c.relkind IN ('v', 'm')
          AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        IF col.comment IS NULL THEN
            RAISE EXCEPTION 'no comment for column mart.%.%', col.relname, col.attname;
        END IF;
        EXECUTE format('COMMENT ON COLUMN mart.%I.%I IS %L', col.relname, col.attname, col.comment);
    END LOOP;
END $$;
