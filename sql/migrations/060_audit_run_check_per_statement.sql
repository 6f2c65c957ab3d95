-- 060_audit_run_check_per_statement: the run of every audit row, checked
-- once per statement instead of once per row.
--
-- etl.files, etl.rejects and etl.checks referenced etl.runs with a foreign
-- key, which costs one lookup of etl.runs per row written (half the cost of
-- writing etl.checks, measured in shared/reference/perf-analysis.md).  The
-- same rule now holds per statement: an AFTER INSERT trigger looks up the
-- distinct run_ids of the rows a COPY or INSERT added (one query for the
-- batch), and a run that audit rows point to cannot be deleted.
ALTER TABLE etl.files DROP CONSTRAINT files_run_id_fkey;
ALTER TABLE etl.rejects DROP CONSTRAINT rejects_run_id_fkey;
ALTER TABLE etl.checks DROP CONSTRAINT checks_run_id_fkey;

CREATE FUNCTION etl.audit_rows_have_runs() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    missing bigint;
BEGIN
    SELECT n.run_id INTO missing
    FROM (SELECT DISTINCT run_id FROM added) n
    WHERE NOT EXISTS (SELECT 1 FROM etl.runs r WHERE r.run_id = n.run_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%.%" violates the rule that every row belongs to a run of etl.runs',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (run_id)=(%s) is not present in table "etl.runs".', missing);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER files_have_runs AFTER INSERT ON etl.files
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION etl.audit_rows_have_runs();
CREATE TRIGGER rejects_have_runs AFTER INSERT ON etl.rejects
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION etl.audit_rows_have_runs();
CREATE TRIGGER checks_have_runs AFTER INSERT ON etl.checks
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION etl.audit_rows_have_runs();

-- A run with audit rows stays (the foreign keys' ON DELETE NO ACTION).
CREATE FUNCTION etl.runs_keep_audited() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM etl.files WHERE run_id = OLD.run_id)
       OR EXISTS (SELECT 1 FROM etl.rejects WHERE run_id = OLD.run_id)
       OR EXISTS (SELECT 1 FROM etl.checks WHERE run_id = OLD.run_id) THEN
        RAISE EXCEPTION 'run % has audit rows in etl.files, etl.rejects or etl.checks', OLD.run_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER runs_keep_audited BEFORE DELETE ON etl.runs
    FOR EACH ROW EXECUTE FUNCTION etl.runs_keep_audited();
