-- 050_stage_scope_rounding: what real publications and final accounts need.
--
-- * etl.files.publication_scope and etl.loaded_tables.publication_scope:
--   department (a 部门's consolidated tables) or unit (one 单位, 预算单位),
--   read from the title.  Cross-department sums count a unit's table only
--   when its parent (core.dim_department.parent_code, from
--   config/departments.csv) has no loaded table of the same year, stage and
--   kind.
-- * etl.files.status 'skipped': a table the pipeline recognises and does
--   not load (a provincial extra beside the standard set), counted in
--   etl.runs.files_skipped.
-- * etl.checks: the stage of the submission checked; row_count and
--   max_abs_difference (a row of passed row-level identities may stand for
--   several); allowance, the rounding allowance a check passed through.
--   Checks recorded before this migration were of budget submissions.
-- * core.fact_amount.block: 决算 table 6 prints two (code, name, amount)
--   blocks on one line, so a line may hold two facts of one measure.
ALTER TABLE etl.files ADD COLUMN publication_scope text
    CHECK (publication_scope IN ('department', 'unit'));
ALTER TABLE etl.files DROP CONSTRAINT files_status_check;
ALTER TABLE etl.files ADD CONSTRAINT files_status_check
    CHECK (status IN ('loaded', 'unchanged', 'rejected', 'skipped'));

-- A withdrawal takes back one stage (load --withdraw --stage); earlier ones
-- were of budgets.
ALTER TABLE etl.withdrawals ADD COLUMN stage text NOT NULL DEFAULT 'budget'
    CHECK (stage IN ('budget', 'adjusted', 'final'));

ALTER TABLE etl.runs ADD COLUMN files_skipped integer NOT NULL DEFAULT 0;

ALTER TABLE etl.loaded_tables ADD COLUMN publication_scope text NOT NULL DEFAULT 'department'
    CHECK (publication_scope IN ('department', 'unit'));

ALTER TABLE etl.checks ADD COLUMN stage text NOT NULL DEFAULT 'budget'
    CHECK (stage IN ('budget', 'adjusted', 'final'));
ALTER TABLE etl.checks ADD COLUMN row_count integer NOT NULL DEFAULT 1 CHECK (row_count >= 1);
ALTER TABLE etl.checks ADD COLUMN max_abs_difference numeric(18,2);
ALTER TABLE etl.checks ADD COLUMN allowance numeric(18,2);
DROP INDEX etl.checks_submission;
CREATE INDEX checks_submission ON etl.checks (fiscal_year, dept_code, stage, run_id);

ALTER TABLE core.dim_department ADD COLUMN parent_code text;

ALTER TABLE core.fact_amount ADD COLUMN block smallint NOT NULL DEFAULT 0;
ALTER TABLE core.fact_amount DROP CONSTRAINT fact_amount_pkey;
ALTER TABLE core.fact_amount
    ADD PRIMARY KEY (fiscal_year, dept_code, stage, table_kind, line, block, row_role, measure);

-- The income lines of a 决算 table 1 that are no source of the year's money.
INSERT INTO core.dim_fund_source (fund_source, name, sort) VALUES
    ('carryover_begin',         '年初结转和结余',     12),
    ('non_fiscal_surplus_used', '使用非财政拨款结余', 13)
ON CONFLICT (fund_source) DO UPDATE SET name = EXCLUDED.name, sort = EXCLUDED.sort;
