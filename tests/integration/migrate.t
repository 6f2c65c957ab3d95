#!/usr/bin/env bash
# Migrations are append-only and checksummed; views are repeatable.
#
# Databases created by the schema of commits 6dbc809 (before 010_mart was
# edited in place and before 005_withdrawals) and 0cdb37a (the last one
# without checksums), from tests/data/migrations/<commit>/, migrate forward
# to exactly the views, functions and column comments of a fresh database,
# keeping their facts; an edited applied migration, and a new one that sorts
# before an applied one, stop migrate with exit 78 naming the file; a
# changed view file is re-applied.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
pgc_start migrate 55447
export ETL_HOME=$ROOT
q() { psql -X -qtA "$1" -v ON_ERROR_STOP=1 -c "$2"; }
dsn() { echo "host=$PGC_HOST port=$PGC_PORT dbname=$1 user=$PGC_USER"; }

# The schema as a reader sees it: every view and materialized view of core
# and mart with its definition, every function of core and etl, every
# comment on a mart column.  Printed sorted, one object per line.
schema() {
	q "$1" "select 'view ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' ||
	               md5(pg_get_viewdef(c.oid))
	        from pg_class c join pg_namespace n on n.oid = c.relnamespace
	        where n.nspname in ('core', 'mart') and c.relkind in ('v', 'm')
	        union all
	        select 'function ' || n.nspname || '.' || p.proname || ' ' || md5(pg_get_functiondef(p.oid))
	        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
	        where n.nspname in ('core', 'etl')
	        union all
	        select 'comment ' || c.relname || '.' || a.attname || ' ' ||
	               coalesce(md5(col_description(c.oid, a.attnum)), 'NONE')
	        from pg_attribute a join pg_class c on c.oid = a.attrelid
	        join pg_namespace n on n.oid = c.relnamespace
	        where n.nspname = 'mart' and c.relkind in ('v', 'm') and a.attnum > 0
	          and not a.attisdropped
	        union all
	        select 'grant ' || table_name::text || ' ' || grantee::text || ' ' || privilege_type::text
	        from information_schema.role_table_grants
	        where table_schema in ('mart', 'etl') and grantee like 'budget_%'
	        order by 1"
}

# A database as a commit's migrations left it (the loader of that time
# applied each file in its own transaction and recorded its name only).
old_database() { # NAME COMMIT
	local db=$1 c=$2 f v
	q "$(dsn postgres)" "create database $db" >/dev/null
	for f in "$ROOT/tests/data/migrations/$c"/[0-9]*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -1 "$(dsn "$db")" -f "$f" >/dev/null || return 1
	done
	q "$(dsn "$db")" "create table etl.schema_migrations (version text primary key,
	                    applied_at timestamptz not null default now())" >/dev/null
	for f in "$ROOT/tests/data/migrations/$c"/[0-9]*.sql; do
		v=$(basename "$f" .sql)
		q "$(dsn "$db")" "insert into etl.schema_migrations (version) values ('$v')" >/dev/null
	done
	# one fact, one file and one run, as a load of that time would have left
	q "$(dsn "$db")" "insert into etl.runs (run_id) values (1);
	    insert into etl.files (file_id, run_id, file_path, status) values (1, 1, '/x.csv', 'loaded');
	    insert into core.fact_amount (fiscal_year, dept_code, stage, table_kind, row_role, code,
	        measure, amount, file_id, line) values (2023, '109001', 'budget', 3, 'leaf', '2010301',
	        'basic', 3822800.00, 1, 7)" >/dev/null
}

# 1: a fresh database ------------------------------------------------------------
q "$(dsn postgres)" "create database fresh" >/dev/null
"$BIN/load" --migrate --quiet --dsn "$(dsn fresh)" 2>"$PGC_DIR/fresh.err"
rc=$?
ok $rc "a fresh database migrates (exit $rc)"
[ $rc = 0 ] || sed 's/^/# /' "$PGC_DIR/fresh.err"
schema "$(dsn fresh)" >"$PGC_DIR/fresh.schema"
nv=$(grep -c '^view mart' "$PGC_DIR/fresh.schema")
ok $([ "$nv" -ge 11 ] && echo 0 || echo 1) "the fresh schema has the mart views ($nv)"
got=$(q "$(dsn fresh)" "select count(*) || '/' || count(*) filter (where checksum_origin = 'applied'
                         and sha256 ~ '^[0-9a-f]{64}$') from etl.schema_migrations")
want=$(ls "$ROOT"/sql/migrations/[0-9]*.sql | wc -l)
ok $([ "$got" = "$want/$want" ] && echo 0 || echo 1) "every migration recorded with its sha256 ($got of $want)"

# 2, 3: databases of earlier commits ------------------------------------------------
for c in 6dbc809 0cdb37a; do
	db=at_$c
	if ! old_database "$db" "$c" 2>"$PGC_DIR/$db.old.err"; then
		ok 1 "database at $c created"
		sed 's/^/# /' "$PGC_DIR/$db.old.err"
		continue
	fi
	before=$(schema "$(dsn "$db")") || before=ERROR
	[ -n "$before" ] || before=EMPTY
	"$BIN/load" --migrate --dsn "$(dsn "$db")" 2>"$PGC_DIR/$db.err"
	rc=$?
	ok $rc "the database at $c migrates forward (exit $rc)"
	[ $rc = 0 ] || sed 's/^/# /' "$PGC_DIR/$db.err"
	grep -q 'recorded the checksums of' "$PGC_DIR/$db.err"
	ok $? "at $c: the checksums of its migrations are adopted and said so"
	schema "$(dsn "$db")" >"$PGC_DIR/$db.schema"
	if [ -s "$PGC_DIR/$db.schema" ] && [ -s "$PGC_DIR/fresh.schema" ] &&
		diff "$PGC_DIR/fresh.schema" "$PGC_DIR/$db.schema" >"$PGC_DIR/$db.diff"; then
		ok 0 "at $c: the same views, functions, comments and grants as a fresh database"
	else
		ok 1 "at $c: the same views, functions, comments and grants as a fresh database"
		head -20 "$PGC_DIR/$db.diff" | sed 's/^/# /'
	fi
	after=$(cat "$PGC_DIR/$db.schema")
	ok $([ "$before" != ERROR ] && [ "$before" != EMPTY ] && [ "$before" != "$after" ] && echo 0 || echo 1) \
		"at $c: its schema before differed from after (the test sees the old views)"
	got=$(q "$(dsn "$db")" "select count(*) || ':' || sum(amount) from core.fact_amount")
	ok $([ "$got" = "1:3822800.00" ] && echo 0 || echo 1) "at $c: its facts are kept ($got)"
	got=$(q "$(dsn "$db")" "select string_agg(version || '=' || checksum_origin, ' ' order by version)
	                        from etl.schema_migrations")
	echo "# $c: $got"
	"$BIN/load" --migrate --quiet --dsn "$(dsn "$db")" 2>"$PGC_DIR/$db.again.err"
	rc=$?
	ok $([ $rc = 0 ] && [ ! -s "$PGC_DIR/$db.again.err" ] && echo 0 || echo 1) \
		"at $c: a second migrate has nothing to do (exit $rc)"
done
got=$(q "$(dsn at_6dbc809)" "select checksum_origin from etl.schema_migrations where version = '005_withdrawals'")
ok $([ "$got" = applied ] && echo 0 || echo 1) "at 6dbc809: 005_withdrawals, added after 020_roles, is applied ($got)"

# 4: an applied migration edited, a migration out of order ----------------------------
home=$PGC_DIR/home
mkdir -p "$home"
cp -r "$ROOT/sql" "$ROOT/config" "$home/"
echo '-- an edit after the fact' >>"$home/sql/migrations/001_core.sql"
ETL_HOME=$home "$BIN/load" --migrate --dsn "$(dsn fresh)" 2>"$PGC_DIR/edited.err"
rc=$?
ok $([ $rc = 78 ] && echo 0 || echo 1) "an edited applied migration stops migrate with 78 (got $rc)"
grep -q 'sql/migrations/001_core.sql was changed after it was applied' "$PGC_DIR/edited.err"
ok $? "the message names the file and says why"
sed 's/^/# /' "$PGC_DIR/edited.err"

cp "$ROOT/sql/migrations/001_core.sql" "$home/sql/migrations/001_core.sql"
echo 'CREATE TABLE etl.it_early (id int);' >"$home/sql/migrations/015_early.sql"
ETL_HOME=$home "$BIN/load" --migrate --dsn "$(dsn fresh)" 2>"$PGC_DIR/early.err"
rc=$?
ok $([ $rc = 78 ] && echo 0 || echo 1) "a new migration sorting before an applied one stops migrate with 78 (got $rc)"
grep -q '015_early.sql is new but sorts before' "$PGC_DIR/early.err"
ok $? "the message names it"
got=$(q "$(dsn fresh)" "select to_regclass('etl.it_early') is null")
ok $([ "$got" = t ] && echo 0 || echo 1) "and it was not applied"

# 5: a view file changed is re-applied; a new migration after the last is applied ---------
rm "$home/sql/migrations/015_early.sql"
echo 'CREATE TABLE etl.it_late (id int);' >"$home/sql/migrations/999_late.sql"
sed -i "s|'功能分类类级科目名称 / function class name'|'功能分类类级科目名称 / the function class name'|" \
	"$home/sql/views/090_contract.sql"
ETL_HOME=$home "$BIN/load" --migrate --dsn "$(dsn fresh)" 2>"$PGC_DIR/late.err"
rc=$?
ok $rc "a later migration and a changed view file apply (exit $rc)"
grep -q 'applied the views of' "$PGC_DIR/late.err"
ok $? "the views were re-applied and it says so"
got=$(q "$(dsn fresh)" "select col_description('mart.expenditure_by_function'::regclass,
                          (select attnum from pg_attribute where attrelid = 'mart.expenditure_by_function'::regclass
                           and attname = 'class_name'))")
ok $([ "$got" = '功能分类类级科目名称 / the function class name' ] && echo 0 || echo 1) "the changed comment is in place ($got)"
got=$(q "$(dsn fresh)" "select to_regclass('etl.it_late') is not null")
ok $([ "$got" = t ] && echo 0 || echo 1) "the new migration was applied"

# 6: core.dim_measure is what common/measure.def lists as amounts -------------------------
"$BIN/load" --quiet --dsn "$(dsn fresh)" "$ROOT/samples/2023/109001" >/dev/null 2>"$PGC_DIR/load.err"
rc=$?
ok $([ $rc = 0 ] && echo 0 || echo 1) "a load syncs the reference dimensions (exit $rc)"
want=$(sed -n 's/^MEASURE(\([a-z_]*\), "\([^"]*\)", MEASURE_AMOUNT)$/\1 \2/p' "$ROOT/etl/common/measure.def" | sort)
got=$(q "$(dsn fresh)" "select measure || ' ' || name from core.dim_measure order by 1" | sort)
ok $([ -n "$want" ] && [ "$got" = "$want" ] && echo 0 || echo 1) \
	"core.dim_measure equals the amount measures of measure.def ($(echo "$want" | wc -l) of them)"
[ "$got" = "$want" ] || diff <(echo "$want") <(echo "$got") | sed 's/^/# /'

done_testing
