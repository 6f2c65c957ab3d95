#!/usr/bin/env bash
# bad_input.t: broken submissions (tests/data/bad, see its README.md) are
# rejected row by row and file by file, each with its path, line and reason
# printed and stored in etl.rejects with its raw text, exit 65, while every
# other table of the same submissions loads.  CONTRACT.md "Bad input gets a
# clear error, and nothing is lost".  TAP, run by prove; needs build/load,
# extract and normalize (ETL_BIN) and PostgreSQL's server programs.
# shellcheck disable=SC1111 # the messages quote with “”, as the pipeline prints them
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
BAD=$ROOT/tests/data/bad

. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
if [ ! -x "$BIN/load" ] || [ ! -x "$BIN/extract" ] || [ ! -x "$BIN/normalize" ]; then
	bail "$BIN/load, extract or normalize not built (make)"
fi
[ -x "$PGBIN/initdb" ] || skip_all "no PostgreSQL server programs in $PGBIN"

pgc_start bad_input 55461 || bail "no cluster"
export ETL_HOME=$ROOT
unset ETL_DSN PGHOST PGPORT PGDATABASE PGUSER PGSERVICE
T=$PGC_DIR # the cluster's folder, removed on exit

q() { pgq "$PGC_DSN" "$1"; }
# printed LINE NAME: the exact line is on stderr (any folder before the
# path given, since extract makes paths absolute)
printed() {
	local want=$1
	if grep -aqF -- "/$want" "$T/err" || grep -aqxF -- "$want" "$T/err"; then
		tap_result 1 "$2"
	else
		tap_result 0 "$2"
		echo "#   want a line ending: $want"
		grep -a -F -- "${want%%:*}" "$T/err" | head -3 | sed 's/^/#   got:  /'
	fi
}
# printed_re ERE NAME
printed_re() {
	if grep -aqE -- "$1" "$T/err"; then tap_result 1 "$2"; else
		tap_result 0 "$2"
		echo "#   no line matches: $1"
	fi
}
load() { # load ARGS...: from tests/data/bad with relative paths; sets rc
	(cd "$BAD" && "$BIN/load" --dsn "$PGC_DSN" "$@") >"$T/out" 2>"$T/err"
	rc=$?
}
# The file path relative to tests/data/bad, for SQL output.
REL="replace(file_path, '$BAD/', '')"

# --- run 1: the broken submissions ---------------------------------------------
load 2023 loose
is "$rc" 65 "a run with rejected rows and files exits 65"

# Rows: path:line: reason: message
A=2023/109001
unknown_re="(^|/)$A/表3 部门支出总表\.csv:12: unknown_code: 功能分类科目 2069801 不存在（款 20698 不在 2023 年科目表中）；最接近的有效科目：206[0-9]{2} .*；如确为新增科目，请在 config/classifications/local/ 中添加$"
printed_re "$unknown_re" "a code under an unknown 款: line 12, 2069801, 款 20698, nearest codes, where to add it"
unknown_msg=$(grep -aE "$unknown_re" "$T/err" | sed 's/^.*:12: unknown_code: //')
printed "$A/表5 一般公共预算支出表.csv:9: bad_code: 科目编码“20103O1”格式不对：科目编码“20103O1”格式错误（应为 3、5 或 7 位数字）" \
	"a malformed code: line 9, bad_code, the code quoted"
printed "$A/表6 一般公共预算基本支出表.csv:7: bad_amount: “人员经费”列的金额“9O.12”不是数字" \
	"an amount that is not a number: line 7, the column named"
printed "$A/表2 部门收入总表.csv:10: unknown_name: 科目名称“一般行政管理杂务”在上级科目 20103 下找不到（2023 年功能分类科目表），无法确定编码" \
	"a codeless name unknown under its 款: line 10, the name and 款 20103"
for t in "表2 部门收入总表" "表3 部门支出总表" "表5 一般公共预算支出表" "表6 一般公共预算基本支出表"; do
	printed "$A/$t.csv: table_not_loaded: 表中有 1 行被拒绝，整表未加载（原有版本保留；--accept-partial 可加载其余各行）" \
		"... $t is not loaded, and says so"
done

# Files rejected whole
B=2023/110001
printed_re "(^|/)$B/表5 一般公共预算支出表\.csv:2: year_mismatch: 标题年度 2022 与目录年度 2023 不一致$" \
	"the year in the title disagrees with the folder: year_mismatch naming 2022 and 2023"
printed "$B/空文件.csv: empty_file: the file is empty" "an empty file: empty_file"
printed_re "(^|/)$B/图表\.csv: not_text: .*NUL byte" "a binary file: not_text"
printed "$B/表11 人员编制情况表.csv: unknown_table: 文件中找不到已知的表标题" "an unrecognised table: unknown_table"
printed_re "(^|/)$B/表4 财政拨款收支总表\.csv:6: no_unit: 表中有金额，但找不到金额单位.*不作猜测$" \
	"a table with no unit line: no_unit at its first figure, never guessed"
printed_re "(^|/)$B/国有资产占用情况表\.csv: skipped_table: “2023年度国有资产占用情况表”是公开表之外的附加表" \
	"a provincial extra: skipped_table, said and not loaded"
C=2023/110002
printed_re "(^|/)$C/表3 部门支出总表\.csv: duplicate_table: 同一提交中有两个表3文件：.*/$C/表3 部门支出总表\.csv 与 .*/$C/表3 部门支出总表（修订）\.csv，两个都不装载$" \
	"two tables 3 in one folder: the first is rejected, naming both"
printed_re "(^|/)$C/表3 部门支出总表（修订）\.csv: duplicate_table: 同一提交中有两个表3文件：.*/$C/表3 部门支出总表（修订）\.csv 与 .*/$C/表3 部门支出总表\.csv，两个都不装载$" \
	"... and so is the second, naming both"
printed "loose/某局 三公经费表.csv: no_department: 无法确定部门：文件不在 <年度>/<部门编码>/ 目录下，部门名称“南昌市西湖区不存在局”也不在 config/departments.csv 中" \
	"outside <year>/<dept>/ with an unknown department name: no_department with a hint"
nrej=$(grep -aE '^(/|20[0-9]{2}/|loose/).*\.csv(:[0-9]+)?: [a-z_]+: ' "$T/err" | grep -acv ': skipped_table: ')
is "$nrej" 16 "16 rejects printed, no more"

# etl.rejects: one row per reject, with line, column and raw text
is "$(q "SELECT $REL || '|' || coalesce(line::text, '') || '|' || coalesce(column_name, '') || '|'
           || reason || '|' || coalesce(raw_value, '')
         FROM etl.rejects ORDER BY 1")" \
	"$A/表2 部门收入总表.csv|10|科目编码|unknown_name|一般行政管理杂务
$A/表2 部门收入总表.csv|||table_not_loaded|
$A/表3 部门支出总表.csv|12|科目编码|unknown_code|2069801 其他科学技术管理事务支出
$A/表3 部门支出总表.csv|||table_not_loaded|
$A/表5 一般公共预算支出表.csv|9|科目编码|bad_code|20103O1
$A/表5 一般公共预算支出表.csv|||table_not_loaded|
$A/表6 一般公共预算基本支出表.csv|7|人员经费|bad_amount|9O.12
$A/表6 一般公共预算基本支出表.csv|||table_not_loaded|
$B/图表.csv|||not_text|
$B/空文件.csv|||empty_file|
$B/表11 人员编制情况表.csv|||unknown_table|
$B/表4 财政拨款收支总表.csv|6|收入/预算数|no_unit|648.03
$B/表5 一般公共预算支出表.csv|2||year_mismatch|2022年一般公共预算支出表
$C/表3 部门支出总表.csv|||duplicate_table|
$C/表3 部门支出总表（修订）.csv|||duplicate_table|
loose/某局 三公经费表.csv|||no_department|南昌市西湖区不存在局" \
	"etl.rejects: every reject with its line, column, reason and raw text"
is "$(q "SELECT count(*) FROM etl.rejects WHERE message = '' OR file_path NOT LIKE '/%'")" 0 \
	"... each with a message and an absolute path"
is "$(q "SELECT message FROM etl.rejects WHERE reason = 'unknown_code'")" "$unknown_msg" \
	"... the stored message is the printed one"
is "$(q "SELECT count(*) FROM etl.rejects WHERE reason = 'duplicate_table'
           AND message LIKE '%表3 部门支出总表.csv 与 %表3 部门支出总表（修订）.csv%'
            OR message LIKE '%表3 部门支出总表（修订）.csv 与 %表3 部门支出总表.csv%'")" 2 \
	"... both duplicates stored, each naming both files"

# etl.files: one row per file, with its status
is "$(q "SELECT $REL || '|' || status || '|' || coalesce(encoding, '') || '|' || rows_rejected
         FROM etl.files ORDER BY 1")" \
	"$A/表1 部门收支总表.csv|loaded|utf-8|0
$A/表2 部门收入总表.csv|rejected|utf-8|1
$A/表3 部门支出总表.csv|rejected|utf-8|1
$A/表4 财政拨款收支总表.csv|loaded|utf-8|0
$A/表5 一般公共预算支出表.csv|rejected|utf-8|1
$A/表6 一般公共预算基本支出表.csv|rejected|utf-8|1
$A/表7 一般公共预算“三公”经费支出表.csv|loaded|utf-8|0
$A/表8 政府性基金预算支出表.csv|loaded|utf-8|0
$A/表9 项目支出绩效目标表.csv|loaded|utf-8|0
$B/决算表3 部门支出总表.csv|loaded|utf-8|0
$B/国有资产占用情况表.csv|skipped|utf-8|0
$B/图表.csv|rejected||0
$B/空文件.csv|rejected||0
$B/表1 部门收支总表.csv|loaded|utf-8|0
$B/表11 人员编制情况表.csv|rejected|utf-8|0
$B/表2 部门收入总表.csv|loaded|utf-8|0
$B/表3 部门支出总表.csv|loaded|utf-8|0
$B/表4 财政拨款收支总表.csv|rejected|utf-8|2
$B/表5 一般公共预算支出表.csv|rejected|utf-8|1
$B/表6 一般公共预算基本支出表.csv|loaded|utf-8|0
$B/表7 一般公共预算“三公”经费支出表.csv|loaded|utf-8|0
$B/表8 政府性基金预算支出表.csv|loaded|utf-8|0
$B/表9 项目支出绩效目标表.csv|loaded|utf-8|0
$C/表1 部门收支总表.csv|loaded|utf-8|0
$C/表2 部门收入总表.csv|loaded|utf-8|0
$C/表3 部门支出总表.csv|rejected|utf-8|12
$C/表3 部门支出总表（修订）.csv|rejected|utf-8|12
$C/表4 财政拨款收支总表.csv|loaded|utf-8|0
$C/表5 一般公共预算支出表.csv|loaded|utf-8|0
$C/表6 一般公共预算基本支出表.csv|loaded|utf-16le|0
$C/表7 一般公共预算“三公”经费支出表.csv|loaded|utf-8|0
$C/表8 政府性基金预算支出表.csv|loaded|utf-8|0
$C/表9 项目支出绩效目标表.csv|loaded|utf-8|0
loose/政务服务数据管理局 支出总表.csv|loaded|utf-8|0
loose/某局 三公经费表.csv|rejected|utf-8|0" \
	"etl.files: 35 files, each loaded, skipped or rejected as expected"
is "$(q "SELECT exit_code || ' ' || files_seen || ' ' || files_loaded || ' ' || files_rejected
           || ' ' || files_skipped FROM etl.runs")" "65 35 22 12 1" \
	"etl.runs: exit 65, 35 files: 22 loaded, 12 rejected, 1 skipped"

# The good tables of the same submissions are loaded, the rejected ones are not
is "$(q "SELECT fiscal_year || '/' || dept_code || '/' || stage || ':' || string_agg(table_kind::text, ',' ORDER BY table_kind)
         FROM etl.loaded_tables GROUP BY fiscal_year, dept_code, stage ORDER BY 1")" \
	"2022/109001/budget:3
2023/109001/budget:1,4,7,8,9
2023/110001/budget:1,2,3,6,7,8,9
2023/110001/final:3
2023/110002/budget:1,2,4,5,6,7,8,9" \
	"etl.loaded_tables: every good table of the broken submissions; a 决算 table 3 beside the budget's is no duplicate"
is "$(q "SELECT fiscal_year || '/' || dept_code || '/' || stage || ':' || string_agg(DISTINCT table_kind::text, ',')
         FROM core.fact_amount GROUP BY fiscal_year, dept_code, stage ORDER BY 1")" \
	"2022/109001/budget:3
2023/109001/budget:1,4,7,9
2023/110001/budget:1,2,3,6,7,9
2023/110001/final:3
2023/110002/budget:1,2,4,5,6,7,9" "core.fact_amount: facts of exactly those tables (8 has no amounts)"
is "$(q "SELECT count(*) FROM core.fact_amount WHERE fiscal_year = 2023 AND dept_code = '109001'
           AND table_kind IN (2, 3, 5, 6)")" 0 "no fact of a table with a rejected row"
is "$(q "SELECT count(*) FROM core.fact_amount WHERE dept_code = '110002' AND table_kind = 3")" 0 \
	"no fact of either duplicate"
is "$(q "SELECT count(*) || ' ' || sum(amount) FROM core.project WHERE fiscal_year = 2023 AND dept_code = '109001'")" \
	"5 2306000.00" "table 9 of the broken submission: its 5 projects, 230.60 万元"

# UTF-16LE: decoded and loaded like its UTF-8 twin (a consistency check:
# the same code read both), and to the figures of the file itself, read
# here with Python's UTF-16 codec and csv module (TAB-delimited, 万元 times
# 10000): every non-zero amount of every data row at its line.
facts_of() { q "SELECT string_agg(line || ':' || coalesce(code, '') || ':' || measure || '=' || amount, ' ' ORDER BY line, measure)
               FROM core.fact_amount WHERE fiscal_year = 2023 AND dept_code = '$1' AND table_kind = $2"; }
t6=$(facts_of 110002 6)
is "$t6" "$(facts_of 110001 6)" "a UTF-16LE table 6 loads the same facts as its UTF-8 twin"
want=$(python3 - "$BAD/$C/表6 一般公共预算基本支出表.csv" <<'EOF'
import csv, io, sys
from decimal import Decimal
text = open(sys.argv[1], "rb").read().decode("utf-16")
rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
head = next(i for i, r in enumerate(rows) if r[0].startswith("经济分类科目编码"))
assert rows[head][2:5] == ["合计", "人员经费", "公用经费"], rows[head]
scale = Decimal(10000) if any("万元" in c for r in rows[:head] for c in r) else Decimal(1)
facts = []
for line, r in enumerate(rows[head + 1:], start=head + 2):
    for measure, v in zip(("total", "personnel", "public"), r[2:5]):
        if v.strip() and Decimal(v):
            facts.append((line, measure, "%d:%s:%s=%s" % (line, r[0].strip(), measure,
                                                         (Decimal(v) * scale).quantize(Decimal("0.01")))))
print(" ".join(f for _, _, f in sorted(facts)))
EOF
)
is "$t6" "${want:-(the python reading failed)}" "... and exactly the $(echo "$want" | wc -w) amounts the UTF-16 file holds, read by Python"
ok "$([ "$(echo "$t6" | wc -w)" -ge 40 ] && echo 0 || echo 1)" "... all $(echo "$t6" | wc -w) of them"
is "$(q "SELECT sum(total_amount) FROM mart.basic_expenditure_by_economic WHERE dept_code = '110002'")" \
	4174300.00 "... and mart.basic_expenditure_by_economic adds up to 417.43 万元"

# Department name differing from the registry: loaded, failed check recorded
is "$(q "SELECT passed || '|' || message FROM etl.checks WHERE check_name = 'dept_name_matches_registry'")" \
	"false|部门名称不一致：文件中为“南昌市西湖区教育局”，登记（config/departments.csv）为“南昌市西湖区教育体育局”" \
	"a department name differing from the registry: one failed check naming both"
is "$(q "SELECT dept_name FROM core.dim_department WHERE dept_code = '110002'")" "南昌市西湖区教育体育局" \
	"... the registry's name stays"
is "$(q "SELECT checks_failed > 0 FROM mart.department_year WHERE dept_code = '110002'")" t \
	"... and mart.department_year counts the failed check"

# A file outside <year>/<dept>/: department found by name
is "$(q "SELECT fiscal_year || '/' || dept_code || '/' || table_kind || '|' || status FROM etl.files
         WHERE file_path LIKE '%/loose/政务服务数据管理局 支出总表.csv'")" "2022/109001/3|loaded" \
	"outside <year>/<dept>/: year from the title, department by its name in the registry"
is "$(q "SELECT sum(total_amount) FROM mart.expenditure_by_function WHERE fiscal_year = 2022 AND dept_code = '109001'")" \
	6480300.00 "... its expenditure in mart.expenditure_by_function (648.03 万元)"

# --- run 2: --accept-partial loads the good rows; rejected files are retried -----
load --accept-partial 2023 loose
is "$rc" 65 "--accept-partial: still exit 65"
is "$(q "SELECT string_agg(status, ',' ORDER BY status) || ' ' || sum(rows_rejected) FROM etl.files
         WHERE run_id = 2 AND file_path LIKE '%/$A/%'")" \
	"loaded,loaded,loaded,loaded,unchanged,unchanged,unchanged,unchanged,unchanged 4" \
	"... the four tables with a rejected row are tried again and loaded; the rest unchanged"
is "$(q "SELECT count(DISTINCT line) || ' ' || count(*) FILTER (WHERE line = 12) || ' ' || sum(amount) FILTER (WHERE row_role = 'leaf' AND measure = 'total')
         FROM core.fact_amount WHERE fiscal_year = 2023 AND dept_code = '109001' AND table_kind = 3")" \
	"11 0 5904300.00" "... table 3: its 11 good lines, not line 12"
is "$(q "SELECT line || '|' || reason FROM etl.rejects WHERE run_id = 2 AND file_path LIKE '%/$A/%' ORDER BY 1")" \
	"10|unknown_name
12|unknown_code
7|bad_amount
9|bad_code" "... and the rejected rows are recorded again"
is "$(q "SELECT count(*) FROM etl.files WHERE run_id = 2 AND status = 'rejected'")" 8 \
	"... the 8 files rejected whole stay rejected"

# --- everything rejected is still 65; a dry run too -------------------------------
load "$B/空文件.csv"
is "$rc" 65 "a run where everything is rejected exits 65"
(cd "$BAD" && "$BIN/load" --dry-run 2023 loose) >"$T/out" 2>"$T/err"
is "$?" 65 "--dry-run of the broken submissions exits 65"
printed_re "$unknown_re" "... and prints the same rejects"

done_testing
