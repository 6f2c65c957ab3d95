-- roles: budget_reader reads mart and nothing else; budget_loader writes
-- core and etl and refreshes the materialized views.
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(30);

SELECT has_role('budget_reader');
SELECT has_role('budget_loader');

SELECT results_eq(
    $$SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb
      FROM pg_roles WHERE rolname IN ('budget_loader', 'budget_reader') ORDER BY rolname$$,
    $$VALUES ('budget_loader'::name, true, false, false, false),
             ('budget_reader'::name, true, false, false, false)$$,
    'both roles log in and may not create roles or databases');

-- A fact for the reader to see.
INSERT INTO core.dim_region VALUES ('测试省/测试市/测试丁区', '测试省', '测试市', '测试丁区');
INSERT INTO core.dim_department VALUES ('T990', '测试丁局', '测试省/测试市/测试丁区', '行政', true);
INSERT INTO core.fact_amount (fiscal_year, dept_code, table_kind, row_role, code, label, measure, amount, file_id, line)
VALUES (2033, 'T990', 3, 'leaf', '2010301', '行政运行', 'total', 12.00, 0, 5);

-- budget_reader ---------------------------------------------------------------

SET LOCAL ROLE budget_reader;

SELECT lives_ok($t$
    DO $d$
    DECLARE
        r record;
    BEGIN
        FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'mart' AND c.relkind IN ('v', 'm')
        LOOP
            EXECUTE format('SELECT * FROM mart.%I LIMIT 1', r.relname);
        END LOOP;
    END $d$ $t$,
    'budget_reader can SELECT every view of mart');

SELECT is((SELECT total_amount FROM mart.expenditure_by_function WHERE dept_code = 'T990'),
          12.00::numeric(18,2), 'budget_reader sees facts through mart (views run with their owner''s rights)');

SELECT throws_ok('SELECT * FROM core.fact_amount LIMIT 1', '42501', NULL,
                 'budget_reader is refused SELECT on core');
SELECT throws_ok('SELECT * FROM etl.checks LIMIT 1', '42501', NULL,
                 'budget_reader is refused SELECT on etl');
SELECT throws_ok($$INSERT INTO core.fact_amount (fiscal_year, dept_code, table_kind, row_role, measure, amount, file_id, line)
                   VALUES (2033, 'T990', 3, 'leaf', 'total', 1, 0, 6)$$, '42501', NULL,
                 'budget_reader is refused INSERT on core');
SELECT throws_ok($$UPDATE core.dim_department SET dept_name = 'x'$$, '42501', NULL,
                 'budget_reader is refused UPDATE on core');
SELECT throws_ok($$DELETE FROM core.fact_amount$$, '42501', NULL,
                 'budget_reader is refused DELETE on core');
SELECT throws_ok($$INSERT INTO etl.runs DEFAULT VALUES$$, '42501', NULL,
                 'budget_reader is refused INSERT on etl');
SELECT throws_ok($$UPDATE etl.checks SET passed = true$$, '42501', NULL,
                 'budget_reader is refused UPDATE on etl');
SELECT throws_ok($$DELETE FROM etl.files$$, '42501', NULL,
                 'budget_reader is refused DELETE on etl');
SELECT throws_ok($$DELETE FROM mart.function_rollup$$, '42501', NULL,
                 'budget_reader is refused DELETE on mart');
SELECT throws_ok('SELECT etl.refresh_marts()', '42501', NULL,
                 'budget_reader may not refresh the marts');
SELECT throws_ok('CREATE TABLE public.reader_table (x int)', '42501', NULL,
                 'budget_reader is refused CREATE in public');
SELECT throws_ok('CREATE VIEW mart.reader_view AS SELECT 1 AS x', '42501', NULL,
                 'budget_reader is refused CREATE in mart');
SELECT throws_ok('CREATE TABLE core.reader_table (x int)', '42501', NULL,
                 'budget_reader is refused CREATE in core');
SELECT throws_ok('CREATE SCHEMA reader_schema', '42501', NULL,
                 'budget_reader is refused CREATE SCHEMA');

RESET ROLE;

SELECT is(
    ARRAY(SELECT v FROM unnest('{expenditure_by_function,gpb_expenditure_by_function,gov_fund_expenditure_by_function,state_capital_expenditure_by_function,basic_expenditure_by_economic,revenue_by_source,three_public_expenses,project_indicators,function_rollup,department_year,function_yoy,run_summary,rejects,failed_checks}'::text[]) AS v
          WHERE NOT has_table_privilege('budget_reader', 'mart.' || v, 'SELECT')),
    '{}'::text[],
    'budget_reader holds SELECT on each contract view');

SELECT ok(NOT has_schema_privilege('budget_reader', 'public', 'CREATE')
          AND NOT has_schema_privilege('budget_reader', 'mart', 'CREATE')
          AND NOT has_schema_privilege('budget_reader', 'core', 'USAGE')
          AND NOT has_schema_privilege('budget_reader', 'etl', 'USAGE'),
          'budget_reader: no CREATE in public or mart, no USAGE on core or etl');

-- A view the migration owner adds later to mart is readable by budget_reader
-- (default privileges).
DO $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I',
                   (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'mart'));
END $$;
CREATE VIEW mart.later_view AS SELECT 1 AS x;
RESET ROLE;
SELECT ok(has_table_privilege('budget_reader', 'mart.later_view', 'SELECT'),
          'a view created later in mart is readable by budget_reader');

-- budget_loader ---------------------------------------------------------------

SET LOCAL ROLE budget_loader;

SELECT lives_ok($$INSERT INTO core.fact_amount (fiscal_year, dept_code, table_kind, row_role, code, label, measure, amount, file_id, line)
                  VALUES (2033, 'T990', 3, 'leaf', '2010302', '一般行政管理事务', 'project', 8.00, 0, 6)$$,
                'budget_loader can insert facts');
SELECT lives_ok($$DELETE FROM core.fact_amount WHERE fiscal_year = 2033 AND dept_code = 'T990' AND line = 6$$,
                'budget_loader can delete facts');
SELECT lives_ok($$INSERT INTO etl.runs DEFAULT VALUES$$,
                'budget_loader can insert into etl (sequences included)');
SELECT lives_ok($$UPDATE core.dim_department SET registered = true WHERE dept_code = 'T990'$$,
                'budget_loader can update dims');
SELECT lives_ok('SELECT count(*) FROM mart.department_year', 'budget_loader can read mart');
SELECT lives_ok('SELECT etl.refresh_marts()', 'budget_loader can refresh the marts');
SELECT throws_ok('CREATE ROLE loader_made_role', '42501', NULL,
                 'budget_loader cannot create roles');

RESET ROLE;

SELECT is((SELECT total_amount FROM mart.function_rollup
           WHERE fiscal_year = 2033 AND region = '测试丁区' AND level = '项' AND code = '2010301'),
          12.00::numeric(18,2), 'the loader''s refresh reached function_rollup');

SELECT * FROM finish();
ROLLBACK;
