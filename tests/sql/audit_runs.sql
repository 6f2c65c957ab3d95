-- audit_runs: every row of etl.files, etl.rejects and etl.checks belongs to
-- a run of etl.runs, checked once per statement (migration 060), and a run
-- with audit rows cannot be deleted.
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(8);

INSERT INTO etl.runs (run_id) VALUES (910000001);

SELECT lives_ok(
    $$INSERT INTO etl.checks (run_id, check_name, passed)
      SELECT 910000001, 'c' || g, true FROM generate_series(1, 100) g$$,
    'a hundred checks of an existing run: one statement, accepted');
SELECT throws_ok(
    $$INSERT INTO etl.checks (run_id, check_name, passed) VALUES (910000001, 'x', true), (910000002, 'y', true)$$,
    '23503', NULL,
    'a statement with one row of a run that does not exist is refused whole (23503, as a foreign key)');
SELECT is((SELECT count(*) FROM etl.checks WHERE run_id IN (910000001, 910000002)), 100::bigint,
    '... and none of its rows stays');
SELECT throws_ok(
    $$INSERT INTO etl.rejects (run_id, file_path, reason, message) VALUES (910000009, '/x.csv', 'r', 'm')$$,
    '23503', NULL, 'etl.rejects: the same rule');
SELECT throws_ok(
    $$INSERT INTO etl.files (run_id, file_path, status) VALUES (910000009, '/x.csv', 'loaded')$$,
    '23503', NULL, 'etl.files: the same rule');
SELECT throws_ok(
    $$DELETE FROM etl.runs WHERE run_id = 910000001$$,
    '23503', NULL, 'a run with audit rows cannot be deleted');
SELECT lives_ok(
    $$INSERT INTO etl.runs (run_id) VALUES (910000003); DELETE FROM etl.runs WHERE run_id = 910000003$$,
    'a run without audit rows can');
SELECT is(
    (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN
        ('etl.files'::regclass, 'etl.rejects'::regclass, 'etl.checks'::regclass)),
    0::bigint, 'no per-row foreign key is left on the audit tables');

SELECT * FROM finish();
ROLLBACK;
