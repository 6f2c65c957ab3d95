-- mart_figures: the mart views compute the right figures from a fixture of
-- facts written as the loader writes them (one row per file line and
-- measure, zero amounts omitted except on table 7).
--
-- Fixture: years 2031 and 2032 (no real submission uses them), departments
-- T901 (行政) and T902 (事业) in 测试甲区, T903 (参公) in 测试乙区.
-- Amounts are small yuan figures so the expected values can be read off.
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(29);

INSERT INTO core.dim_region VALUES
    ('测试省/测试市/测试甲区', '测试省', '测试市', '测试甲区'),
    ('测试省/测试市/测试乙区', '测试省', '测试市', '测试乙区');
INSERT INTO core.dim_department VALUES
    ('T901', '测试甲局', '测试省/测试市/测试甲区', '行政', true),
    ('T902', '测试乙中心', '测试省/测试市/测试甲区', '事业', true),
    ('T903', '测试丙所', '测试省/测试市/测试乙区', '参公', true);

-- 2032's list lacks 206 and 2060199: their names come from the file's labels.
INSERT INTO core.dim_function (fiscal_year, code, name, level, parent_code, cofog_division)
SELECT y, code, name, level, parent, cofog
FROM (VALUES (2031), (2032)) AS ys(y),
     (VALUES ('201', '一般公共服务支出', 1, NULL, '01'),
             ('20103', '政府办公厅（室）及相关机构事务', 2, '201', NULL),
             ('2010301', '行政运行', 3, '20103', NULL),
             ('2010302', '一般行政管理事务', 3, '20103', NULL),
             ('2010350', '事业运行', 3, '20103', NULL),
             ('206', '科学技术支出', 1, NULL, '04'),
             ('20601', '科学技术管理事务', 2, '206', NULL),
             ('2060199', '其他科学技术管理事务支出', 3, '20601', NULL)) AS f(code, name, level, parent, cofog)
WHERE NOT (y = 2032 AND code IN ('206', '2060199', '2010350'));

-- 2010350 was merged into 2010302 in 2032.
INSERT INTO core.code_change VALUES ('function', 2031, '2010350', 2032, '2010302', 'merged', NULL);

INSERT INTO core.dim_economic VALUES
    (2031, 'dept', '301', '工资福利支出', 1, NULL),
    (2031, 'dept', '30101', '基本工资', 2, '301'),
    (2031, 'dept', '302', '商品和服务支出', 1, NULL),
    (2031, 'dept', '30201', '办公费', 2, '302'),
    (2031, 'gov', '50101', '工资奖金津补贴', 2, '501'),
    (2031, 'gov', '50201', '办公经费', 2, '502'),
    (2031, 'gov', '50501', '工资福利支出', 2, '505'),
    (2031, 'gov', '50502', '商品和服务支出', 2, '505');
INSERT INTO core.econ_crosswalk VALUES
    (2031, '行政', '30101', '50101'), (2031, '行政', '30201', '50201'),
    (2031, '事业', '30101', '50501'), (2031, '事业', '30201', '50502');

INSERT INTO core.fact_amount
    (fiscal_year, dept_code, stage, table_kind, row_role, code, label, measure, amount, file_id, line)
SELECT fy, dept, coalesce(stage, 'budget'), tk, role, code, label, measure, amount, 0, line
FROM (VALUES
    -- table 3, 2031, T901: 合计 row, subtotals, leaves
    (2031, 'T901', NULL, 3, 'total',    NULL,      '合计',     'total',   1000.00, 5),
    (2031, 'T901', NULL, 3, 'total',    NULL,      '合计',     'basic',    600.00, 5),
    (2031, 'T901', NULL, 3, 'total',    NULL,      '合计',     'project',  400.00, 5),
    (2031, 'T901', NULL, 3, 'subtotal', '201',     '一般公共服务支出', 'total', 800.00, 6),
    (2031, 'T901', NULL, 3, 'subtotal', '20103',   '政府办公厅（室）及相关机构事务', 'total', 800.00, 7),
    (2031, 'T901', NULL, 3, 'leaf',     '2010301', '行政运行', 'total',    600.00, 8),
    (2031, 'T901', NULL, 3, 'leaf',     '2010301', '行政运行', 'basic',    600.00, 8),
    (2031, 'T901', NULL, 3, 'leaf',     '2010302', '一般行政管理事务', 'total', 150.00, 9),
    (2031, 'T901', NULL, 3, 'leaf',     '2010302', '一般行政管理事务', 'project', 150.00, 9),
    (2031, 'T901', NULL, 3, 'leaf',     '2010350', '事业运行', 'total',     50.00, 10),
    (2031, 'T901', NULL, 3, 'leaf',     '2010350', '事业运行', 'project',   50.00, 10),
    (2031, 'T901', NULL, 3, 'leaf',     '2010399', '其他',     'total',      0.00, 11),
    (2031, 'T901', NULL, 3, 'subtotal', '206',     '科学技术支出', 'total', 200.00, 12),
    (2031, 'T901', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'total', 200.00, 13),
    (2031, 'T901', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'project', 200.00, 13),
    -- a final-accounts figure never shows in mart
    (2031, 'T901', 'final', 3, 'leaf',  '2010301', '行政运行', 'total',    999.00, 8),
    -- table 3, 2031, T902: no 合计 row; 2010301 has no 合计 column value
    (2031, 'T902', NULL, 3, 'leaf',     '2010301', '行政运行', 'basic',    300.00, 5),
    (2031, 'T902', NULL, 3, 'leaf',     '2010302', '一般行政管理事务', 'total', 70.00, 6),
    (2031, 'T902', NULL, 3, 'leaf',     '2010302', '一般行政管理事务', 'project', 20.00, 6),
    (2031, 'T902', NULL, 3, 'leaf',     '2010302', '一般行政管理事务', 'upper_remit', 50.00, 6),
    (2031, 'T902', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'total', 100.00, 7),
    (2031, 'T902', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'project', 100.00, 7),
    (2031, 'T902', NULL, 3, 'leaf',     '2080505', '机关事业单位基本养老保险缴费支出', 'total', 30.00, 8),
    (2031, 'T902', NULL, 3, 'leaf',     '2080505', '机关事业单位基本养老保险缴费支出', 'basic', 30.00, 8),
    -- table 3, 2031, T903
    (2031, 'T903', NULL, 3, 'total',    NULL,      '合计',     'total',    400.00, 5),
    (2031, 'T903', NULL, 3, 'total',    NULL,      '合计',     'basic',    400.00, 5),
    (2031, 'T903', NULL, 3, 'leaf',     '2010301', '行政运行', 'total',    400.00, 6),
    (2031, 'T903', NULL, 3, 'leaf',     '2010301', '行政运行', 'basic',    400.00, 6),
    -- table 3, 2032
    (2032, 'T901', NULL, 3, 'total',    NULL,      '合计',     'total',   1200.00, 5),
    (2032, 'T901', NULL, 3, 'total',    NULL,      '合计',     'basic',    650.00, 5),
    (2032, 'T901', NULL, 3, 'total',    NULL,      '合计',     'project',  550.00, 5),
    (2032, 'T901', NULL, 3, 'leaf',     '2010301', '行政运行', 'total',    650.00, 6),
    (2032, 'T901', NULL, 3, 'leaf',     '2010301', '行政运行', 'basic',    650.00, 6),
    (2032, 'T901', NULL, 3, 'leaf',     '2010302', '一般行政管理事务', 'total', 300.00, 7),
    (2032, 'T901', NULL, 3, 'leaf',     '2010302', '一般行政管理事务', 'project', 300.00, 7),
    (2032, 'T901', NULL, 3, 'subtotal', '206',     '　科学技术支出', 'total', 250.00, 8),
    (2032, 'T901', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'total', 250.00, 9),
    (2032, 'T901', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'project', 250.00, 9),
    (2032, 'T902', NULL, 3, 'total',    NULL,      '合计',     'total',    500.00, 5),
    (2032, 'T902', NULL, 3, 'total',    NULL,      '合计',     'basic',    350.00, 5),
    (2032, 'T902', NULL, 3, 'total',    NULL,      '合计',     'project',  150.00, 5),
    (2032, 'T902', NULL, 3, 'leaf',     '2010301', '行政运行', 'total',    350.00, 6),
    (2032, 'T902', NULL, 3, 'leaf',     '2010301', '行政运行', 'basic',    350.00, 6),
    (2032, 'T902', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'total', 150.00, 7),
    (2032, 'T902', NULL, 3, 'leaf',     '2060199', '其他科学技术管理事务支出', 'project', 150.00, 7),
    -- table 5, 2031, T901: 2060199 prints only 人员经费/公用经费
    (2031, 'T901', NULL, 5, 'leaf',     '2010301', '行政运行', 'total',    600.00, 6),
    (2031, 'T901', NULL, 5, 'leaf',     '2010301', '行政运行', 'basic',    600.00, 6),
    (2031, 'T901', NULL, 5, 'leaf',     '2010301', '行政运行', 'personnel', 550.00, 6),
    (2031, 'T901', NULL, 5, 'leaf',     '2010301', '行政运行', 'public',    50.00, 6),
    (2031, 'T901', NULL, 5, 'leaf',     '2060199', '其他科学技术管理事务支出', 'personnel', 10.00, 7),
    (2031, 'T901', NULL, 5, 'leaf',     '2060199', '其他科学技术管理事务支出', 'public', 5.00, 7),
    -- tables 8 and 10
    (2031, 'T901', NULL, 8, 'leaf',     '2120801', '征地和拆迁补偿支出', 'total', 70.00, 5),
    (2031, 'T901', NULL, 8, 'leaf',     '2120801', '征地和拆迁补偿支出', 'project', 70.00, 5),
    (2031, 'T901', NULL, 10, 'leaf',    '2230101', '资本性支出', 'total',   10.00, 5),
    (2031, 'T901', NULL, 10, 'leaf',    '2230101', '资本性支出', 'basic',   10.00, 5),
    -- table 6, 2031
    (2031, 'T901', NULL, 6, 'subtotal', '301',   '工资福利支出', 'total', 100.00, 5),
    (2031, 'T901', NULL, 6, 'leaf',     '30101', '基本工资', 'total',     100.00, 6),
    (2031, 'T901', NULL, 6, 'leaf',     '30101', '基本工资', 'personnel', 100.00, 6),
    (2031, 'T901', NULL, 6, 'leaf',     '30201', '办公费',   'total',      20.00, 7),
    (2031, 'T901', NULL, 6, 'leaf',     '30201', '办公费',   'public',     20.00, 7),
    (2031, 'T902', NULL, 6, 'leaf',     '30101', '基本工资', 'personnel',  80.00, 5),
    (2031, 'T902', NULL, 6, 'leaf',     '30201', '办公费',   'total',      10.00, 6),
    (2031, 'T902', NULL, 6, 'leaf',     '30201', '办公费',   'public',     10.00, 6),
    (2031, 'T902', NULL, 6, 'leaf',     '30399', '其他对个人和家庭的补助', 'personnel', 5.00, 7),
    (2031, 'T903', NULL, 6, 'leaf',     '30101', '基本工资', 'total',      40.00, 5),
    (2031, 'T903', NULL, 6, 'leaf',     '30101', '基本工资', 'personnel',  40.00, 5),
    -- table 2: T901 2031 has a 合计 row (its leaves differ, to show which wins)
    (2031, 'T901', NULL, 2, 'total', NULL, '合计', 'total',           1100.00, 6),
    (2031, 'T901', NULL, 2, 'total', NULL, '合计', 'income_subtotal', 1000.00, 6),
    (2031, 'T901', NULL, 2, 'total', NULL, '合计', 'general_budget',   900.00, 6),
    (2031, 'T901', NULL, 2, 'total', NULL, '合计', 'other',            100.00, 6),
    (2031, 'T901', NULL, 2, 'total', NULL, '合计', 'carryover',        100.00, 6),
    (2031, 'T901', NULL, 2, 'leaf', '2010301', '行政运行', 'total',          800.00, 9),
    (2031, 'T901', NULL, 2, 'leaf', '2010301', '行政运行', 'general_budget', 800.00, 9),
    (2031, 'T902', NULL, 2, 'total', NULL, '合计', 'total',            480.00, 6),
    (2031, 'T902', NULL, 2, 'total', NULL, '合计', 'general_budget',   480.00, 6),
    -- T901 2032: no 合计 row, the leaves are summed
    (2032, 'T901', NULL, 2, 'leaf', '2010301', '行政运行', 'total',          700.00, 7),
    (2032, 'T901', NULL, 2, 'leaf', '2010301', '行政运行', 'general_budget', 700.00, 7),
    (2032, 'T901', NULL, 2, 'leaf', '2060199', '其他科学技术管理事务支出', 'total', 500.00, 8),
    (2032, 'T901', NULL, 2, 'leaf', '2060199', '其他科学技术管理事务支出', 'general_budget', 400.00, 8),
    (2032, 'T901', NULL, 2, 'leaf', '2060199', '其他科学技术管理事务支出', 'business', 100.00, 8),
    -- T902 2032: a 合计 row without a 合计 column
    (2032, 'T902', NULL, 2, 'total', NULL, '合计', 'general_budget', 300.00, 6),
    (2032, 'T902', NULL, 2, 'total', NULL, '合计', 'other',          100.00, 6),
    (2032, 'T902', NULL, 2, 'total', NULL, '合计', 'carryover',       50.00, 6),
    -- table 1, T901 2031 only
    (2031, 'T901', NULL, 1, 'income',  'general_budget', '一、一般公共预算拨款收入', 'amount', 900.00, 6),
    (2031, 'T901', NULL, 1, 'income',  'income_total',   '收入总计', 'amount', 1050.00, 14),
    (2031, 'T901', NULL, 1, 'expense', 'expense_total',  '支出总计', 'amount', 1050.00, 14),
    -- table 7: T901 all zeros (written), T902 with 机关运行经费
    (2031, 'T901', NULL, 7, 'three_public', NULL, NULL, 'total',              0.00, 6),
    (2031, 'T901', NULL, 7, 'three_public', NULL, NULL, 'outbound_travel',    0.00, 6),
    (2031, 'T901', NULL, 7, 'three_public', NULL, NULL, 'vehicle_total',      0.00, 6),
    (2031, 'T901', NULL, 7, 'three_public', NULL, NULL, 'vehicle_purchase',   0.00, 6),
    (2031, 'T901', NULL, 7, 'three_public', NULL, NULL, 'vehicle_operation',  0.00, 6),
    (2031, 'T901', NULL, 7, 'three_public', NULL, NULL, 'official_reception', 0.00, 6),
    (2031, 'T902', NULL, 7, 'three_public', NULL, NULL, 'total',           3500.00, 6),
    (2031, 'T902', NULL, 7, 'three_public', NULL, NULL, 'outbound_travel', 1000.00, 6),
    (2031, 'T902', NULL, 7, 'three_public', NULL, NULL, 'vehicle_total',   2000.00, 6),
    (2031, 'T902', NULL, 7, 'three_public', NULL, NULL, 'vehicle_purchase',   0.00, 6),
    (2031, 'T902', NULL, 7, 'three_public', NULL, NULL, 'vehicle_operation', 2000.00, 6),
    (2031, 'T902', NULL, 7, 'three_public', NULL, NULL, 'official_reception', 500.00, 6),
    (2031, 'T902', NULL, 7, 'three_public', NULL, NULL, 'admin_operating', 5000.00, 6)
) AS f(fy, dept, stage, tk, role, code, label, measure, amount, line);

INSERT INTO core.project (fiscal_year, dept_code, project_no, project_name, supervisor, amount, goal, file_id, line) VALUES
    (2031, 'T901', 1, '窗口工作经费', '测试甲局', 530000.00, '保障项目顺利实施', 0, 5),
    (2031, 'T901', 2, '无指标项目', '测试甲局', 10000.00, NULL, 0, 13);
INSERT INTO core.project_indicator (fiscal_year, dept_code, project_no, indicator_no, level1, level2, level3,
                                    target_text, target_operator, target_value, target_unit, file_id, line) VALUES
    (2031, 'T901', 1, 1, '成本指标', '经济成本指标', '总成本控制', '=53万元', '=', 53, '万元', 0, 5),
    (2031, 'T901', 1, 2, '满意度指标', '服务对象满意度指标', '群众满意度', '显著提升', NULL, NULL, NULL, 0, 6);

-- Checks: T901's latest run with checks is 900000002, T902's is 900000001.
INSERT INTO etl.runs (run_id) VALUES (900000001), (900000002), (900000003);
INSERT INTO etl.checks (run_id, fiscal_year, dept_code, table_kind, check_name, passed) VALUES
    (900000001, 2031, 'T901', 3, 'subtotal', false),
    (900000001, 2031, 'T901', 3, 'subtotal', false),
    (900000001, 2031, 'T901', 3, 'subtotal', true),
    (900000002, 2031, 'T901', 3, 'subtotal', false),
    (900000002, 2031, 'T901', 1, 'balance',  true),
    (900000001, 2031, 'T902', 3, 'subtotal', false),
    (900000003, 2032, 'T901', 3, 'subtotal', true);

-- expenditure_by_function ------------------------------------------------------

SELECT results_eq(
    $$SELECT dept_code, region, dept_name, class_code, class_name, section_code, section_name,
             item_code, item_name, basic_amount, project_amount, total_amount
      FROM mart.expenditure_by_function WHERE fiscal_year = 2031 AND dept_code IN ('T901', 'T902')
      ORDER BY dept_code, item_code$$,
    $$VALUES
      ('T901', '测试甲区', '测试甲局', '201', '一般公共服务支出', '20103', '政府办公厅（室）及相关机构事务', '2010301', '行政运行', 600.00::numeric(18,2), 0.00::numeric(18,2), 600.00::numeric(18,2)),
      ('T901', '测试甲区', '测试甲局', '201', '一般公共服务支出', '20103', '政府办公厅（室）及相关机构事务', '2010302', '一般行政管理事务', 0.00, 150.00, 150.00),
      ('T901', '测试甲区', '测试甲局', '201', '一般公共服务支出', '20103', '政府办公厅（室）及相关机构事务', '2010350', '事业运行', 0.00, 50.00, 50.00),
      ('T901', '测试甲区', '测试甲局', '206', '科学技术支出', '20601', '科学技术管理事务', '2060199', '其他科学技术管理事务支出', 0.00, 200.00, 200.00),
      ('T902', '测试甲区', '测试乙中心', '201', '一般公共服务支出', '20103', '政府办公厅（室）及相关机构事务', '2010301', '行政运行', 300.00, 0.00, 300.00),
      ('T902', '测试甲区', '测试乙中心', '201', '一般公共服务支出', '20103', '政府办公厅（室）及相关机构事务', '2010302', '一般行政管理事务', 0.00, 20.00, 70.00),
      ('T902', '测试甲区', '测试乙中心', '206', '科学技术支出', '20601', '科学技术管理事务', '2060199', '其他科学技术管理事务支出', 0.00, 100.00, 100.00),
      ('T902', '测试甲区', '测试乙中心', '208', NULL, '20805', NULL, '2080505', '机关事业单位基本养老保险缴费支出', 30.00, 0.00, 30.00)$$,
    'expenditure_by_function pivots measures per 项, drops all-zero rows and final-stage facts, totals fall back to the parts');

SELECT is(
    (SELECT upper_remit_amount FROM mart.expenditure_by_function
     WHERE fiscal_year = 2031 AND dept_code = 'T902' AND item_code = '2010302'),
    50.00::numeric(18,2),
    'expenditure_by_function carries 上缴上级支出');

SELECT results_eq(
    $$SELECT class_name, item_name, cofog_division FROM mart.expenditure_by_function
      WHERE fiscal_year = 2032 AND dept_code = 'T901' AND item_code = '2060199'$$,
    $$VALUES ('科学技术支出'::text, '其他科学技术管理事务支出'::text, NULL::text)$$,
    'names missing from the year''s classification come from the labels printed in the file (trimmed)');

SELECT results_eq(
    $$SELECT item_code, personnel_amount, public_amount, basic_amount, project_amount, total_amount
      FROM mart.gpb_expenditure_by_function WHERE fiscal_year = 2031 AND dept_code = 'T901' ORDER BY item_code$$,
    $$VALUES ('2010301', 550.00::numeric(18,2), 50.00::numeric(18,2), 600.00::numeric(18,2), 0.00::numeric(18,2), 600.00::numeric(18,2)),
             ('2060199', 10.00, 5.00, 15.00, 0.00, 15.00)$$,
    'gpb_expenditure_by_function splits basic into personnel and public (basic from the two when not printed)');

SELECT results_eq(
    $$SELECT 8 AS t, item_code, item_name, basic_amount, project_amount, total_amount
        FROM mart.gov_fund_expenditure_by_function WHERE dept_code = 'T901'
      UNION ALL
      SELECT 10, item_code, item_name, basic_amount, project_amount, total_amount
        FROM mart.state_capital_expenditure_by_function WHERE dept_code = 'T901'
      ORDER BY 1$$,
    $$VALUES (8, '2120801', '征地和拆迁补偿支出', 0.00::numeric(18,2), 70.00::numeric(18,2), 70.00::numeric(18,2)),
             (10, '2230101', '资本性支出', 10.00, 0.00, 10.00)$$,
    'tables 8 and 10 land in their own views');

-- function_rollup ----------------------------------------------------------

SELECT lives_ok('SELECT etl.refresh_marts()', 'etl.refresh_marts() refreshes (concurrently) inside a transaction');

SELECT set_eq(
    $$SELECT fiscal_year, region, level, code, departments, basic_amount, project_amount, total_amount
      FROM mart.function_rollup WHERE fiscal_year IN (2031, 2032) AND level = '类'$$,
    $$SELECT fiscal_year, region, '类'::text, class_code, count(DISTINCT dept_code)::integer,
             sum(basic_amount)::numeric(18,2) AS b, sum(project_amount)::numeric(18,2) AS p,
             sum(total_amount)::numeric(18,2) AS t
      FROM mart.expenditure_by_function WHERE fiscal_year IN (2031, 2032)
      GROUP BY fiscal_year, region, class_code$$,
    'function_rollup at 类 level = the sum over departments of expenditure_by_function');

SELECT set_eq(
    $$SELECT fiscal_year, region, level, code, departments, basic_amount, project_amount, total_amount
      FROM mart.function_rollup WHERE fiscal_year IN (2031, 2032) AND level = '款'$$,
    $$SELECT fiscal_year, region, '款'::text, section_code, count(DISTINCT dept_code)::integer,
             sum(basic_amount)::numeric(18,2) AS b, sum(project_amount)::numeric(18,2) AS p,
             sum(total_amount)::numeric(18,2) AS t
      FROM mart.expenditure_by_function WHERE fiscal_year IN (2031, 2032)
      GROUP BY fiscal_year, region, section_code$$,
    'function_rollup at 款 level = the sum over departments of expenditure_by_function');

SELECT set_eq(
    $$SELECT fiscal_year, region, level, code, departments, basic_amount, project_amount, total_amount
      FROM mart.function_rollup WHERE fiscal_year IN (2031, 2032) AND level = '项'$$,
    $$SELECT fiscal_year, region, '项'::text, item_code, count(DISTINCT dept_code)::integer,
             sum(basic_amount)::numeric(18,2) AS b, sum(project_amount)::numeric(18,2) AS p,
             sum(total_amount)::numeric(18,2) AS t
      FROM mart.expenditure_by_function WHERE fiscal_year IN (2031, 2032)
      GROUP BY fiscal_year, region, item_code$$,
    'function_rollup at 项 level = the sum over departments of expenditure_by_function');

-- The three set_eq above compare the rollup with another mart view (a
-- consistency check).  This one compares it with figures added up by hand
-- from the facts inserted above, which no view computed: every level, both
-- regions, both years.
SELECT set_eq(
    $$SELECT fiscal_year::int, region, level, code, departments, basic_amount, project_amount, total_amount
      FROM mart.function_rollup WHERE fiscal_year IN (2031, 2032)$$,
    $$VALUES (2031, '测试甲区', '类', '201', 2, 900.00::numeric(18,2), 220.00::numeric(18,2), 1170.00::numeric(18,2)),
             (2031, '测试甲区', '类', '206', 2, 0.00, 300.00, 300.00),
             (2031, '测试甲区', '类', '208', 1, 30.00, 0.00, 30.00),
             (2031, '测试甲区', '款', '20103', 2, 900.00, 220.00, 1170.00),
             (2031, '测试甲区', '款', '20601', 2, 0.00, 300.00, 300.00),
             (2031, '测试甲区', '款', '20805', 1, 30.00, 0.00, 30.00),
             (2031, '测试甲区', '项', '2010301', 2, 900.00, 0.00, 900.00),
             (2031, '测试甲区', '项', '2010302', 2, 0.00, 170.00, 220.00),
             (2031, '测试甲区', '项', '2010350', 1, 0.00, 50.00, 50.00),
             (2031, '测试甲区', '项', '2060199', 2, 0.00, 300.00, 300.00),
             (2031, '测试甲区', '项', '2080505', 1, 30.00, 0.00, 30.00),
             (2031, '测试乙区', '类', '201', 1, 400.00, 0.00, 400.00),
             (2031, '测试乙区', '款', '20103', 1, 400.00, 0.00, 400.00),
             (2031, '测试乙区', '项', '2010301', 1, 400.00, 0.00, 400.00),
             (2032, '测试甲区', '类', '201', 2, 1000.00, 300.00, 1300.00),
             (2032, '测试甲区', '类', '206', 2, 0.00, 400.00, 400.00),
             (2032, '测试甲区', '款', '20103', 2, 1000.00, 300.00, 1300.00),
             (2032, '测试甲区', '款', '20601', 2, 0.00, 400.00, 400.00),
             (2032, '测试甲区', '项', '2010301', 2, 1000.00, 0.00, 1000.00),
             (2032, '测试甲区', '项', '2010302', 1, 0.00, 300.00, 300.00),
             (2032, '测试甲区', '项', '2060199', 2, 0.00, 400.00, 400.00)$$,
    'function_rollup: every row of 2031 and 2032, as added up by hand from the fixture');

SELECT results_eq(
    $$SELECT level, code, name, cofog_division, departments, basic_amount, project_amount, total_amount
      FROM mart.function_rollup WHERE fiscal_year = 2031 AND region = '测试甲区' AND code LIKE '201%'
      ORDER BY level_no, code$$,
    $$VALUES ('类', '201', '一般公共服务支出', '01', 2, 900.00::numeric(18,2), 220.00::numeric(18,2), 1170.00::numeric(18,2)),
             ('款', '20103', '政府办公厅（室）及相关机构事务', '01', 2, 900.00, 220.00, 1170.00),
             ('项', '2010301', '行政运行', '01', 2, 900.00, 0.00, 900.00),
             ('项', '2010302', '一般行政管理事务', '01', 2, 0.00, 170.00, 220.00),
             ('项', '2010350', '事业运行', '01', 1, 0.00, 50.00, 50.00)$$,
    'function_rollup figures, names, COFOG and department counts for 201 in 测试甲区, 2031');

SELECT is(
    (SELECT count(*)::int FROM mart.function_rollup WHERE fiscal_year IN (2031, 2032) AND region = '测试乙区'),
    3,
    'function_rollup keeps regions apart');

-- function_yoy ---------------------------------------------------------------

SELECT results_eq(
    $$SELECT level, code, total_amount, prior_amount, change_amount, change_pct
      FROM mart.function_yoy WHERE fiscal_year = 2032 AND region = '测试甲区'
      ORDER BY level_no, code$$,
    $$VALUES ('类', '201', 1300.00::numeric(18,2), 1170.00::numeric(18,2), 130.00::numeric(18,2), 11.11::numeric),
             ('类', '206', 400.00, 300.00, 100.00, 33.33),
             ('类', '208', 0.00, 30.00, -30.00, -100.00),
             ('款', '20103', 1300.00, 1170.00, 130.00, 11.11),
             ('款', '20601', 400.00, 300.00, 100.00, 33.33),
             ('款', '20805', 0.00, 30.00, -30.00, -100.00),
             ('项', '2010301', 1000.00, 900.00, 100.00, 11.11),
             ('项', '2010302', 300.00, 270.00, 30.00, 11.11),
             ('项', '2060199', 400.00, 300.00, 100.00, 33.33),
             ('项', '2080505', 0.00, 30.00, -30.00, -100.00)$$,
    'function_yoy 2032: change against 2031, merged code 2010350 counted under 2010302, vanished codes against 0');

SELECT results_eq(
    $$SELECT count(*)::int, count(prior_amount)::int, count(change_pct)::int
      FROM mart.function_yoy WHERE fiscal_year = 2031 AND region IN ('测试甲区', '测试乙区')$$,
    $$VALUES (14, 0, 0)$$,
    'function_yoy for a year without a previous one: prior and change are null');

SELECT is(
    (SELECT count(*)::int FROM mart.function_yoy WHERE fiscal_year = 2032 AND region = '测试乙区'),
    0,
    'function_yoy has no rows for a region and year without data');

-- department_year ------------------------------------------------------------

SELECT results_eq(
    $$SELECT fiscal_year, dept_code, region, dept_name, revenue_total, expenditure_total, basic_total,
             project_total, checks_failed
      FROM mart.department_year WHERE dept_code IN ('T901', 'T902', 'T903')
      ORDER BY fiscal_year, dept_code$$,
    $$VALUES
      (2031::smallint, 'T901', '测试甲区', '测试甲局', 1050.00::numeric(18,2), 1000.00::numeric(18,2), 600.00::numeric(18,2), 400.00::numeric(18,2), 1),
      (2031::smallint, 'T902', '测试甲区', '测试乙中心', 480.00, 500.00, 330.00, 120.00, 1),
      (2031::smallint, 'T903', '测试乙区', '测试丙所', NULL, 400.00, 400.00, 0.00, 0),
      (2032::smallint, 'T901', '测试甲区', '测试甲局', 1200.00, 1200.00, 650.00, 550.00, 0),
      (2032::smallint, 'T902', '测试甲区', '测试乙中心', 450.00, 500.00, 350.00, 150.00, 0)$$,
    'department_year: revenue from table 1 else table 2 (合计 row, leaves, or fund columns), totals from table 3''s 合计 row else its leaves, checks of the latest run');

-- revenue_by_source ---------------------------------------------------------

SELECT results_eq(
    $$SELECT fiscal_year, dept_code, fund_source, fund_source_name, amount
      FROM mart.revenue_by_source WHERE dept_code IN ('T901', 'T902')
      ORDER BY fiscal_year, dept_code, fund_source_sort$$,
    $$VALUES
      (2031::smallint, 'T901', 'general_budget', '一般公共预算拨款收入', 900.00::numeric(18,2)),
      (2031::smallint, 'T901', 'other', '其他收入', 100.00),
      (2031::smallint, 'T901', 'carryover', '上年结转结余', 100.00),
      (2031::smallint, 'T902', 'general_budget', '一般公共预算拨款收入', 480.00),
      (2032::smallint, 'T901', 'general_budget', '一般公共预算拨款收入', 1100.00),
      (2032::smallint, 'T901', 'business', '事业收入', 100.00),
      (2032::smallint, 'T902', 'general_budget', '一般公共预算拨款收入', 300.00),
      (2032::smallint, 'T902', 'other', '其他收入', 100.00),
      (2032::smallint, 'T902', 'carryover', '上年结转结余', 50.00)$$,
    'revenue_by_source: the 合计 row by fund source with carryover, else the sum of the leaf rows');

-- basic_expenditure_by_economic --------------------------------------------

SELECT results_eq(
    $$SELECT dept_code, econ_class_code, econ_class_name, econ_code, econ_name, gov_econ_code, gov_econ_name,
             personnel_amount, public_amount, total_amount
      FROM mart.basic_expenditure_by_economic WHERE fiscal_year = 2031 AND dept_code IN ('T901', 'T902', 'T903')
      ORDER BY dept_code, econ_code$$,
    $$VALUES
      ('T901', '301', '工资福利支出', '30101', '基本工资', '50101', '工资奖金津补贴', 100.00::numeric(18,2), 0.00::numeric(18,2), 100.00::numeric(18,2)),
      ('T901', '302', '商品和服务支出', '30201', '办公费', '50201', '办公经费', 0.00, 20.00, 20.00),
      ('T902', '301', '工资福利支出', '30101', '基本工资', '50501', '工资福利支出', 80.00, 0.00, 80.00),
      ('T902', '302', '商品和服务支出', '30201', '办公费', '50502', '商品和服务支出', 0.00, 10.00, 10.00),
      ('T902', '303', NULL, '30399', '其他对个人和家庭的补助', NULL, NULL, 5.00, 0.00, 5.00),
      ('T903', '301', '工资福利支出', '30101', '基本工资', '50101', '工资奖金津补贴', 40.00, 0.00, 40.00)$$,
    'basic_expenditure_by_economic: crosswalk by unit type (行政 -> 501/502, 事业 -> 505, 参公 as 行政), names from the year''s lists');

-- three_public_expenses -----------------------------------------------------

SELECT results_eq(
    $$SELECT dept_code, outbound_travel, vehicle_purchase, vehicle_operation, official_reception,
             total_amount, admin_operating
      FROM mart.three_public_expenses WHERE fiscal_year = 2031 AND dept_code IN ('T901', 'T902')
      ORDER BY dept_code$$,
    $$VALUES ('T901', 0.00::numeric(18,2), 0.00::numeric(18,2), 0.00::numeric(18,2), 0.00::numeric(18,2), 0.00::numeric(18,2), NULL::numeric(18,2)),
             ('T902', 1000.00, 0.00, 2000.00, 500.00, 3500.00, 5000.00)$$,
    'three_public_expenses: one row per table 7, zeros shown, 机关运行经费 only where printed');

-- project_indicators --------------------------------------------------------

SELECT results_eq(
    $$SELECT project_name, project_amount, level3, target_text, target_operator, target_value, target_unit
      FROM mart.project_indicators WHERE fiscal_year = 2031 AND dept_code = 'T901'
      ORDER BY project_no, indicator_no$$,
    $$VALUES ('窗口工作经费', 530000.00::numeric(18,2), '总成本控制', '=53万元', '=', 53::numeric, '万元'),
             ('窗口工作经费', 530000.00, '群众满意度', '显著提升', NULL, NULL, NULL),
             ('无指标项目', 10000.00, NULL, NULL, NULL, NULL, NULL)$$,
    'project_indicators: one row per indicator, a project without indicators once');

-- Stage and zero rows ---------------------------------------------------------

SELECT is(
    (SELECT count(*)::int FROM mart.expenditure_by_function WHERE dept_code = 'T901' AND item_code = '2010399'),
    0,
    'a row whose amounts are all zero is not shown');

SELECT is(
    (SELECT total_amount FROM mart.function_rollup
     WHERE fiscal_year = 2031 AND region = '测试甲区' AND level = '项' AND code = '2010301'),
    900.00::numeric(18,2),
    'final-stage facts stay out of the rollup');

-- Refresh again after a change: the concurrent path sees new facts.
DELETE FROM core.fact_amount WHERE fiscal_year = 2032 AND dept_code = 'T902';
SELECT lives_ok('SELECT etl.refresh_marts()', 'a second refresh runs concurrently');
SELECT results_eq(
    $$SELECT departments, total_amount FROM mart.function_rollup
      WHERE fiscal_year = 2032 AND region = '测试甲区' AND level = '项' AND code = '2010301'$$,
    $$VALUES (1, 650.00::numeric(18,2))$$,
    'function_rollup follows a withdrawn submission after refresh');

SELECT results_eq(
    $$SELECT total_amount, prior_amount, change_amount FROM mart.function_yoy
      WHERE fiscal_year = 2032 AND region = '测试甲区' AND level = '项' AND code = '2010301'$$,
    $$VALUES (650.00::numeric(18,2), 900.00::numeric(18,2), -250.00::numeric(18,2))$$,
    'function_yoy is refreshed after function_rollup');

-- Populated check: a never-populated view gets a plain refresh.
REFRESH MATERIALIZED VIEW mart.function_yoy WITH NO DATA;
SELECT lives_ok('SELECT etl.refresh_marts()', 'refresh_marts populates a view that was never populated');
SELECT ok((SELECT relispopulated FROM pg_class WHERE oid = 'mart.function_yoy'::regclass),
          'function_yoy is populated again');

SELECT is(
    (SELECT count(*)::int FROM mart.department_year WHERE fiscal_year = 2032 AND dept_code = 'T902'),
    0,
    'a withdrawn submission leaves department_year');

SELECT is(
    (SELECT count(*)::int FROM pg_indexes WHERE schemaname = 'mart'
       AND indexname IN ('function_rollup_key', 'function_yoy_key') AND indexdef LIKE 'CREATE UNIQUE INDEX%'),
    2,
    'both materialized views have the unique index REFRESH CONCURRENTLY needs');

SELECT * FROM finish();
ROLLBACK;
