-- views/090_contract: what every mart view promises, checked and granted
-- after all of them exist: a Chinese and English comment on every column
-- (a column without one stops the migration) and the roles' rights.
-- Repeatable (re-applied with the other files of sql/views/).

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
        ('*', 'stage',              '数据阶段：budget 预算，final 决算 / stage of the figures: budget or final (决算)'),
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
        ('*', 'current_item_code',  '该项级科目在最新科目表中的编码（依科目变动表），用于跨年序列 / the item code in the latest edition (core.code_change), for cross-year series'),
        ('*', 'current_econ_code',  '该经济分类科目在最新科目表中的编码 / the economic code in the latest edition (core.code_change)'),
        ('*', 'next_year_code',     '下一年度对应科目编码（依科目变动表） / code these amounts compare with the next year (core.code_change)'),
        ('*', 'prior_amount',       '上年合计（元），上年该地区无数据时为空 / previous year''s total (yuan), null when the region has no data that year'),
        ('*', 'change_amount',      '同比增减额（元） / change from the previous year (yuan)'),
        ('*', 'change_pct',         '同比增减百分比（%），上年为零时为空 / change from the previous year in percent, null when the previous year is zero'),
        ('*', 'revenue_total',      '收入总计（元）：表1收入总计，缺表1时取表2合计 / revenue total (yuan): table 1''s 收入总计, else table 2''s 合计'),
        ('*', 'expenditure_total',  '支出合计（元）：表3合计行 / expenditure total (yuan): table 3''s 合计 row'),
        ('*', 'basic_total',        '基本支出合计（元）：表3 / basic expenditure total (yuan), table 3'),
        ('*', 'project_total',      '项目支出合计（元）：表3 / project expenditure total (yuan), table 3'),
        ('*', 'checks_failed',      '最近一次加载中未通过的校验数 / failed checks of the submission as last loaded'),
        ('*', 'remit_to_superior_amount',  '上缴上级支出（元） / remittance to the higher level (yuan)'),
        ('*', 'operating_amount',          '经营支出（元） / operating expenditure (yuan)'),
        ('*', 'subsidy_to_subordinate_amount', '对附属单位补助支出（元） / subsidies to subordinate units (yuan)'),
        ('*', 'fund_scope',                '资金范围：all 全部资金，general_budget/gov_fund/state_capital 各项财政拨款 / fund scope: all funds, or one fiscal fund'),
        ('*', 'beginning_amount',          '年初结转和结余（元） / balance at the beginning of the year (yuan)'),
        ('*', 'income_amount',             '本年收入（元），全部资金含使用非财政拨款结余 / income of the year (yuan); for all funds including 使用非财政拨款结余'),
        ('*', 'expenditure_amount',        '本年支出（元），全部资金含结余分配 / expenditure of the year (yuan); for all funds including 结余分配'),
        ('*', 'ending_amount',             '年末结转和结余（元） / balance at the end of the year (yuan)'),
        ('*', 'ending_prev_year',          '上年决算的年末结转和结余（元），未加载上年决算时为空 / the previous years 决算 ending balance (yuan), null when that 决算 is not loaded'),
        ('*', 'scope',                     '口径：general_budget 一般公共预算（表5），all_funds 全部资金（表3） / scope: general_budget (table 5) or all_funds (table 3)'),
        ('*', 'budget_basic',              '预算基本支出（元），未加载该预算表时为空 / budgeted basic expenditure (yuan), null when that budget table is not loaded'),
        ('*', 'budget_project',            '预算项目支出（元），未加载该预算表时为空 / budgeted project expenditure (yuan), null when that budget table is not loaded'),
        ('*', 'budget_total',              '预算数合计（元），未加载该预算表时为空 / budget total (yuan), null when that budget table is not loaded'),
        ('*', 'final_basic',               '决算基本支出（元），未加载该决算表时为空 / actual basic expenditure (yuan), null when that 决算 table is not loaded'),
        ('*', 'final_project',             '决算项目支出（元），未加载该决算表时为空 / actual project expenditure (yuan), null when that 决算 table is not loaded'),
        ('*', 'final_total',               '决算数合计（元），未加载该决算表时为空 / actual total (yuan), null when that 决算 table is not loaded'),
        ('*', 'variance',                  '决算减预算（元）  / final minus budget (yuan)'),
        ('*', 'execution_rate',            '预算执行率（决算/预算，四位小数），预算为零或未加载时为空 / execution rate, final / budget rounded to 4 decimals; null when the budget is 0 or a side is not loaded'),
        ('*', 'no_initial_budget',         '年初无预算（预算为零而决算大于零） / no initial budget: budget 0, final above 0'),
        ('*', 'not_executed',              '未执行（预算大于零而决算为零） / not executed: budget above 0, final 0'),
        ('*', 'basic_rate',                '基本支出执行率 / execution rate of basic expenditure'),
        ('*', 'project_rate',              '项目支出执行率 / execution rate of project expenditure'),
        ('*', 'carryover_begin',           '年初结转和结余（元，决算表1），未加载决算表1时为空 / balance at the beginning of the year (yuan, 决算 table 1), null when not loaded'),
        ('*', 'carryover_end',             '年末结转和结余（元，决算表1），未加载决算表1时为空 / balance at the end of the year (yuan, 决算 table 1), null when not loaded'),
        ('*', 'checks_failed_final',       '决算最近一次加载中未通过的校验数，未加载决算时为空 / failed checks of the 决算 as last loaded, null when no 决算 is loaded'),
        ('*', 'outbound_travel_budget',    '因公出国（境）费预算数（元，预算表7），未加载时为空 / outbound_travel: budget (yuan, budget table 7), null when not loaded'),
        ('*', 'outbound_travel_budget_in_final', '因公出国（境）费预算数（元，决算表7所列），未加载时为空 / outbound_travel: the 预算数 printed in 决算 table 7 (yuan), null when not loaded'),
        ('*', 'outbound_travel_final',     '因公出国（境）费决算数（元，决算表7），未加载时为空 / outbound_travel: actual (yuan, 决算 table 7), null when not loaded'),
        ('*', 'vehicle_purchase_budget',   '公务用车购置费预算数（元，预算表7），未加载时为空 / vehicle_purchase: budget (yuan, budget table 7), null when not loaded'),
        ('*', 'vehicle_purchase_budget_in_final', '公务用车购置费预算数（元，决算表7所列），未加载时为空 / vehicle_purchase: the 预算数 printed in 决算 table 7 (yuan), null when not loaded'),
        ('*', 'vehicle_purchase_final',    '公务用车购置费决算数（元，决算表7），未加载时为空 / vehicle_purchase: actual (yuan, 决算 table 7), null when not loaded'),
        ('*', 'vehicle_operation_budget',  '公务用车运行费预算数（元，预算表7），未加载时为空 / vehicle_operation: budget (yuan, budget table 7), null when not loaded'),
        ('*', 'vehicle_operation_budget_in_final', '公务用车运行费预算数（元，决算表7所列），未加载时为空 / vehicle_operation: the 预算数 printed in 决算 table 7 (yuan), null when not loaded'),
        ('*', 'vehicle_operation_final',   '公务用车运行费决算数（元，决算表7），未加载时为空 / vehicle_operation: actual (yuan, 决算 table 7), null when not loaded'),
        ('*', 'official_reception_budget', '公务接待费预算数（元，预算表7），未加载时为空 / official_reception: budget (yuan, budget table 7), null when not loaded'),
        ('*', 'official_reception_budget_in_final', '公务接待费预算数（元，决算表7所列），未加载时为空 / official_reception: the 预算数 printed in 决算 table 7 (yuan), null when not loaded'),
        ('*', 'official_reception_final',  '公务接待费决算数（元，决算表7），未加载时为空 / official_reception: actual (yuan, 决算 table 7), null when not loaded'),
        ('*', 'total_budget',              '“三公”经费合计预算数（元，预算表7），未加载时为空 / total: budget (yuan, budget table 7), null when not loaded'),
        ('*', 'total_budget_in_final',     '“三公”经费合计预算数（元，决算表7所列），未加载时为空 / total: the 预算数 printed in 决算 table 7 (yuan), null when not loaded'),
        ('*', 'total_final',               '“三公”经费合计决算数（元，决算表7），未加载时为空 / total: actual (yuan, 决算 table 7), null when not loaded'),
        ('*', 'over_budget',               '是否有一项“三公”经费决算数超过其预算数 / whether any categorys actual exceeds its 预算数'),
        ('*', 'final_prev_year',           '上年决算“三公”经费合计（元），未加载时为空 / the previous years actual total (yuan), null when not loaded'),
        ('*', 'yoy_change',                '“三公”经费决算合计比上年增减（元） / change of the actual total from the previous year (yuan)'),
        ('*', 'budget_personnel',          '预算人员经费（元） / budgeted personnel expenses (yuan)'),
        ('*', 'budget_public',             '预算公用经费（元） / budgeted public expenses (yuan)'),
        ('*', 'final_personnel',           '决算人员经费（元） / actual personnel expenses (yuan)'),
        ('*', 'final_public',              '决算公用经费（元） / actual public expenses (yuan)'),
        ('*', 'departments_under_90',      '执行率低于90%的部门数 / departments whose rate at this code is below 0.9'),
        ('*', 'departments_over_100',      '执行率高于100%的部门数 / departments whose rate at this code is above 1'),
        ('*', 'checks_run_id',      '校验所属的加载批次 / run whose checks are counted'),
        ('three_public_expenses', 'total_amount', '“三公”经费合计（元），不含机关运行经费 / three public expenses total (yuan), excluding administrative operating expenses'),
        ('function_rollup', 'total_amount',       '各部门合计之和（元） / total over departments (yuan)'),
        ('function_rollup', 'basic_amount',       '各部门基本支出之和（元） / basic expenditure over departments (yuan)'),
        ('function_rollup', 'project_amount',     '各部门项目支出之和（元） / project expenditure over departments (yuan)'),
        ('function_yoy', 'total_amount',          '本年合计（元） / this year''s total (yuan)'),
        ('execution_rollup', 'budget_total',      '各部门预算数之和（元） / budget over the departments with both stages loaded (yuan)'),
        ('execution_rollup', 'final_total',       '各部门决算数之和（元） / actual over the departments with both stages loaded (yuan)'),
        ('execution_rollup', 'departments',       '预算或决算非零的部门数 / departments with a non-zero budget or actual'),
        ('economic_execution', 'execution_rate',  '执行率：决算人员与公用经费之和除以预算之和 / rate: (final personnel + public) / (budget personnel + public)'),
        ('three_public_execution', 'execution_rate', '“三公”经费执行率：决算合计除以决算表所列预算数合计 / total actual / total 预算数 of 决算 table 7'))
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

GRANT SELECT ON ALL TABLES IN SCHEMA mart TO budget_loader, budget_reader;
GRANT EXECUTE ON FUNCTION etl.refresh_marts(smallint[]) TO budget_loader;
