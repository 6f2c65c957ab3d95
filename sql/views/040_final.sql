-- views/040_final: final accounts (决算) and budget versus actual
-- (docs/contract.md "Final accounts", docs/bi.md for the questions they answer).
--
-- Conventions beyond those of sql/views/010_helpers.sql:
--   * a side whose matching table of that stage (table 5, 3, 6 or 7; table 1
--     or 4 for balances) is not loaded for the year and department is null,
--     and so are the variance, the rate and the flags computed from it; 0
--     means the table is loaded and has no figure for that code;
--   * rates are numeric fractions, round(final / budget, 4) on exact values
--     (half away from zero), null when the denominator is 0 or null; above
--     1 is normal (mid-year additions, spending of carryover);
--   * a row exists where either side is non-zero, except department_execution
--     and three_public_execution: one row per year and department with any
--     table of either stage loaded, zeros included;
--   * stage 'adjusted' (调整预算) is stored and shown by no view.
--
-- Repeatable: re-applied, with every file of sql/views/ in name order and in
-- one transaction, whenever any of them changes; so it first drops what it
-- creates.

DROP MATERIALIZED VIEW IF EXISTS mart.execution_rollup CASCADE;
DROP FUNCTION IF EXISTS core.execution_rollup_rows(smallint[]) CASCADE;
DROP TABLE IF EXISTS core.execution_rollup_store CASCADE;
DROP VIEW IF EXISTS mart.economic_execution CASCADE;
DROP VIEW IF EXISTS mart.three_public_execution CASCADE;
DROP VIEW IF EXISTS mart.department_execution CASCADE;
DROP VIEW IF EXISTS mart.execution_by_function CASCADE;
DROP VIEW IF EXISTS mart.carryover_by_department CASCADE;
DROP VIEW IF EXISTS mart.final_revenue_by_source CASCADE;
DROP VIEW IF EXISTS mart.final_basic_expenditure_by_economic CASCADE;
DROP VIEW IF EXISTS mart.final_gpb_expenditure_by_function CASCADE;
DROP VIEW IF EXISTS mart.final_expenditure_by_function CASCADE;
DROP VIEW IF EXISTS core.function_names CASCADE;
DROP VIEW IF EXISTS core.stage_checks_failed CASCADE;

-- Helpers --------------------------------------------------------------------

-- Names of every function code a department's tables print, per year: the
-- classification of that year, else a label the department printed for it.
CREATE VIEW core.function_names AS
SELECT x.fiscal_year, x.dept_code, x.code,
       coalesce(fi.name, x.label, lc.label) AS name
FROM (
    SELECT fiscal_year, dept_code, code, min(nullif(btrim(label, E' \t　'), '')) AS label
    FROM core.fact_amount
    WHERE table_kind IN (2, 3, 5, 8, 10) AND row_role IN ('leaf', 'subtotal')
    GROUP BY fiscal_year, dept_code, code
) x
LEFT JOIN core.dim_function fi ON fi.fiscal_year = x.fiscal_year AND fi.code = x.code
LEFT JOIN (
    SELECT fiscal_year, dept_code, code, min(label) AS label
    FROM core.function_labels
    GROUP BY fiscal_year, dept_code, code
) lc ON lc.fiscal_year = x.fiscal_year AND lc.dept_code = x.dept_code AND lc.code = x.code;

COMMENT ON VIEW core.function_names IS
    '部门所报功能分类科目的名称（当年科目表，缺时取表中所印） / names of the function codes a department printed: the year''s classification, else the printed label';

-- Failed checks of the latest run that recorded checks for a submission's stage.
CREATE VIEW core.stage_checks_failed AS
SELECT c.fiscal_year, c.dept_code, c.stage,
       count(*) FILTER (WHERE NOT c.passed)::integer AS failed,
       c.run_id
FROM etl.checks c
JOIN (SELECT fiscal_year, dept_code, stage, max(run_id) AS run_id
      FROM etl.checks
      GROUP BY fiscal_year, dept_code, stage) l
  ON l.fiscal_year = c.fiscal_year AND l.dept_code = c.dept_code AND l.stage = c.stage
 AND l.run_id = c.run_id
GROUP BY c.fiscal_year, c.dept_code, c.stage, c.run_id;

COMMENT ON VIEW core.stage_checks_failed IS
    '各提交各阶段最近一次校验中未通过的数目 / failed checks of each submission and stage in the latest run that checked it';

-- The 决算 tables ---------------------------------------------------------------

CREATE VIEW mart.final_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount,
       upper_remit_amount AS remit_to_superior_amount,
       business_op_amount AS operating_amount,
       subsidiary_amount  AS subsidy_to_subordinate_amount,
       total_amount,
       cofog_division, stage, current_item_code
FROM core.function_expenditure
WHERE table_kind = 3 AND stage = 'final';

COMMENT ON VIEW mart.final_expenditure_by_function IS
    '支出决算表（决算表3）：按年度、部门、功能分类项级科目的全部资金支出 / final accounts expenditure by function (决算 table 3): one row per year, department and 项 code, all funds';

CREATE VIEW mart.final_gpb_expenditure_by_function AS
SELECT fiscal_year, region, dept_code, dept_name,
       class_code, class_name, section_code, section_name, item_code, item_name,
       basic_amount, project_amount, total_amount,
       cofog_division, stage, current_item_code
FROM core.function_expenditure
WHERE table_kind = 5 AND stage = 'final';

COMMENT ON VIEW mart.final_gpb_expenditure_by_function IS
    '一般公共预算财政拨款支出决算表（决算表5）：按项级科目的一般公共预算财政拨款支出（预算执行的实际数） / final general public budget expenditure by function (决算 table 5): the actual side of budget execution';

CREATE VIEW mart.final_basic_expenditure_by_economic AS
SELECT fiscal_year, region, dept_code, dept_name, econ_class_code, econ_class_name, econ_code,
       econ_name, gov_econ_code, gov_econ_name, personnel_amount, public_amount, total_amount,
       unit_type, stage, current_econ_code
FROM core.economic_expenditure
WHERE stage = 'final';

COMMENT ON VIEW mart.final_basic_expenditure_by_economic IS
    '一般公共预算财政拨款基本支出决算表（决算表6）：按经济分类款级科目，人员经费为301、303类，公用经费为其余各类 / final basic expenditure by economic 款 (决算 table 6): personnel = classes 301 and 303, public = the others';

-- Table 1's income lines: the fund sources, 年初结转和结余 and 使用非财政拨款结余.
CREATE VIEW mart.final_revenue_by_source AS
SELECT f.fiscal_year,
       d.region,
       f.dept_code,
       d.dept_name,
       f.code                        AS fund_source,
       fs.name                       AS fund_source_name,
       sum(f.amount)::numeric(18,2)  AS amount,
       fs.sort                       AS fund_source_sort,
       f.stage
FROM core.fact_amount f
JOIN core.dim_fund_source fs ON fs.fund_source = f.code
LEFT JOIN core.department_region d ON d.dept_code = f.dept_code
WHERE f.stage = 'final' AND f.table_kind = 1 AND f.row_role = 'income' AND f.measure = 'amount'
GROUP BY f.fiscal_year, d.region, f.dept_code, d.dept_name, f.code, fs.name, fs.sort, f.stage
HAVING sum(f.amount) <> 0;

COMMENT ON VIEW mart.final_revenue_by_source IS
    '收入支出决算总表（决算表1）的收入：按资金来源，含年初结转和结余、使用非财政拨款结余 / final revenue by fund source (决算 table 1), with 年初结转和结余 and 使用非财政拨款结余';

-- Balances per fund scope: 'all' from table 1, each fiscal fund from table 4.
-- beginning + income - expenditure = ending (income includes 使用非财政拨款
-- 结余, expenditure 结余分配).
CREATE VIEW mart.carryover_by_department AS
WITH scopes (fund_scope, table_kind) AS (
    VALUES ('all', 1), ('general_budget', 4), ('gov_fund', 4), ('state_capital', 4)
), b AS (
    SELECT f.fiscal_year, f.dept_code, s.fund_scope, s.table_kind,
           coalesce(sum(f.amount) FILTER (
               WHERE s.table_kind = 1 AND f.row_role = 'income' AND f.code = 'carryover_begin'
                 AND f.measure = 'amount'
                  OR s.table_kind = 4 AND f.row_role = 'income'
                 AND f.code = 'carryover_begin:' || s.fund_scope AND f.measure = 'amount'), 0)
               AS beginning_amount,
           coalesce(sum(f.amount) FILTER (
               WHERE s.table_kind = 1 AND f.row_role = 'income' AND f.measure = 'amount'
                 AND f.code IN ('income_subtotal', 'non_fiscal_surplus_used')
                  OR s.table_kind = 4 AND f.row_role = 'income' AND f.code = s.fund_scope
                 AND f.measure = 'amount'), 0) AS income_amount,
           coalesce(sum(f.amount) FILTER (
               WHERE s.table_kind = 1 AND f.row_role = 'expense' AND f.measure = 'amount'
                 AND f.code IN ('expense_subtotal', 'surplus_distribution')
                  OR s.table_kind = 4 AND f.row_role = 'expense' AND f.code = 'expense_subtotal'
                 AND f.measure = s.fund_scope), 0) AS expenditure_amount,
           coalesce(sum(f.amount) FILTER (
               WHERE s.table_kind = 1 AND f.row_role = 'expense' AND f.code = 'carryover_end'
                 AND f.measure = 'amount'
                  OR s.table_kind = 4 AND f.row_role = 'expense' AND f.code = 'carryover_end'
                 AND f.measure = s.fund_scope), 0) AS ending_amount
    FROM core.fact_amount f
    JOIN scopes s ON s.table_kind = f.table_kind
    WHERE f.stage = 'final' AND f.table_kind IN (1, 4)
    GROUP BY f.fiscal_year, f.dept_code, s.fund_scope, s.table_kind
)
SELECT b.fiscal_year,
       d.region,
       b.dept_code,
       d.dept_name,
       b.fund_scope,
       b.beginning_amount::numeric(18,2)   AS beginning_amount,
       b.income_amount::numeric(18,2)      AS income_amount,
       b.expenditure_amount::numeric(18,2) AS expenditure_amount,
       b.ending_amount::numeric(18,2)      AS ending_amount,
       (CASE WHEN lp.dept_code IS NOT NULL THEN coalesce(p.ending_amount, 0) END)::numeric(18,2)
                                           AS ending_prev_year,
       'final'::text                       AS stage
FROM b
LEFT JOIN core.department_region d ON d.dept_code = b.dept_code
LEFT JOIN etl.loaded_tables lp
       ON lp.fiscal_year = b.fiscal_year - 1 AND lp.dept_code = b.dept_code
      AND lp.stage = 'final' AND lp.table_kind = b.table_kind
LEFT JOIN b p
       ON p.fiscal_year = b.fiscal_year - 1 AND p.dept_code = b.dept_code
      AND p.fund_scope = b.fund_scope
WHERE b.beginning_amount <> 0 OR b.income_amount <> 0 OR b.expenditure_amount <> 0
   OR b.ending_amount <> 0;

COMMENT ON VIEW mart.carryover_by_department IS
    '结转和结余（决算表1全部资金，决算表4分财政拨款）：年初、本年收入、本年支出、年末，及上年决算的年末数 / balances per fund scope: all funds from 决算 table 1, each fiscal fund from table 4, with the previous year''s 决算 ending balance';

-- Budget versus actual ---------------------------------------------------------

-- Per 项: general_budget compares table 5 of both stages, all_funds table 3.
CREATE VIEW mart.execution_by_function AS
WITH scopes (scope, table_kind) AS (
    VALUES ('general_budget', 5), ('all_funds', 3)
), sides AS (
    SELECT s.scope, s.table_kind, f.fiscal_year, f.dept_code, f.stage, f.code,
           f.basic_amount, coalesce(f.project, 0) AS project_amount, f.total_amount
    FROM core.function_amounts f
    JOIN scopes s ON s.table_kind = f.table_kind
    WHERE f.row_role = 'leaf' AND f.stage IN ('budget', 'final')
), codes AS (
    SELECT DISTINCT scope, table_kind, fiscal_year, dept_code, code
    FROM sides
    WHERE total_amount <> 0 OR basic_amount <> 0 OR project_amount <> 0
), j AS (
    SELECT c.*,
           lb.dept_code IS NOT NULL AS budget_loaded,
           lf.dept_code IS NOT NULL AS final_loaded,
           coalesce(b.basic_amount, 0)   AS bb, coalesce(b.project_amount, 0) AS bp,
           coalesce(b.total_amount, 0)   AS bt,
           coalesce(f.basic_amount, 0)   AS fb, coalesce(f.project_amount, 0) AS fp,
           coalesce(f.total_amount, 0)   AS ft
    FROM codes c
    LEFT JOIN etl.loaded_tables lb
           ON lb.fiscal_year = c.fiscal_year AND lb.dept_code = c.dept_code
          AND lb.stage = 'budget' AND lb.table_kind = c.table_kind
    LEFT JOIN etl.loaded_tables lf
           ON lf.fiscal_year = c.fiscal_year AND lf.dept_code = c.dept_code
          AND lf.stage = 'final' AND lf.table_kind = c.table_kind
    LEFT JOIN sides b
           ON b.scope = c.scope AND b.fiscal_year = c.fiscal_year AND b.dept_code = c.dept_code
          AND b.stage = 'budget' AND b.code = c.code
    LEFT JOIN sides f
           ON f.scope = c.scope AND f.fiscal_year = c.fiscal_year AND f.dept_code = c.dept_code
          AND f.stage = 'final' AND f.code = c.code
)
SELECT j.fiscal_year,
       d.region,
       j.dept_code,
       d.dept_name,
       left(j.code, 3)                        AS class_code,
       coalesce(fc.name, nc.name)             AS class_name,
       left(j.code, 5)                        AS section_code,
       coalesce(fs.name, ns.name)             AS section_name,
       j.code                                 AS item_code,
       coalesce(fi.name, ni.name)             AS item_name,
       j.scope,
       (CASE WHEN j.budget_loaded THEN j.bb END)::numeric(18,2) AS budget_basic,
       (CASE WHEN j.budget_loaded THEN j.bp END)::numeric(18,2) AS budget_project,
       (CASE WHEN j.budget_loaded THEN j.bt END)::numeric(18,2) AS budget_total,
       (CASE WHEN j.final_loaded THEN j.fb END)::numeric(18,2)  AS final_basic,
       (CASE WHEN j.final_loaded THEN j.fp END)::numeric(18,2)  AS final_project,
       (CASE WHEN j.final_loaded THEN j.ft END)::numeric(18,2)  AS final_total,
       (CASE WHEN j.budget_loaded AND j.final_loaded THEN j.ft - j.bt END)::numeric(18,2)
                                              AS variance,
       CASE WHEN j.budget_loaded AND j.final_loaded AND j.bt <> 0
            THEN round(j.ft / j.bt, 4) END    AS execution_rate,
       CASE WHEN j.budget_loaded AND j.final_loaded THEN j.bt = 0 AND j.ft > 0 END
                                              AS no_initial_budget,
       CASE WHEN j.budget_loaded AND j.final_loaded THEN j.bt > 0 AND j.ft = 0 END
                                              AS not_executed
FROM j
LEFT JOIN core.department_region d ON d.dept_code = j.dept_code
LEFT JOIN core.dim_function fc ON fc.fiscal_year = j.fiscal_year AND fc.code = left(j.code, 3)
LEFT JOIN core.dim_function fs ON fs.fiscal_year = j.fiscal_year AND fs.code = left(j.code, 5)
LEFT JOIN core.dim_function fi ON fi.fiscal_year = j.fiscal_year AND fi.code = j.code
LEFT JOIN core.function_names nc
       ON nc.fiscal_year = j.fiscal_year AND nc.dept_code = j.dept_code AND nc.code = left(j.code, 3)
LEFT JOIN core.function_names ns
       ON ns.fiscal_year = j.fiscal_year AND ns.dept_code = j.dept_code AND ns.code = left(j.code, 5)
LEFT JOIN core.function_names ni
       ON ni.fiscal_year = j.fiscal_year AND ni.dept_code = j.dept_code AND ni.code = j.code;

COMMENT ON VIEW mart.execution_by_function IS
    '预算执行情况（按项级科目）：一般公共预算（预算表5对决算表5）与全部资金（表3对表3） / budget execution per 项: general budget (table 5 of both stages) and all funds (table 3 of both)';

-- Per department: the general budget's totals (table 5's 合计 row, else its
-- leaves), the balances of table 1, the failed checks of the 决算.
CREATE VIEW mart.department_execution AS
WITH subs AS (
    SELECT DISTINCT fiscal_year, dept_code
    FROM etl.loaded_tables
    WHERE stage IN ('budget', 'final')
), t5 AS (
    SELECT fiscal_year, dept_code, stage,
           CASE WHEN bool_or(row_role = 'total')
                THEN sum(total_amount) FILTER (WHERE row_role = 'total')
                ELSE sum(total_amount) FILTER (WHERE row_role = 'leaf') END AS total,
           CASE WHEN bool_or(row_role = 'total')
                THEN sum(basic_amount) FILTER (WHERE row_role = 'total')
                ELSE sum(basic_amount) FILTER (WHERE row_role = 'leaf') END AS basic,
           CASE WHEN bool_or(row_role = 'total')
                THEN sum(coalesce(project, 0)) FILTER (WHERE row_role = 'total')
                ELSE sum(coalesce(project, 0)) FILTER (WHERE row_role = 'leaf') END AS project
    FROM core.function_amounts
    WHERE table_kind = 5 AND row_role IN ('total', 'leaf') AND stage IN ('budget', 'final')
    GROUP BY fiscal_year, dept_code, stage
), sides AS (
    SELECT s.fiscal_year, s.dept_code, st.stage,
           l.dept_code IS NOT NULL AS loaded,
           coalesce(t5.total, 0) AS total, coalesce(t5.basic, 0) AS basic,
           coalesce(t5.project, 0) AS project
    FROM subs s
    CROSS JOIN (VALUES ('budget'), ('final')) st(stage)
    LEFT JOIN etl.loaded_tables l
           ON l.fiscal_year = s.fiscal_year AND l.dept_code = s.dept_code
          AND l.stage = st.stage AND l.table_kind = 5
    LEFT JOIN t5 ON t5.fiscal_year = s.fiscal_year AND t5.dept_code = s.dept_code
                AND t5.stage = st.stage
), t1 AS (
    SELECT fiscal_year, dept_code,
           coalesce(sum(amount) FILTER (WHERE row_role = 'income' AND code = 'carryover_begin'), 0)
               AS carryover_begin,
           coalesce(sum(amount) FILTER (WHERE row_role = 'expense' AND code = 'carryover_end'), 0)
               AS carryover_end
    FROM core.fact_amount
    WHERE stage = 'final' AND table_kind = 1 AND measure = 'amount'
    GROUP BY fiscal_year, dept_code
), chk AS MATERIALIZED (
    -- computed once: joined directly, the planner (misjudging sides at one
    -- row) re-ran the aggregate over etl.checks for every department
    -- (100 s at 300 departments)
    SELECT fiscal_year, dept_code, failed FROM core.stage_checks_failed WHERE stage = 'final'
)
SELECT s.fiscal_year,
       d.region,
       s.dept_code,
       d.dept_name,
       (CASE WHEN b.loaded THEN b.total END)::numeric(18,2)   AS budget_total,
       (CASE WHEN f.loaded THEN f.total END)::numeric(18,2)   AS final_total,
       CASE WHEN b.loaded AND f.loaded AND b.total <> 0 THEN round(f.total / b.total, 4) END
                                                             AS execution_rate,
       (CASE WHEN b.loaded THEN b.basic END)::numeric(18,2)   AS budget_basic,
       (CASE WHEN f.loaded THEN f.basic END)::numeric(18,2)   AS final_basic,
       CASE WHEN b.loaded AND f.loaded AND b.basic <> 0 THEN round(f.basic / b.basic, 4) END
                                                             AS basic_rate,
       (CASE WHEN b.loaded THEN b.project END)::numeric(18,2) AS budget_project,
       (CASE WHEN f.loaded THEN f.project END)::numeric(18,2) AS final_project,
       CASE WHEN b.loaded AND f.loaded AND b.project <> 0 THEN round(f.project / b.project, 4) END
                                                             AS project_rate,
       (CASE WHEN l1.dept_code IS NOT NULL THEN coalesce(t1.carryover_begin, 0) END)::numeric(18,2)
                                                             AS carryover_begin,
       (CASE WHEN l1.dept_code IS NOT NULL THEN coalesce(t1.carryover_end, 0) END)::numeric(18,2)
                                                             AS carryover_end,
       CASE WHEN lf.any_final THEN coalesce(c.failed, 0) END AS checks_failed_final
FROM subs s
JOIN sides b ON b.fiscal_year = s.fiscal_year AND b.dept_code = s.dept_code AND b.stage = 'budget'
JOIN sides f ON f.fiscal_year = s.fiscal_year AND f.dept_code = s.dept_code AND f.stage = 'final'
LEFT JOIN core.department_region d ON d.dept_code = s.dept_code
LEFT JOIN etl.loaded_tables l1
       ON l1.fiscal_year = s.fiscal_year AND l1.dept_code = s.dept_code
      AND l1.stage = 'final' AND l1.table_kind = 1
LEFT JOIN t1 ON t1.fiscal_year = s.fiscal_year AND t1.dept_code = s.dept_code
LEFT JOIN (SELECT fiscal_year, dept_code, true AS any_final
           FROM etl.loaded_tables WHERE stage = 'final'
           GROUP BY fiscal_year, dept_code) lf
       ON lf.fiscal_year = s.fiscal_year AND lf.dept_code = s.dept_code
LEFT JOIN chk c ON c.fiscal_year = s.fiscal_year AND c.dept_code = s.dept_code;

COMMENT ON VIEW mart.department_execution IS
    '部门预算执行率：一般公共预算（预算表5对决算表5）的合计、基本支出、项目支出，决算表1的年初、年末结转和结余，决算未通过的校验数 / budget execution per department: general budget totals (table 5 of both stages), balances from 决算 table 1, failed checks of the 决算';

-- "三公" spending: the budget's table 7, and the 决算 table 7's 预算数 and 决算数.
CREATE VIEW mart.three_public_execution AS
WITH subs AS (
    SELECT DISTINCT fiscal_year, dept_code
    FROM etl.loaded_tables
    WHERE stage IN ('budget', 'final')
), t7 AS (
    SELECT fiscal_year, dept_code, stage, sfx,
           coalesce(sum(amount) FILTER (WHERE measure = 'outbound_travel' || sfx), 0)    AS ot,
           coalesce(sum(amount) FILTER (WHERE measure = 'vehicle_purchase' || sfx), 0)   AS vp,
           coalesce(sum(amount) FILTER (WHERE measure = 'vehicle_operation' || sfx), 0)  AS vo,
           coalesce(sum(amount) FILTER (WHERE measure = 'official_reception' || sfx), 0) AS orc,
           sum(amount) FILTER (WHERE measure = 'vehicle_total' || sfx)                   AS vt,
           sum(amount) FILTER (WHERE measure = 'total' || sfx)                           AS tot
    FROM core.fact_amount
    CROSS JOIN (VALUES (''), ('_budget')) x(sfx)
    WHERE table_kind = 7 AND row_role = 'three_public' AND stage IN ('budget', 'final')
    GROUP BY fiscal_year, dept_code, stage, sfx
), v AS (
    SELECT t.*, coalesce(t.tot, t.ot + coalesce(t.vt, t.vp + t.vo) + t.orc) AS total
    FROM t7 t
), sides AS (
    -- b: the budget stage; bf: the 决算's 预算数; f: the 决算数
    SELECT s.fiscal_year, s.dept_code, k.side,
           l.dept_code IS NOT NULL AS loaded,
           coalesce(v.ot, 0) AS ot, coalesce(v.vp, 0) AS vp, coalesce(v.vo, 0) AS vo,
           coalesce(v.orc, 0) AS orc, coalesce(v.total, 0) AS total
    FROM subs s
    CROSS JOIN (VALUES ('b', 'budget', ''), ('bf', 'final', '_budget'), ('f', 'final', ''))
               k(side, stage, sfx)
    LEFT JOIN etl.loaded_tables l
           ON l.fiscal_year = s.fiscal_year AND l.dept_code = s.dept_code
          AND l.stage = k.stage AND l.table_kind = 7
    LEFT JOIN v ON v.fiscal_year = s.fiscal_year AND v.dept_code = s.dept_code
               AND v.stage = k.stage AND v.sfx = k.sfx
)
SELECT s.fiscal_year,
       d.region,
       s.dept_code,
       d.dept_name,
       (CASE WHEN b.loaded THEN b.ot END)::numeric(18,2)     AS outbound_travel_budget,
       (CASE WHEN bf.loaded THEN bf.ot END)::numeric(18,2)   AS outbound_travel_budget_in_final,
       (CASE WHEN f.loaded THEN f.ot END)::numeric(18,2)     AS outbound_travel_final,
       (CASE WHEN b.loaded THEN b.vp END)::numeric(18,2)     AS vehicle_purchase_budget,
       (CASE WHEN bf.loaded THEN bf.vp END)::numeric(18,2)   AS vehicle_purchase_budget_in_final,
       (CASE WHEN f.loaded THEN f.vp END)::numeric(18,2)     AS vehicle_purchase_final,
       (CASE WHEN b.loaded THEN b.vo END)::numeric(18,2)     AS vehicle_operation_budget,
       (CASE WHEN bf.loaded THEN bf.vo END)::numeric(18,2)   AS vehicle_operation_budget_in_final,
       (CASE WHEN f.loaded THEN f.vo END)::numeric(18,2)     AS vehicle_operation_final,
       (CASE WHEN b.loaded THEN b.orc END)::numeric(18,2)    AS official_reception_budget,
       (CASE WHEN bf.loaded THEN bf.orc END)::numeric(18,2)  AS official_reception_budget_in_final,
       (CASE WHEN f.loaded THEN f.orc END)::numeric(18,2)    AS official_reception_final,
       (CASE WHEN b.loaded THEN b.total END)::numeric(18,2)  AS total_budget,
       (CASE WHEN bf.loaded THEN bf.total END)::numeric(18,2) AS total_budget_in_final,
       (CASE WHEN f.loaded THEN f.total END)::numeric(18,2)  AS total_final,
       CASE WHEN f.loaded AND bf.total <> 0 THEN round(f.total / bf.total, 4) END
                                                             AS execution_rate,
       CASE WHEN f.loaded
            THEN f.ot > bf.ot OR f.vp > bf.vp OR f.vo > bf.vo OR f.orc > bf.orc END
                                                             AS over_budget,
       (CASE WHEN pf.loaded THEN pf.total END)::numeric(18,2) AS final_prev_year,
       (CASE WHEN f.loaded AND pf.loaded THEN f.total - pf.total END)::numeric(18,2)
                                                             AS yoy_change
FROM subs s
JOIN sides b  ON b.fiscal_year = s.fiscal_year AND b.dept_code = s.dept_code AND b.side = 'b'
JOIN sides bf ON bf.fiscal_year = s.fiscal_year AND bf.dept_code = s.dept_code AND bf.side = 'bf'
JOIN sides f  ON f.fiscal_year = s.fiscal_year AND f.dept_code = s.dept_code AND f.side = 'f'
LEFT JOIN core.department_region d ON d.dept_code = s.dept_code
LEFT JOIN (
    SELECT l.fiscal_year, l.dept_code, true AS loaded, coalesce(v.total, 0) AS total
    FROM etl.loaded_tables l
    LEFT JOIN v ON v.fiscal_year = l.fiscal_year AND v.dept_code = l.dept_code
               AND v.stage = 'final' AND v.sfx = ''
    WHERE l.stage = 'final' AND l.table_kind = 7
) pf ON pf.fiscal_year = s.fiscal_year - 1 AND pf.dept_code = s.dept_code;

COMMENT ON VIEW mart.three_public_execution IS
    '“三公”经费预算执行：预算表7、决算表7的预算数与决算数，执行率、是否超预算、与上年决算比较 / "three public" execution: budget table 7, 决算 table 7''s 预算数 and 决算数, rate, over-budget flag and change from the previous year''s 决算';

-- Per economic 款: budget table 6 against 决算 table 6.
CREATE VIEW mart.economic_execution AS
WITH sides AS (
    SELECT fiscal_year, dept_code, stage, econ_code,
           sum(personnel_amount) AS personnel, sum(public_amount) AS public
    FROM core.economic_expenditure
    WHERE stage IN ('budget', 'final')
    GROUP BY fiscal_year, dept_code, stage, econ_code
), codes AS (
    SELECT DISTINCT fiscal_year, dept_code, econ_code
    FROM sides
    WHERE personnel <> 0 OR public <> 0
), j AS (
    SELECT c.*,
           lb.dept_code IS NOT NULL AS budget_loaded,
           lf.dept_code IS NOT NULL AS final_loaded,
           coalesce(b.personnel, 0) AS bp, coalesce(b.public, 0) AS bq,
           coalesce(f.personnel, 0) AS fp, coalesce(f.public, 0) AS fq
    FROM codes c
    LEFT JOIN etl.loaded_tables lb
           ON lb.fiscal_year = c.fiscal_year AND lb.dept_code = c.dept_code
          AND lb.stage = 'budget' AND lb.table_kind = 6
    LEFT JOIN etl.loaded_tables lf
           ON lf.fiscal_year = c.fiscal_year AND lf.dept_code = c.dept_code
          AND lf.stage = 'final' AND lf.table_kind = 6
    LEFT JOIN sides b
           ON b.fiscal_year = c.fiscal_year AND b.dept_code = c.dept_code
          AND b.stage = 'budget' AND b.econ_code = c.econ_code
    LEFT JOIN sides f
           ON f.fiscal_year = c.fiscal_year AND f.dept_code = c.dept_code
          AND f.stage = 'final' AND f.econ_code = c.econ_code
)
SELECT j.fiscal_year,
       d.region,
       j.dept_code,
       d.dept_name,
       left(j.econ_code, 3)                     AS econ_class_code,
       coalesce(ec.name, n.econ_class_name)     AS econ_class_name,
       j.econ_code,
       coalesce(en.name, n.econ_name)           AS econ_name,
       (CASE WHEN j.budget_loaded THEN j.bp END)::numeric(18,2) AS budget_personnel,
       (CASE WHEN j.budget_loaded THEN j.bq END)::numeric(18,2) AS budget_public,
       (CASE WHEN j.final_loaded THEN j.fp END)::numeric(18,2)  AS final_personnel,
       (CASE WHEN j.final_loaded THEN j.fq END)::numeric(18,2)  AS final_public,
       CASE WHEN j.budget_loaded AND j.final_loaded AND j.bp + j.bq <> 0
            THEN round((j.fp + j.fq) / (j.bp + j.bq), 4) END    AS execution_rate
FROM j
LEFT JOIN core.department_region d ON d.dept_code = j.dept_code
LEFT JOIN core.dim_economic ec
       ON ec.fiscal_year = j.fiscal_year AND ec.scheme = 'dept' AND ec.code = left(j.econ_code, 3)
LEFT JOIN core.dim_economic en
       ON en.fiscal_year = j.fiscal_year AND en.scheme = 'dept' AND en.code = j.econ_code
LEFT JOIN (
    SELECT fiscal_year, dept_code, econ_code, min(econ_class_name) AS econ_class_name,
           min(econ_name) AS econ_name
    FROM core.economic_expenditure
    GROUP BY fiscal_year, dept_code, econ_code
) n ON n.fiscal_year = j.fiscal_year AND n.dept_code = j.dept_code AND n.econ_code = j.econ_code;

COMMENT ON VIEW mart.economic_execution IS
    '基本支出按经济分类款级科目的预算执行：预算表6对决算表6 / basic expenditure execution per economic 款: budget table 6 against 决算 table 6';

-- Across departments (materialized) -----------------------------------------

-- execution_by_function summed per year, region, level and code over the
-- departments with both stages' table loaded for that year (table 5 for
-- general_budget, table 3 for all_funds), a unit's only when its parent has
-- neither (core.counted_tables).  departments: those with either side
-- non-zero at that code; departments_under_90 / departments_over_100: those
-- whose own rate at that code, rounded to 4 decimals, is below 0.9 / above 1.
-- Sums across departments are numeric(38,2), as in function_rollup.
CREATE TABLE core.execution_rollup_store (
    fiscal_year          smallint NOT NULL,
    region               text,
    level                text NOT NULL,
    code                 text NOT NULL,
    scope                text NOT NULL,
    name                 text,
    departments          integer NOT NULL,
    budget_total         numeric(38,2) NOT NULL,
    final_total          numeric(38,2) NOT NULL,
    variance             numeric(38,2) NOT NULL,
    execution_rate       numeric,
    departments_under_90 integer NOT NULL,
    departments_over_100 integer NOT NULL,
    level_no             smallint NOT NULL
);
CREATE INDEX execution_rollup_store_year ON core.execution_rollup_store (fiscal_year);

COMMENT ON TABLE core.execution_rollup_store IS
    '预算执行跨部门汇总的存量（按年度增量刷新） / the rows of mart.execution_rollup, refreshed by year (etl.refresh_marts)';

-- PL/pgSQL rather than SQL for Citus (sql/citus/README.md): Citus cannot plan
-- a SQL function over distributed tables called in FROM ("parameterized
-- queries for SQL functions referencing distributed tables are not
-- supported"); the same query, planned here with the years given.
CREATE FUNCTION core.execution_rollup_rows(p_years smallint[])
RETURNS SETOF core.execution_rollup_store
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
-- nothing to compare without a counted 决算 in these years (a nightly load of
-- budgets): return before the function tables of the years are aggregated
IF NOT EXISTS (SELECT 1 FROM core.counted_tables
               WHERE stage = 'final' AND counted
                 AND (p_years IS NULL OR fiscal_year = ANY (p_years))) THEN
    RETURN;
END IF;
RETURN QUERY
WITH scopes (scope, table_kind) AS (
    VALUES ('general_budget', 5), ('all_funds', 3)
), ent AS (
    SELECT s.scope, s.table_kind, b.fiscal_year, b.dept_code
    FROM scopes s
    JOIN core.counted_tables b ON b.table_kind = s.table_kind AND b.stage = 'budget' AND b.counted
     AND (p_years IS NULL OR b.fiscal_year = ANY (p_years))
    JOIN core.counted_tables f
      ON f.fiscal_year = b.fiscal_year AND f.dept_code = b.dept_code
     AND f.table_kind = s.table_kind AND f.stage = 'final' AND f.counted
), per AS (
    SELECT e.scope, e.fiscal_year, e.dept_code, lv.level_no, lv.code,
           coalesce(sum(fa.total_amount) FILTER (WHERE fa.stage = 'budget'), 0) AS b,
           coalesce(sum(fa.total_amount) FILTER (WHERE fa.stage = 'final'), 0)  AS f
    FROM ent e
    JOIN core.function_amounts fa
      ON fa.fiscal_year = e.fiscal_year AND fa.dept_code = e.dept_code
     AND fa.table_kind = e.table_kind AND fa.row_role = 'leaf' AND fa.stage IN ('budget', 'final')
     AND (p_years IS NULL OR fa.fiscal_year = ANY (p_years))
    CROSS JOIN LATERAL (VALUES (1, left(fa.code, 3)), (2, left(fa.code, 5)), (3, fa.code))
               lv(level_no, code)
    GROUP BY e.scope, e.fiscal_year, e.dept_code, lv.level_no, lv.code
), agg AS (
    SELECT p.fiscal_year, r.region, p.level_no, p.code, p.scope,
           count(*) FILTER (WHERE p.b <> 0 OR p.f <> 0) AS departments,
           sum(p.b) AS budget_total, sum(p.f) AS final_total,
           count(*) FILTER (WHERE p.b <> 0 AND round(p.f / p.b, 4) < 0.9) AS under_90,
           count(*) FILTER (WHERE p.b <> 0 AND round(p.f / p.b, 4) > 1)   AS over_100,
           min(n.name) AS printed_name
    FROM per p
    LEFT JOIN core.department_region r ON r.dept_code = p.dept_code
    LEFT JOIN core.function_names n
           ON n.fiscal_year = p.fiscal_year AND n.dept_code = p.dept_code AND n.code = p.code
    GROUP BY p.fiscal_year, r.region, p.level_no, p.code, p.scope
)
SELECT a.fiscal_year,
       a.region,
       (ARRAY['类', '款', '项'])[a.level_no]         AS level,
       a.code,
       a.scope,
       coalesce(df.name, a.printed_name)              AS name,
       a.departments::integer                         AS departments,
       a.budget_total::numeric(38,2)                  AS budget_total,
       a.final_total::numeric(38,2)                   AS final_total,
       (a.final_total - a.budget_total)::numeric(38,2) AS variance,
       CASE WHEN a.budget_total <> 0 THEN round(a.final_total / a.budget_total, 4) END
                                                      AS execution_rate,
       a.under_90::integer                            AS departments_under_90,
       a.over_100::integer                            AS departments_over_100,
       a.level_no::smallint                           AS level_no
FROM agg a
LEFT JOIN core.dim_function df ON df.fiscal_year = a.fiscal_year AND df.code = a.code
WHERE a.budget_total <> 0 OR a.final_total <> 0;
END
$fn$;

COMMENT ON FUNCTION core.execution_rollup_rows(smallint[]) IS
    '预算执行跨部门汇总，按年度计算（NULL：全部年度） / execution_rollup computed from the facts for the given years (NULL: all)';

INSERT INTO core.execution_rollup_store SELECT * FROM core.execution_rollup_rows(NULL);

CREATE MATERIALIZED VIEW mart.execution_rollup AS
SELECT * FROM core.execution_rollup_store;

CREATE UNIQUE INDEX execution_rollup_key
    ON mart.execution_rollup (fiscal_year, region, level, code, scope);
CREATE INDEX execution_rollup_region ON mart.execution_rollup (region, scope, level, fiscal_year);

COMMENT ON MATERIALIZED VIEW mart.execution_rollup IS
    '预算执行跨部门汇总（类/款/项，一般公共预算与全部资金） / budget execution summed across departments at 类, 款 and 项 level, per scope (materialized: etl.refresh_marts())';
