#!/usr/bin/env bash
# Issue 14: no file, path or server condition stops a run, hangs it, or
# loses data in silence.  Each fault class of docs/contract.md ("What the
# loader guarantees") against a throwaway cluster: the exit code, what is
# kept, and what the operator sees.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
pgc_start robust 55448
export ETL_HOME=$ROOT
unset ETL_DSN ETL_EMBEDDED_DSN
T=$PGC_DIR/t
mkdir -p "$T"
chmod 755 "$T"
fresh() { # a new empty database NAME; sets DSN
	psql -X -q "host=$PGC_HOST port=$PGC_PORT dbname=postgres user=$PGC_USER" \
		-c "drop database if exists $1" -c "create database $1" >/dev/null
	DSN="host=$PGC_HOST port=$PGC_PORT dbname=$1 user=$PGC_USER"
}
q() { psql -X -qtA -v ON_ERROR_STOP=1 "$DSN" -c "$1"; }
load() { # load ARGS...: sets rc; output in $T/out, $T/err
	timeout 120 "$BIN/load" --dsn "$DSN" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
samples() { # a fresh copy of samples/ in $T/$1
	rm -rf "${T:?}/$1"
	cp -r "$ROOT/samples" "$T/$1"
}
t3() { echo "$T/$1/2023/109001/表3 部门支出总表.csv"; }
# The tables of samples/ (budgets of three departments, one 决算)
NS=$(find "$ROOT/samples" -name '*.csv' | wc -l)
# The facts of the samples (a clean load), to check that a fault costs only itself.
fresh clean
load --quiet "$ROOT/samples"
is $rc 0 "the samples load cleanly (the reference)"
CLEAN_FACTS=$(q "select count(*) || ':' || sum(amount) from core.fact_amount")
CLEAN_110=$(q "select count(*) || ':' || sum(amount) from core.fact_amount where dept_code like '1100%'")
[ -n "$CLEAN_110" ] || CLEAN_110=none

# ---- 1: a malformed CSV line after data rows costs its file only -------------------
for where in middle last gzip; do
	samples bad
	f=$(t3 bad)
	if [ $where = last ]; then
		printf '2080506,"机关事业单位职业年金缴费支出,11.72\n' >>"$f"
	else
		sed -i '10s/$/,"unterminated/' "$f"
	fi
	if [ $where = gzip ]; then gzip "$f"; fi
	for mode in plain dry jobs; do
		fresh m1
		case $mode in
		plain) load --quiet "$T/bad" ;;
		dry) load --quiet --dry-run "$T/bad" ;;
		jobs) load --quiet --jobs 2 "$T/bad" ;;
		esac
		is $rc 65 "a quote left open on the $where line of table 3 ($mode): exit 65, not 70"
		grep -q 'bad_csv' "$T/err"
		ok $? "... the reject is printed with its reason ($mode)"
		if [ $mode != dry ]; then
			got=$(q "select count(*) filter (where status = 'loaded') || '/' ||
			                count(*) filter (where status = 'rejected')
			         from etl.files")
			is "$got" "$((NS - 1))/1" "... the other $((NS - 1)) files are loaded, the broken one rejected ($mode)"
			got=$(q "select count(*) from etl.rejects where reason = 'bad_csv' and line > 0")
			is "$got" 1 "... and the broken line is in etl.rejects with its line ($mode)"
			is "$(q "select count(*) || ':' || sum(amount) from core.fact_amount where dept_code like '1100%'")" \
				"$CLEAN_110" "... the other departments' facts are exactly a clean load's ($mode)"
		fi
	done
done

# ---- 2, 14: file names that are not UTF-8, or hold a newline ---------------------------
samples names
d=$T/names/2023/109001
mv "$d/表5 一般公共预算支出表.csv" "$d/$(printf '\xb1\xed5.csv')"          # GBK "表5"
mv "$d/表6 一般公共预算基本支出表.csv" "$d/$(printf 'line\nFORGED run 1: loaded.csv')"
fresh m2
load "$T/names"
is $rc 0 "a GBK file name and a name with a newline load like any other (exit $rc)"
[ $rc = 0 ] || tail -5 "$T/err" | diag
got=$(q "select count(*) from etl.files where status = 'loaded' and strpos(file_path, '/\\xB1\\xED5.csv') > 0")
is "$got" 1 "... the GBK name is stored with its bytes as \\xHH"
got=$(q "select count(*) from core.fact_amount where table_kind = 5 and dept_code = '109001'")
ok $([ "$got" -gt 0 ] && echo 0 || echo 1) "... and its facts are loaded ($got)"
! grep -q '^FORGED' "$T/err" "$T/out"
ok $? "... a newline in a name cannot forge a line of the log or summary"
grep -q 'line\\nFORGED' "$T/err"
ok $? "... it is printed escaped (line\\nFORGED...)"

# ---- 3: a reject message longer than any buffer, with long Chinese paths ---------------
samples dup
part=$(printf '很长的文件夹名称%.0s' $(seq 10)) # 240 bytes, a name's limit is 255
long=$part/$part/$part/$part/$part
mkdir -p "$T/dup/$long/2023/109001"
mv "$T/dup/2023/109001/"* "$T/dup/$long/2023/109001/"
cp "$T/dup/$long/2023/109001/表3 部门支出总表.csv" "$T/dup/$long/2023/109001/表3 部门支出总表（副本）.csv"
fresh m3
load --quiet "$T/dup"
is $rc 65 "two copies of table 3 under long Chinese paths: exit 65, the run goes on"
got=$(q "select count(*) from etl.rejects where reason = 'duplicate_table'")
is "$got" 2 "... both are rejected"
got=$(q "select count(*) from etl.rejects where reason = 'duplicate_table' and message like '%很长的文件夹名称/2023/109001/表3 部门支出总表%很长的文件夹名称/2023/109001/表3 部门支出总表%，两个都不装载'")
is "$got" 2 "... with the whole message, both paths in it"
got=$(q "select count(*) from etl.files where status = 'loaded'")
is "$got" $((NS - 1)) "... and every other file is loaded"

# ---- 4: amounts outside numeric(18,2) ---------------------------------------------------
for amount in 10000000000000000 92233720368547758.07 99999999999999999.99; do
	samples amt
	f=$(t3 amt)
	sed -i "s/^2010302,一般行政管理事务,173.00,,173.00/2010302,一般行政管理事务,$amount,,$amount/" "$f"
	grep -q "$amount" "$f" || { ok 1 "the amount $amount was put in table 3"; continue; }
	# table 3 of 109001 prints 万元: multiplied by 10^4 these are all out of range
	fresh m4
	load --quiet "$T/amt"
	is $rc 65 "amount $amount (万元): exit 65, never 70"
	got=$(q "select count(*) from etl.rejects where reason = 'bad_amount' and raw_value = '$amount'")
	ok $([ "$got" -ge 1 ] && echo 0 || echo 1) "... rejected as bad_amount with the cell ($got)"
	got=$(q "select count(*) from etl.files where status = 'loaded'")
	is "$got" $((NS - 1)) "... the other files load"
done
# 10^12 万元 is 10^16 元: the first amount out of range; 999999999999.99 万元
# fits, alone in its column (a table 3 of one row) ...
samples amt
t3f=$(t3 amt)
head -4 "$t3f" >"$T/amt.head"
{ cat "$T/amt.head"; echo "2010302,一般行政管理事务,999999999999.99,,999999999999.99"; } >"$t3f"
fresh m4b
load --quiet "$T/amt"
got=$(q "select amount from core.fact_amount where code = '2010302' and measure = 'project' and table_kind = 3 and row_role = 'leaf' and stage = 'budget'")
is "$got" "9999999999999900.00" "999999999999.99 万元, just in range, loads exactly"
# ... but beside another row of its column the views would sum past the
# range: the table is rejected, naming the column, and the rest loads
samples amt
sed -i "s/^2010302,一般行政管理事务,173.00,,173.00/2010302,一般行政管理事务,999999999999.99,,999999999999.99/" "$(t3 amt)"
fresh m4c
load --quiet "$T/amt"
is $rc 65 "the same amount beside the other rows of table 3: exit 65"
like "$(q "select reason || ' ' || message from etl.rejects")" "sum_out_of_range .*合计.*列各明细行金额之和超出可装载的范围" \
	"... sum_out_of_range: the column's leaf rows add up past 10^16 yuan"
is "$(q "select count(*) from etl.files where status = 'loaded'")" $((NS - 1)) "... the other files load"

# ---- 5: long text is kept whole; past 1 MiB its row is rejected -------------------------
samples txt
f="$T/txt/2023/109001/表9 项目支出绩效目标表.csv"
goal=$(printf '绩效目标%.0s' $(seq 125))  # 500 characters
p1="$(printf '项目%.0s' $(seq 200))甲" # 401 characters
p2="$(printf '项目%.0s' $(seq 200))乙"
python3 - "$f" "$goal" "$p1" "$p2" <<'EOF'
import sys
f, goal, p1, p2 = sys.argv[1:]
lines = open(f, encoding="utf-8").read().split("\n")
out = []
for l in lines:
    if l.startswith("“一窗通办”及窗口工作经费项目,"):
        l = l.replace("保障项目顺利实施", goal)
    out.append(l)
out.append(p1 + ",某局,1.00,目标,产出指标,数量指标,次数,=1次")
out.append(p2 + ",某局,2.00,目标,产出指标,数量指标,次数,=2次")
open(f, "w", encoding="utf-8").write("\n".join(out) + "\n")
EOF
fresh m5
load --quiet "$T/txt"
got=$(q "select length(goal) from core.project where dept_code = '109001' and project_no = 1")
is "$got" 500 "a 500-character 绩效目标 is kept whole (was cut at 1,023 bytes)"
got=$(q "select count(distinct project_name) from core.project where project_name like '项目项目%'")
is "$got" 2 "two 401-character project names that differ at the end stay two projects"
# a cell past 1 MiB: its row is rejected, naming the limit; the file's other rows are read
samples big
python3 - "$(t3 big)" <<'EOF'
import sys
f = sys.argv[1]
lines = open(f, encoding="utf-8").read().split("\n")
lines[8] = lines[8].replace("一般行政管理事务", "一般行政管理事务" + "长" * 400000, 1)  # 1.2 MB
open(f, "w", encoding="utf-8").write("\n".join(lines))
EOF
fresh m5b
load --quiet "$T/big"
is $rc 65 "a cell over 1 MiB: exit 65"
got=$(q "select line || ' ' || reason from etl.rejects where reason = 'too_long'")
is "$got" "9 too_long" "... its row is rejected at its line, as too_long"
got=$(q "select count(*) from etl.rejects where reason = 'too_long' and message like '%1 MiB%'")
is "$got" 1 "... the message names the limit"

# ---- 6, 7: folders, paths and files that cannot be read ---------------------------------
samples tree
mkdir -p "$T/tree/2023/109001/sub"
ln -s .. "$T/tree/2023/109001/sub/loop"               # a symlink loop
ln -s "$T/tree/2023/110001" "$T/tree/2023/109001/sub/again" # a second way to 110001
mkfifo "$T/tree/2023/109001/管道.csv"                   # a FIFO named .csv
ln -s /dev/zero "$T/tree/2023/109001/zero.csv"           # a symlink to a device
ln -s /etc/passwd "$T/tree/2023/109001/outside.csv"      # out of the tree
deep=$T/tree/2023/deep
mkdir -p "$deep"
(cd "$deep" && for i in $(seq 45); do mkdir "$(printf 'd%.0s' $(seq 100))" && cd d*; done &&
	echo x >a.csv) 2>/dev/null
fresh m6
start=$(date +%s)
load --quiet "$T/tree"
secs=$(($(date +%s) - start))
is $rc 65 "symlink loops, a FIFO, /dev/zero, a link out of the tree, a path over PATH_MAX: exit 65"
ok $([ $secs -lt 60 ] && echo 0 || echo 1) "... in bounded time (${secs}s: no hang, no endless walk)"
got=$(q "select count(*) from etl.files where status = 'loaded'")
is "$got" "$NS" "... every real table is read once ($NS loaded, none twice)"
for r in not_regular_file symlink_outside path_too_long; do
	got=$(q "select count(*) from etl.rejects where reason = '$r'")
	ok $([ "$got" -ge 1 ] && echo 0 || echo 1) "... named as $r ($got)"
done
got=$(q "select count(*) from etl.files where status = 'rejected'")
got2=$(q "select files_rejected from etl.runs order by run_id desc limit 1")
is "$got" "$got2" "... each one a rejected entry of etl.files, counted in etl.runs"

# unreadable folders need a user the permissions apply to (root reads everything)
if [ "$(id -u)" = 0 ]; then
	home=$T/home
	mkdir -p "$home/build"
	cp "$BIN/extract" "$BIN/normalize" "$BIN/load" "$home/build/"
	cp -r "$ROOT/config" "$ROOT/sql" "$home/"
	samples perm
	chmod 000 "$T/perm/2023/110002"
	chmod -R a+rX "$home" "$T"
	chmod 000 "$T/perm/2023/110002"
	as_user() { runuser -u nobody -- env ETL_HOME="$home" "$@"; }
	as_user "$home/build/load" --dry-run --quiet "$T/perm" >"$T/out" 2>"$T/err"
	rc=$?
	is $rc 65 "a folder inside the tree that cannot be read: exit 65, not 0"
	grep -q 'unreadable_folder' "$T/err"
	ok $? "... named as unreadable_folder"
	as_user "$home/build/load" --dry-run --quiet "$T/perm/2023/110002" >"$T/out" 2>"$T/err"
	is $? 66 "a folder named on the command line that cannot be read: exit 66"
	chmod 755 "$T/perm/2023/110002"
else
	ok 0 "unreadable folders are tested as root only (runuser) # not root here"
fi

# ---- 8: another session holds a lock on a core table ---------------------------------------
fresh m8
load --quiet "$ROOT/samples/2023/110001"
cfg=$T/cfg
rm -rf "$cfg"
cp -r "$ROOT/config" "$cfg"
sed -i 's/^lock_timeout = .*/lock_timeout = 2s/' "$cfg/etl.conf"
printf 'BEGIN;\nLOCK TABLE core.fact_amount IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(60);\n' |
	PGAPPNAME=blocker psql -X -q "$DSN" >/dev/null 2>&1 &
blocker=$!
sleep 1
start=$(date +%s)
load --quiet --force --config-dir "$cfg" "$ROOT/samples/2023/110002"
secs=$(($(date +%s) - start))
kill $blocker 2>/dev/null
wait $blocker 2>/dev/null
is $rc 75 "a lock held on core.fact_amount by another session: exit 75 after lock_timeout"
ok $([ $secs -lt 30 ] && echo 0 || echo 1) "... not forever (${secs}s, lock_timeout 2s)"
grep -q 'application "blocker"' "$T/err" && grep -q 'core.fact_amount' "$T/err"
st=$?
ok $st "... naming who holds it and on what"
[ $st = 0 ] || diag <"$T/err"

# ---- 10: the server lost while the loader is idle; statement_timeout --------------------
fresh m10
"$BIN/extract" "$ROOT/samples/2023/110001" | "$BIN/normalize" >"$T/s1" 2>/dev/null
head -n 40 "$T/s1" >"$T/s1a"
tail -n +41 "$T/s1" >"$T/s1b"
mkfifo "$T/feed"
timeout 60 "$BIN/load" --dsn "$DSN" <"$T/feed" >"$T/out" 2>"$T/err" &
lpid=$!
exec 7>"$T/feed"
cat "$T/s1a" >&7
sleep 2 # the loader is connected, reading, idle on the server
q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'budget-etl load'" >/dev/null
cat "$T/s1b" >&7
exec 7>&-
wait $lpid
rc=$?
is $rc 69 "the server connection lost between statements: exit 69, not 70"
[ $rc = 69 ] || tail -3 "$T/err" | diag
fresh m10b
PGOPTIONS='-c statement_timeout=1' timeout 60 "$BIN/load" --dsn "$DSN" --quiet "$ROOT/samples" >"$T/out" 2>"$T/err"
rc=$?
is $rc 75 "statement_timeout set by the operator expires: exit 75, not 70"
grep -q 'statement_timeout\|statement timeout' "$T/err"
ok $? "... and it says what expired"

# The server out of disk: a trigger raises disk_full (SQLSTATE 53100), the
# error a full server gives a COPY.  The run stops with 69, and the version
# of every table committed before stays whole.
fresh m10c
load --quiet "$ROOT/samples"
is $rc 0 "a database loaded before its server fills up"
q "create function public.full_disk() returns trigger language plpgsql as \$\$
   begin raise exception 'could not extend file: No space left on device' using errcode = 'disk_full'; end \$\$;
   create trigger full_disk before insert on core.fact_amount for each row execute function public.full_disk()" >/dev/null
load --quiet --force "$ROOT/samples"
is $rc 69 "the server out of disk (53100) mid-load: exit 69, not 70"
grep -q 'No space left on device' "$T/err"
ok $? "... and it says what the server said"
is "$(q "select count(*) || ':' || sum(amount) from core.fact_amount")" "$CLEAN_FACTS" \
	"... and the facts loaded before are whole"

# ---- 11: only the owner writes the migration record ------------------------------------------
fresh m11
load --migrate
got=$(psql -X -qtA "host=$PGC_HOST port=$PGC_PORT dbname=m11 user=budget_loader" \
	-c "insert into etl.schema_migrations (version) values ('999_future')" 2>&1)
echo "$got" | grep -q 'permission denied'
ok $? "budget_loader may not mark a migration as applied"

# ---- 12: secrets of the DSN are not stored -------------------------------------------------------
fresh m12
load --quiet --dsn "$DSN sslpassword=topsecret-ssl sslmode=disable" "$ROOT/samples/2023/110001"
got=$(q "select options from etl.runs order by run_id desc limit 1")
echo "$got" | grep -q topsecret
is $? 1 "sslpassword is not stored in etl.runs.options ($got)"

# ---- 13: psql gets the DSN in its environment, never on its command line -----------------------
mkdir -p "$T/fakebin"
cat >"$T/fakebin/psql" <<'EOF'
#!/bin/sh
echo "argv: $*"
echo "PGPASSWORD=${PGPASSWORD:-} PGHOST=${PGHOST:-}"
EOF
chmod +x "$T/fakebin/psql"
PATH=$T/fakebin:$PATH "$BIN/load" --dsn "host=somewhere password=hunter2 dbname=x" --psql -- -c 'select 1' >"$T/out" 2>"$T/err"
grep -q '^argv: -c select 1$' "$T/out" && grep -q '^PGPASSWORD=hunter2 PGHOST=somewhere$' "$T/out"
st=$?
ok $st "load --psql passes the password in PGPASSWORD, not in psql's argv"
[ $st = 0 ] || diag <"$T/out"

# ---- 15: ./run.sh with ETL_DSN set uses that database, never the embedded cluster ----------
# PGBIN points nowhere: starting the embedded cluster would fail.
fresh m15a
ETL_DSN=$DSN PGBIN=/nonexistent timeout 120 "$ROOT/run.sh" load --quiet "$ROOT/samples" >"$T/out" 2>"$T/err"
rc=$?
is $rc 0 "./run.sh load with ETL_DSN set loads into that database, no embedded cluster started"
[ $rc = 0 ] || tail -3 "$T/err" | diag
is "$(q "select count(*) || ':' || sum(amount) from core.fact_amount")" "$CLEAN_FACTS" \
	"... the samples are in ETL_DSN's database"
ETL_DSN=$DSN PGBIN=/nonexistent timeout 120 "$ROOT/run.sh" >"$T/out" 2>"$T/err"
is $? 0 "./run.sh (load samples/, print the summary) with ETL_DSN set: the same"
grep -q '各部门收支' "$T/out"
ok $? "... and its summary is printed from that database"

# ---- 15: the counters of a run stopped midway agree with etl.files -----------------------------
fresh m15
rm -rf "$T/gen"
python3 "$ROOT/tests/gen/gen_submissions.py" --out "$T/gen" --departments 40 --years 2022-2023 --seed 5 >/dev/null
timeout 120 "$BIN/load" --dsn "$DSN" --quiet --jobs 2 --config-dir "$ROOT/config" "$T/gen/2022" "$T/gen/2023" >"$T/out" 2>"$T/err" &
lpid=$!
for _ in $(seq 100); do
	[ "$(q "select count(*) from etl.files" 2>/dev/null)" -gt 30 ] 2>/dev/null && break
	sleep 0.1
done
kill -TERM $lpid
wait $lpid
rc=$?
is $rc 143 "a --jobs 2 run stopped with SIGTERM: 143"
got=$(q "select r.files_seen || '=' || (select count(*) from etl.files f where f.run_id = r.run_id)
         from etl.runs r order by run_id desc limit 1")
ok $(echo "$got" | awk -F= '$1 == $2 && $1 > 0 { ok = 1 } END { exit !ok }' && echo 0 || echo 1) \
	"... etl.runs counts what etl.files holds ($got)"

done_testing
