-- 002_reference: fixed reference rows that do not depend on a fiscal year.
--
-- core.dim_fund_source: the fund sources of table 2 (部门收入总表), keys and
-- names as in docs/contract.md, `sort` in the order the table prints them.
-- core.dim_measure: every measure the loader writes into core.fact_amount.
-- Re-running this file updates names and order in place (ON CONFLICT).

INSERT INTO core.dim_fund_source (fund_source, name, sort) VALUES
    ('general_budget',       '一般公共预算拨款收入',   1),
    ('gov_fund',             '政府性基金预算拨款收入', 2),
    ('state_capital',        '国有资本经营预算拨款收入', 3),
    ('fiscal_appropriation', '财政拨款收入',           4),
    ('fiscal_special',       '财政专户管理资金收入',   5),
    ('business',             '事业收入',               6),
    ('operating',            '事业单位经营收入',       7),
    ('superior_subsidy',     '上级补助收入',           8),
    ('subordinate_remit',    '附属单位上缴收入',       9),
    ('other',                '其他收入',               10),
    ('carryover',            '上年结转结余',           11)
ON CONFLICT (fund_source) DO UPDATE
    SET name = EXCLUDED.name, sort = EXCLUDED.sort;

-- Measures by the tables that carry them:
--   function tables 3, 5, 8, 10: total basic project personnel public
--       upper_remit business_op subsidiary
--   table 6: total personnel public
--   table 2: total income_subtotal, the fund-source keys above, carryover
--   tables 1 and 4: amount
--   table 7: total outbound_travel vehicle_total vehicle_purchase
--       vehicle_operation official_reception admin_operating
INSERT INTO core.dim_measure (measure, name) VALUES
    ('total',                '合计'),
    ('basic',                '基本支出'),
    ('project',              '项目支出'),
    ('personnel',            '人员经费'),
    ('public',               '公用经费'),
    ('upper_remit',          '上缴上级支出'),
    ('business_op',          '事业单位经营支出'),
    ('subsidiary',           '对附属单位补助支出'),
    ('income_subtotal',      '本年收入小计'),
    ('general_budget',       '一般公共预算拨款收入'),
    ('gov_fund',             '政府性基金预算拨款收入'),
    ('state_capital',        '国有资本经营预算拨款收入'),
    ('fiscal_appropriation', '财政拨款收入'),
    ('fiscal_special',       '财政专户管理资金收入'),
    ('business',             '事业收入'),
    ('operating',            '事业单位经营收入'),
    ('superior_subsidy',     '上级补助收入'),
    ('subordinate_remit',    '附属单位上缴收入'),
    ('other',                '其他收入'),
    ('carryover',            '上年结转结余'),
    ('amount',               '预算数'),
    ('outbound_travel',      '因公出国（境）费'),
    ('vehicle_total',        '公务用车购置及运行费'),
    ('vehicle_purchase',     '公务用车购置费'),
    ('vehicle_operation',    '公务用车运行费'),
    ('official_reception',   '公务接待费'),
    ('admin_operating',      '机关运行经费')
ON CONFLICT (measure) DO UPDATE
    SET name = EXCLUDED.name;
