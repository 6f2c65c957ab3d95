-- 005_withdrawals: the audit trail of `./run.sh withdraw YEAR DEPT_CODE`
-- (load --withdraw).  A withdrawal deletes the submission's facts, projects
-- and etl.loaded_tables rows in one transaction; etl.files and etl.rejects
-- keep what was loaded and when, and this table records that it was taken
-- back, by which run, and how many fact rows went.

CREATE TABLE etl.withdrawals (
    withdrawal_id bigserial PRIMARY KEY,
    run_id        bigint NOT NULL REFERENCES etl.runs,
    fiscal_year   smallint NOT NULL,
    dept_code     text NOT NULL,
    withdrawn_at  timestamptz NOT NULL DEFAULT now(),
    facts_removed integer NOT NULL
);
CREATE INDEX withdrawals_submission ON etl.withdrawals (fiscal_year, dept_code);

COMMENT ON TABLE etl.withdrawals IS
    '撤回的提交（load --withdraw）/ submissions withdrawn with load --withdraw';
