-- mart_contract: the mart views exist with CONTRACT.md's names and columns,
-- and every view and column carries a "中文 / English" comment.
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(33);

SELECT has_view('mart', v, 'view mart.' || v || ' exists')
FROM unnest(ARRAY['expenditure_by_function', 'gpb_expenditure_by_function',
                  'gov_fund_expenditure_by_function', 'state_capital_expenditure_by_function',
                  'basic_expenditure_by_economic', 'revenue_by_source',
                  'three_public_expenses', 'project_indicators', 'department_year',
                  'run_summary', 'rejects', 'failed_checks']) AS v;

SELECT has_materialized_view('mart', v, 'materialized view mart.' || v || ' exists')
FROM unnest(ARRAY['function_rollup', 'function_yoy']) AS v;

-- Contract columns: each view's missing columns, expected none.
CREATE TEMP TABLE contract (view text, cols text[]) ON COMMIT DROP;
INSERT INTO contract VALUES
  ('expenditure_by_function', '{fiscal_year,region,dept_code,dept_name,class_code,class_name,section_code,section_name,item_code,item_name,basic_amount,project_amount,total_amount}'),
  ('gpb_expenditure_by_function', '{fiscal_year,region,dept_code,dept_name,class_code,class_name,section_code,section_name,item_code,item_name,personnel_amount,public_amount,basic_amount,project_amount,total_amount}'),
  ('gov_fund_expenditure_by_function', '{fiscal_year,region,dept_code,dept_name,class_code,class_name,section_code,section_name,item_code,item_name,basic_amount,project_amount,total_amount}'),
  ('state_capital_expenditure_by_function', '{fiscal_year,region,dept_code,dept_name,class_code,class_name,section_code,section_name,item_code,item_name,basic_amount,project_amount,total_amount}'),
  ('basic_expenditure_by_economic', '{fiscal_year,region,dept_code,dept_name,econ_class_code,econ_class_name,econ_code,econ_name,gov_econ_code,gov_econ_name,personnel_amount,public_amount,total_amount}'),
  ('revenue_by_source', '{fiscal_year,region,dept_code,dept_name,fund_source,fund_source_name,amount}'),
  ('three_public_expenses', '{fiscal_year,region,dept_code,dept_name,outbound_travel,vehicle_purchase,vehicle_operation,official_reception,total_amount,admin_operating}'),
  ('project_indicators', '{fiscal_year,region,dept_code,dept_name,project_name,project_amount,level1,level2,level3,target_text,target_operator,target_value,target_unit}'),
  ('function_rollup', '{fiscal_year,region,level,code,name,departments,basic_amount,project_amount,total_amount,cofog_division}'),
  ('department_year', '{fiscal_year,region,dept_code,dept_name,revenue_total,expenditure_total,basic_total,project_total,checks_failed}'),
  ('function_yoy', '{fiscal_year,region,level,code,name,total_amount,prior_amount,change_amount,change_pct}'),
  ('run_summary', '{run_id,started_at,finished_at,exit_code,exit_text,last_run,stage,publication_scope,files_seen,files_loaded,files_unchanged,files_rejected,files_skipped,rows_read,rows_loaded,rows_rejected}'),
  ('rejects', '{run_id,fiscal_year,region,dept_code,dept_name,stage,publication_scope,table_kind,table_title,file_path,file_name,line,column_name,raw_value,reason,reason_text,message}'),
  ('failed_checks', '{run_id,fiscal_year,region,dept_code,dept_name,stage,publication_scope,table_kind,table_title,check_name,subject,expected,actual,difference,row_count,max_abs_difference,allowance,message}');

SELECT is(
    ARRAY(SELECT col FROM unnest(c.cols) AS col
          EXCEPT
          SELECT a.attname::text FROM pg_attribute a
          WHERE a.attrelid = ('mart.' || c.view)::regclass AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY 1),
    '{}'::text[],
    'mart.' || c.view || ' has its contract columns')
FROM contract c ORDER BY c.view;

-- Amounts are exact decimals of two places.
SELECT is(
    ARRAY(SELECT c.relname || '.' || a.attname
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'mart' AND c.relkind IN ('v', 'm') AND a.attnum > 0
            AND (a.attname LIKE '%amount' OR a.attname LIKE '%\_total' OR a.attname = 'amount')
            AND format_type(a.atttypid, a.atttypmod) <> CASE
                WHEN c.relname IN ('function_rollup', 'function_yoy', 'execution_rollup')
                THEN 'numeric(38,2)' ELSE 'numeric(18,2)' END
          ORDER BY 1),
    '{}'::text[],
    'every mart amount column is numeric(18,2), sums across departments numeric(38,2)');

-- Comments: every view and every column, with Chinese and English.
SELECT is(
    ARRAY(SELECT c.relname::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'mart' AND c.relkind IN ('v', 'm')
            AND (obj_description(c.oid, 'pg_class') IS NULL
                 OR obj_description(c.oid, 'pg_class') !~ '[一-龥].* / .*[A-Za-z]')
          ORDER BY 1),
    '{}'::text[],
    'every mart view has a comment "中文 / English"');

SELECT is(
    ARRAY(SELECT c.relname || '.' || a.attname
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'mart' AND c.relkind IN ('v', 'm')
            AND a.attnum > 0 AND NOT a.attisdropped
            AND (col_description(c.oid, a.attnum) IS NULL
                 OR col_description(c.oid, a.attnum) !~ '[一-龥].* / .*[A-Za-z]')
          ORDER BY 1),
    '{}'::text[],
    'every mart column has a comment "中文 / English"');

-- Reference rows.
SELECT results_eq(
    $$SELECT fund_source, name FROM core.dim_fund_source ORDER BY sort$$,
    $$VALUES ('general_budget', '一般公共预算拨款收入'), ('gov_fund', '政府性基金预算拨款收入'),
             ('state_capital', '国有资本经营预算拨款收入'), ('fiscal_appropriation', '财政拨款收入'),
             ('fiscal_special', '财政专户管理资金收入'), ('business', '事业收入'),
             ('operating', '事业单位经营收入'), ('superior_subsidy', '上级补助收入'),
             ('subordinate_remit', '附属单位上缴收入'), ('other', '其他收入'),
             ('carryover', '上年结转结余'), ('carryover_begin', '年初结转和结余'),
             ('non_fiscal_surplus_used', '使用非财政拨款结余')$$,
    'dim_fund_source holds the contract''s fund sources in order, and the 决算''s two income lines');

SELECT is(
    ARRAY(SELECT m FROM unnest('{total,basic,project,personnel,public,upper_remit,business_op,subsidiary,income_subtotal,carryover,amount,outbound_travel,vehicle_total,vehicle_purchase,vehicle_operation,official_reception,admin_operating}'::text[]) AS m
          EXCEPT SELECT measure FROM core.dim_measure),
    '{}'::text[],
    'dim_measure names every measure the loader writes');

SELECT * FROM finish();
ROLLBACK;
