-- 040_run_lock: the lock that says a load is writing.
--
-- Until now a run held a pg_advisory_lock, which any role can take: the
-- read-only BI role could make every load exit 75 "another load holds the
-- lock".  A writing run now holds row 1 of this table FOR UPDATE, in a
-- transaction kept open on a connection of its own for the whole run (see
-- etl/load/pgwriter.c, pgw_run_lock).  SELECT ... FOR UPDATE needs UPDATE
-- on the table: budget_loader has it, budget_reader has nothing in etl.
CREATE TABLE etl.run_lock (
    id   smallint PRIMARY KEY CHECK (id = 1),
    note text NOT NULL
);
INSERT INTO etl.run_lock (id, note)
    VALUES (1, 'a writing run holds this row FOR UPDATE while it runs');
REVOKE ALL ON etl.run_lock FROM PUBLIC;
REVOKE INSERT, DELETE, TRUNCATE ON etl.run_lock FROM budget_loader;
GRANT SELECT, UPDATE ON etl.run_lock TO budget_loader;
