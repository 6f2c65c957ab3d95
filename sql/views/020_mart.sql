-- views/020_mart: the mart views of the contract (docs/contract.md), budget
-- stage.  Conventions: sql/views/010_helpers.sql.
--
-- Repeatable: re-applied, with every file of sql/views/ in name order and in
-- one transaction, whenever any of them changes (docs/internals.md, "SQL");
-- so it first drops what it creates.  Objects of your own that depend on
-- these views are dropped with them: keep them in a schema of your own and
-- recreate them after a migrate that changed sql/views/.

DROP VIEW IF EXISTS mart.department_year CASCADE;
DROP VIEW IF EXISTS mart.project_indicators CASCADE;
DROP VIEW IF EXISTS mart.three_public_expenses CASCADE;
DROP VIEW IF EXISTS mart.revenue_by_source CASCADE;
DROP VIEW IF EXISTS mart.basic_expenditure_by_economic CASCADE;
DROP VIEW IF EXISTS core.economic_expenditure CASCADE;
DROP VIEW IF EXISTS mart.state_capital_expenditure_by_function CASCADE;
DROP VIEW IF EXISTS mart.gov_fund_expenditure_by_function CASCADE;
DROP VIEW IF EXISTS mart.gpb_expenditure_by_function CASCADE;
DROP VIEW IF EXISTS mart.expenditure_by_function CASCADE;

-- Function tables ------------------------------------------------------------

CREATE VIEW mart.expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount, total_amount,
       upper_remit_amount, business_op_amount, subsidiary_amount,
       cofog_division, stage, current_item_code
FROM core.function_expenditure
WHERE table_kind = 3 AND stage = 'budget';

COMMENT ON VIEW mart.expenditure_by_function IS
    '部门支出总表（表3）：按年度、部门、功能分类项级科目的支出 / department expenditure by function (table 3): one row per year, department and 项 code, all funds';

CREATE VIEW mart.gpb_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       personnel_amount, public_amount, basic_amount, project_amount, total_amount,
       cofog_division, stage, current_item_code
FROM core.function_expenditure
WHERE table_kind = 5 AND stage = 'budget';

COMMENT ON VIEW mart.gpb_expenditure_by_function IS
    '一般公共预算支出表（表5）：按项级科目的一般公共预算支出，基本支出分人员经费、公用经费 / general public budget expenditure by function (table 5), basic expenditure split into personnel and public';

CREATE VIEW mart.gov_fund_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount, total_amount,
       cofog_division, stage, current_item_code
FROM core.function_expenditure
WHERE table_kind = 8 AND stage = 'budget';

COMMENT ON VIEW mart.gov_fund_expenditure_by_function IS
    '政府性基金预算支出表（表8）：按项级科目的政府性基金预算支出 / government fund budget expenditure by function (table 8)';

CREATE VIEW mart.state_capital_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount, total_amount,
       cofog_division, stage, current_item_code
FROM core.function_expenditure
WHERE table_kind = 10 AND stage = 'budget';

COMMENT ON VIEW mart.state_capital_expenditure_by_function IS
    '国有资本经营预算支出表（表10）：按项级科目的国有资本经营预算支出 / state capital operating budget expenditure by function (table 10)';

-- Table 6: basic expenditure by economic classification -----------------------

-- 参公 units (参照公务员法管理的事业单位) map like 行政 units in the
-- 部门/政府 economic crosswalk (501/502 机关...): a 参公 department without its
-- own crosswalk row uses the 行政 one.
CREATE VIEW core.economic_expenditure AS
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
       e.stage,
       core.current_code('econ_dept', e.fiscal_year, e.code) AS current_econ_code
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
WHERE (coalesce(e.total, 0) <> 0 OR e.personnel_amount <> 0 OR e.public_amount <> 0);

COMMENT ON VIEW core.economic_expenditure IS
    '基本支出经济分类表（表6）的款级行，各阶段 / table 6 rows by economic 款 with names and the government code, every stage';

CREATE VIEW mart.basic_expenditure_by_economic AS
SELECT fiscal_year, region, dept_code, dept_name, econ_class_code, econ_class_name, econ_code,
       econ_name, gov_econ_code, gov_econ_name, personnel_amount, public_amount, total_amount,
       unit_type, stage, current_econ_code
FROM core.economic_expenditure
WHERE stage = 'budget';

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
-- failed checks of the latest run that recorded checks for the budget
-- submission (etl.checks of stage 'budget').
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
          WHERE stage = 'budget'
          GROUP BY fiscal_year, dept_code) l
      ON l.fiscal_year = c.fiscal_year AND l.dept_code = c.dept_code AND l.run_id = c.run_id
    WHERE c.stage = 'budget'
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
