-- 030_migration_records: only the owner of the schema writes the record of
-- what was applied.  020_roles gave budget_loader every table of etl, which
-- included etl.schema_migrations: the loader could have marked a future
-- migration as applied (or forgotten one).  It keeps SELECT, so that a load
-- can tell whether the schema is current.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON etl.schema_migrations FROM budget_loader;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON etl.schema_repeatables FROM budget_loader;
