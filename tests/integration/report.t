#!/usr/bin/env bash
# The review report (issue 15): build/report renders samples/ plus a fixture
# department (2023/130001, named <script>alert(1)</script>, with one file
# rejected whole and one rejected row) as a static site, and a real browser
# (Debian's chromium, headless) opens it:
#   1. the mart views the report reads (run_summary, rejects, failed_checks),
#      as budget_reader;
#   2. index.html: the last run with the reject of no department (a loose
#      file of an unregistered name), every department, the chart of
#      expenditure by 类 with one bar per class, each department's share, the
#      execution-rate charts of the 决算 in samples/;
#   3. 2023/109001.html lists the failed check 收入总计 7480300.00 against
#      支出总计 6480300.00; 2023/130001.html and its CSV list the rejected
#      file and row with line and reason; the CSV opens in Excel as text;
#   4. the hostile name is text: no element is injected, in any page;
#   5. screenshots at 1280 px and 390 px and an A4 PDF of a sheet, checked
#      to be non-blank (and to show the bars), kept in build/test-logs/report/
#      with the site, for a person to look at;
#   6. the report reads with budget_reader's rights only, stops naming the
#      role when the login may not take them, and exits 64, 69 and 78 as
#      documented;
#   7. a reject stands until its table is processed again: after the
#      fixture is fixed, the department's sheet lists none.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/pgcluster.sh"
[ -x "$BIN/load" ] || bail "$BIN/load is not built (make)"
[ -x "$BIN/report" ] || bail "$BIN/report is not built (make)"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip_all "no chromium (apt-get install chromium fonts-noto-cjk)"
command -v pdftotext >/dev/null || skip_all "no pdftotext (apt-get install poppler-utils)"
pgc_start report 55465 || bail "no cluster"
export ETL_HOME=$ROOT
T=$PGC_DIR/work
mkdir -p "$T"
KEEP=$ROOT/build/test-logs/report
rm -rf "$KEEP"
mkdir -p "$KEEP"
CHECK="python3 $ROOT/tests/integration/report_check.py"
DSN=$PGC_DSN
q() { pgq "$DSN" "$1"; }
qr() { pgq "$DSN user=budget_reader" "$1"; } # as the BI role
# Chromium: a profile of our own (other tests may run one at once), no GPU,
# no sandbox (root in CI), at most two minutes a page.
chrome() { timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--no-first-run --no-default-browser-check --user-data-dir="$T/chrome" "$@" 2>>"$T/chrome.err"; }
dom() { chrome --dump-dom "file://$1" >"$2"; }
shot() { # shot PAGE WIDTH HEIGHT PNG
	rm -f "$4"
	chrome --window-size="$2,$3" --screenshot="$4" "file://$1" >/dev/null
	[ -s "$4" ]
}
# "ink" (percent of pixels unlike the background) above 1, at least 16
# colours, and the bar colour (#2f6db5) on at least 0.05 % of the pixels
nonblank() { # nonblank PNG: prints "ok" or what is wrong
	$CHECK png "$1" 2f6db5 | awk '
		NR == 1 { split($2, c, "="); split($3, i, "="); colors = c[2]; ink = i[2] }
		NR == 2 { split($1, b, "="); bar = b[2] }
		END { if (colors >= 16 && ink > 1 && bar >= 0.05) print "ok";
		      else printf "colors %s ink %s%% bars %s%%\n", colors, ink, bar }'
}

# --- the fixture: 2023/130001 --------------------------------------------------------
# the budget tables of 2023/109001 under a hostile department name, table 5
# with a formula where an amount belongs (line 13), and a PNG named .csv
FIX=$T/in/2023/130001
mkdir -p "$FIX"
for f in "$ROOT"/samples/2023/109001/表*.csv; do
	sed 's/南昌市西湖区政务服务数据管理局/<script>alert(1)<\/script>/' "$f" >"$FIX/$(basename "$f")"
done
sed -i 's/^2060199,其他科学技术管理事务支出,57.60,,,,57.60/2060199,其他科学技术管理事务支出,=57.60,,,,57.60/' \
	"$FIX/表5 一般公共预算支出表.csv"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1' >"$FIX/图表.csv"
[ "$(grep -n '=57.60' "$FIX/表5 一般公共预算支出表.csv" | cut -d: -f1)" = 13 ] || bail "fixture: no formula on line 13"
# and a file of no department: outside <year>/<dept>/, its name not registered
mkdir -p "$T/in/loose"
cp "$ROOT/tests/data/bad/loose/某局 三公经费表.csv" "$T/in/loose/"

"$BIN/load" --quiet --dsn "$DSN" "$ROOT/samples" "$T/in" >"$T/load.out" 2>"$T/load.err"
is "$?" 65 "samples/ and the fixture load: exit 65 (files and a row rejected)"

# --- 1. the views, as budget_reader ----------------------------------------------------
is "$(qr "SELECT string_agg(coalesce(line::text, '-') || ':' || reason || ':' || reason_text, ' '
            ORDER BY file_name, line NULLS LAST, reason)
          FROM mart.rejects WHERE fiscal_year = 2023 AND dept_code = '130001'")" \
	"-:not_text:不是文本文件 13:bad_amount:金额不是数字或超出范围 -:table_not_loaded:表中有被拒绝的行，整表未加载" \
	"mart.rejects (as budget_reader): the PNG, line 13 and its table not loaded, reasons in Chinese"
is "$(qr "SELECT raw_value || ' ' || column_name || ' ' || file_name || ' ' || table_title || ' ' || stage
            || ' ' || publication_scope || ' ' || dept_name
          FROM mart.rejects WHERE dept_code = '130001' AND line = 13")" \
	"=57.60 合计 表5 一般公共预算支出表.csv 表5 一般公共预算支出表 budget department <script>alert(1)</script>" \
	"... with the raw cell, column, file, table, stage, scope and the department's name"
is "$(qr "SELECT count(*) FROM mart.rejects WHERE file_name = '图表.csv' AND fiscal_year = 2023
            AND dept_code = '130001' AND line IS NULL AND file_status = 'rejected'")" 1 \
	"... a file rejected whole belongs to the department of its <year>/<dept>/ folder"
is "$(qr "SELECT expected || ' ' || actual || ' ' || difference || ' ' || table_title || ' ' || stage
          FROM mart.failed_checks WHERE dept_code = '109001'
           AND check_name = 'declared_income_equals_expenditure'")" \
	"7480300.00 6480300.00 -1000000.00 表1 部门收支总表 budget" \
	"mart.failed_checks: 109001's 收入总计 7480300.00 against 支出总计 6480300.00"
is "$(qr "SELECT count(*) FROM mart.department_year d
          WHERE d.checks_failed <> (SELECT count(*) FROM mart.failed_checks f WHERE f.stage = 'budget'
                                    AND f.fiscal_year = d.fiscal_year AND f.dept_code = d.dept_code)")" 0 \
	"... as many per department as department_year.checks_failed counts"
is "$(qr "SELECT sum(files_seen) || ' ' || sum(files_rejected) || ' ' || sum(rows_rejected) || ' '
            || string_agg(DISTINCT stage, ',' ORDER BY stage) || ' ' || bool_and(last_run)
          FROM mart.run_summary WHERE last_run")" \
	"$(q "SELECT files_seen || ' ' || files_rejected || ' ' || rows_rejected FROM etl.runs ORDER BY run_id DESC LIMIT 1") budget,final true" \
	"mart.run_summary: the last run's stages add up to its etl.runs totals"
like "$(pgq "$DSN user=budget_reader" "SELECT count(*) FROM etl.rejects" 2>&1)" "permission denied" \
	"budget_reader still cannot read etl itself"

# --- the report ----------------------------------------------------------------------
SITE=$KEEP/site
"$BIN/report" --dsn "$DSN" --out "$SITE" >"$T/report.out" 2>"$T/report.err"
rc=$?
is "$rc" 0 "report: exit 0"
[ "$rc" = 0 ] || diag <"$T/report.err"
like "$(cat "$T/report.out")" "index.html, 4 department sheets .* in 1 year" "... and says what it wrote"
missing=
for f in index.html 2023/109001.html 2023/109001.csv 2023/110001.html 2023/110002.html \
	2023/130001.html 2023/130001.csv; do
	[ -s "$SITE/$f" ] || missing="$missing $f"
done
is "${missing:-none}" none "index.html and a sheet (.html, .csv) per department"
is "$(grep -lE '<(script|link|iframe|object|embed|img)[ >]|https?://[^" ]*\.(js|css|woff2?)|@import|url\(' \
	"$SITE"/index.html "$SITE"/2023/*.html | wc -l)" 0 \
	"no script, no external style, font or image: the pages open offline"

# --- 2. index.html in the browser ------------------------------------------------------
dom "$SITE/index.html" "$T/index.dom"
like "$(head -c 200 "$T/index.dom")" "<html" "chromium parsed index.html"
is "$($CHECK rows "$T/index.dom" depts | sed 1d | cut -d'|' -f1 | tr -d ' ' | paste -sd' ')" \
	"109001 110001 110002 130001" "the table of departments holds every department of 2023"
is "$($CHECK rows "$T/index.dom" depts | grep '^109001 ' | cut -d'|' -f3-8 | tr -s ' ')" \
	" 748.03 | 648.03 | 417.43 | 230.60 | 656.00 | 101.23% " \
	"... 109001: revenue, expenditure, basic, project, 决算 and rate, in 万元"
like "$($CHECK rows "$T/index.dom" depts | grep '^110001 ')" "18,005.42 \| 18,005.42 \| 5,310.19 \| 12,695.23" \
	"... thousands separators"
like "$($CHECK rows "$T/index.dom" depts | grep '^130001 ')" "\| 4 \| 2 \| 1 \| 查看 需联系" \
	"... 130001: 4 failed checks, 2 files and 1 row rejected, a link, flagged to call"
classes=$(q "SELECT string_agg(code, ' ' ORDER BY code) FROM (SELECT DISTINCT code FROM mart.function_rollup
              WHERE level = '类' AND fiscal_year = 2023) c")
is "$($CHECK bars "$T/index.dom" chart-classes-2023 | paste -sd' ')" "$classes" \
	"an SVG chart of expenditure by 类 with one bar per class ($classes)"
is "$($CHECK bars "$T/index.dom" chart-shares-2023 | sort | paste -sd' ')" "109001 110001 110002 130001" \
	"each department's share: a bar per department"
is "$($CHECK bars "$T/index.dom" chart-exec-depts-2023 | paste -sd' ')" "109001" \
	"the execution rate of the 决算 in samples/ per department (109001)"
is "$($CHECK bars "$T/index.dom" chart-exec-classes-2023 | paste -sd' ')" \
	"$(q "SELECT string_agg(DISTINCT code, ' ') FROM mart.execution_rollup
           WHERE level = '类' AND scope = 'general_budget' AND fiscal_year = 2023")" \
	"... and per class"
like "$(tr -d '\n' <"$SITE/index.html" | grep -o '<svg[^>]*id="chart-exec-depts-2023".*' | sed 's#</svg>.*##')" \
	'class="mark-label"[^>]*>100%<' "... with 100 % marked"
like "$($CHECK text "$T/index.dom")" "最近一次加载.*退出状态 65 部分输入被拒绝，其余已加载.*被拒绝文件 3" \
	"the last run: its exit status in words and the files rejected"
like "$($CHECK rows "$T/index.dom" rejects | grep 三公经费表)" "^某局 三公经费表.csv /.*/loose/某局 三公经费表.csv \| .* \| 整个文件 \| .*无法确定所属部门" \
	"... and the reject that belongs to no department"

# --- 3. the sheets --------------------------------------------------------------------
dom "$SITE/2023/109001.html" "$T/109001.dom"
like "$($CHECK rows "$T/109001.dom" checks | grep declared_income_equals_expenditure)" \
	"收入总计 7480300.00 元 与同表第 17 行 支出总计 6480300.00 元 不相等.*\| 748.03 7,480,300.00 元 \| 648.03 6,480,300.00 元 \| -100.00 -1,000,000.00 元" \
	"2023/109001.html: the failed check 收入总计 7480300.00 against 支出总计 6480300.00, in 万元 and yuan"
is "$($CHECK rows "$T/109001.dom" checks | sed 1d | wc -l)" \
	"$(q "SELECT count(*) FROM mart.failed_checks WHERE dept_code = '109001' AND fiscal_year = 2023")" \
	"... every failed check of 109001"
like "$($CHECK rows "$T/109001.dom" totals | paste -sd'#')" \
	"收入总计（预算表1） \| 748.03 \| 7,480,300.00#.*执行率（决算数÷预算数） \| 101.23%" \
	"... the department's totals, with its 决算"
is "$($CHECK bars "$T/109001.dom" chart-dept-classes | paste -sd' ')" "201 206 208" \
	"... and a chart of its function classes"

dom "$SITE/2023/130001.html" "$T/130001.dom"
rows=$($CHECK rows "$T/130001.dom" rejects)
like "$(grep '^图表.csv ' <<<"$rows")" "/2023/130001/图表.csv \| 预算 \| 整个文件 \| +\| +\| 不是文本文件" \
	"2023/130001.html: the rejected file, whole, with its reason in Chinese"
like "$(grep -- '| 13 |' <<<"$rows")" "^表5 一般公共预算支出表.csv .* \| 13 \| 合计 \| =57.60 \| 金额不是数字或超出范围 “合计”列的金额“=57.60”不是数字" \
	"... the rejected row: file, line 13, column, raw text, reason"
like "$($CHECK text "$T/130001.dom")" "被拒绝的文件 2 个，被拒绝的行 1 行，未通过的核对 4 项" \
	"... and what the department is asked to correct"

csv=$($CHECK csv "$SITE/2023/130001.csv")
is "$(head -1 <<<"$csv")" bom "2023/130001.csv starts with a BOM (Excel reads UTF-8)"
is "$(head -c 400 "$SITE/2023/130001.csv" | grep -c $'\r$')" 1 "... lines end in CRLF"
like "$(grep ' 被拒绝的文件 ' <<<"$csv" | grep 图表.csv)" "^2023 \| 130001 \| <script>alert\(1\)</script> \| 被拒绝的文件 \| 预算 \|  \| /.*/2023/130001/图表.csv \|  \|  \|  \| not_text \| 不是文本文件" \
	"... the rejected file"
like "$(grep ' 被拒绝的行 ' <<<"$csv")" "表5 一般公共预算支出表.csv \| 13 \| 合计 \| '=57.60 \| bad_amount \| 金额不是数字或超出范围" \
	"... the rejected row, its raw text '=57.60 written as text, never a formula"
is "$(grep -c '^"[^"]*","[^"]*","[^"]*","核对未通过"' "$SITE/2023/130001.csv")" 4 "... the 4 failed checks"
like "$(grep declared_income_equals_expenditure <<<"$csv")" "\| 7480300.00 \| 6480300.00 \| -1000000.00 \| 748.03 \| 648.03 \| -100.00$" \
	"... amounts as numbers in yuan and 万元 (a negative difference stays a number)"
is "$(python3 - "$SITE" <<'PY'
import csv, glob, sys
bad = 0
for path in glob.glob(sys.argv[1] + "/*/*.csv"):
    for rec in csv.reader(open(path, encoding="utf-8-sig", newline="")):
        for cell in rec:
            # a formula-like cell must be guarded, unless it is a number we wrote
            if cell[:1] in "=+@\t\r" and cell[:1] != "":
                bad += 1
            elif cell.startswith("-"):
                try:
                    float(cell)
                except ValueError:
                    bad += 1
print(bad)
PY
)" 0 "no cell of any CSV starts like a formula (= + - @ TAB CR) unless it is a number"

# --- 4. the hostile name ----------------------------------------------------------------
for page in index 130001; do
	is "$($CHECK count "$T/$page.dom" script)" 0 "$page: the DOM has no <script> element"
done
is "$($CHECK rows "$T/index.dom" depts | grep '^130001 ' | cut -d'|' -f2 | sed 's/^ //; s/ $//')" \
	"<script>alert(1)</script>" "... the name shows as text in the table of departments"
is "$(grep -o '&lt;script&gt;alert(1)&lt;/script&gt;' "$SITE/index.html" | wc -l)" 3 \
	"... escaped in the table, in the share chart's label and in its tooltip"
like "$($CHECK text "$T/130001.dom" | head -c 400)" "审核意见 <script>alert\(1\)</script> ?（部门编码 130001）" \
	"... and at the top of its sheet"
is "$(grep -c '<script' "$SITE"/index.html "$SITE"/2023/*.html | awk -F: '{s += $2} END {print s}')" 0 \
	"no page holds an unescaped <script"

# --- 5. screenshots and the A4 PDF ---------------------------------------------------------
shot "$SITE/index.html" 1280 2400 "$KEEP/index-1280.png"
ok $? "screenshot of index.html at 1280 px"
is "$(nonblank "$KEEP/index-1280.png")" ok "... not blank: text, tables and blue bars"
shot "$SITE/index.html" 390 3600 "$KEEP/index-390.png"
ok $? "screenshot of index.html at 390 px (a phone)"
is "$(nonblank "$KEEP/index-390.png")" ok "... not blank"
shot "$SITE/2023/109001.html" 1280 2000 "$KEEP/sheet-109001-1280.png"
is "$(nonblank "$KEEP/sheet-109001-1280.png")" ok "screenshot of 2023/109001.html at 1280 px, not blank"
shot "$SITE/2023/130001.html" 390 3000 "$KEEP/sheet-130001-390.png"
is "$(nonblank "$KEEP/sheet-130001-390.png")" ok "screenshot of 2023/130001.html at 390 px, not blank"
rm -f "$KEEP/sheet-130001-a4.pdf"
chrome --no-pdf-header-footer --print-to-pdf="$KEEP/sheet-130001-a4.pdf" "file://$SITE/2023/130001.html" >/dev/null
like "$(pdfinfo "$KEEP/sheet-130001-a4.pdf" 2>&1 | grep -E '^Page size')" "59[45](\.[0-9]+)? x 84[12](\.[0-9]+)? pts \(A4\)" \
	"--print-to-pdf of 2023/130001.html: A4"
pdftext=$(pdftotext -layout "$KEEP/sheet-130001-a4.pdf" - 2>/dev/null | tr -s ' \n' ' ')
like "$pdftext" "审核意见.*图表.csv.*不是文本文件.*13 合计 =57.60.*收入总计 7480300.00 元" \
	"... its text: the title, the rejected file and row, the failed checks"
pdftoppm -png -r 72 -f 1 -l 1 "$KEEP/sheet-130001-a4.pdf" "$T/a4" && mv "$T"/a4*.png "$KEEP/sheet-130001-a4-page1.png"
like "$($CHECK png "$KEEP/sheet-130001-a4-page1.png" | head -1)" "^59[45]x84[12] colors=[0-9]{2,} ink=([2-9]|[1-9][0-9])" \
	"... its first page, rendered, is not blank"

# --- 6. rights, usage and failures -----------------------------------------------------
q "REVOKE SELECT ON mart.rejects FROM budget_reader" >/dev/null
"$BIN/report" --dsn "$DSN" --out "$T/denied" >/dev/null 2>"$T/denied.err"
is "$?" 78 "with SELECT on mart.rejects revoked from budget_reader, a superuser's report stops: 78"
like "$(cat "$T/denied.err")" "permission denied for view rejects" "... it read with budget_reader's rights, not its login's"
q "GRANT SELECT ON mart.rejects TO budget_reader" >/dev/null
"$BIN/report" --dsn "$DSN user=budget_loader" --out "$T/loader" >/dev/null 2>"$T/loader.err"
is "$?" 78 "a login that may not take budget_reader's rights (budget_loader): 78"
like "$(cat "$T/loader.err")" "permission denied to set role \"budget_reader\".*GRANT budget_reader TO budget_loader" \
	"... naming the role and how to grant it"
[ ! -e "$T/loader/index.html" ]
ok $? "... and writes nothing"
"$BIN/report" --dsn "host=$PGC_DIR port=1 dbname=test" --out "$T/nodb" >/dev/null 2>&1
is "$?" 69 "no server: 69"
"$BIN/report" --dsn "$DSN" --year 23 >/dev/null 2>&1
is "$?" 64 "--year 23: 64"
"$BIN/report" --dsn "$DSN" --out "$T/y2022" --year 2022 >/dev/null 2>&1
is "$?" 0 "--year 2022 (nothing loaded): 0"
like "$(cat "$T/y2022/index.html")" "没有可显示的部门" "... an index that says there is nothing for that year"
"$BIN/report" --dsn "$DSN" --out "$T/y2023" --year 2023 >/dev/null 2>&1
is "$(ls "$T/y2023/2023" | wc -l)" 8 "--year 2023: the four departments' sheets"

# --- 7. a reject stands until its table is processed again ------------------------------------
FIXED=$T/fixed/2023/130001
mkdir -p "$FIXED"
cp "$FIX"/表*.csv "$FIXED/"
sed -i 's/,=57.60,/,57.60,/' "$FIXED/表5 一般公共预算支出表.csv"
"$BIN/load" --quiet --dsn "$DSN" "$T/fixed" >/dev/null 2>"$T/load2.err"
is "$?" 0 "the fixed submission (table 5 mended, the PNG removed) loads: 0"
is "$(qr "SELECT count(*) FROM mart.rejects WHERE dept_code = '130001'")" 0 \
	"mart.rejects: none stands for 130001 (table 5 loaded, its folder seen without the PNG)"
"$BIN/report" --dsn "$DSN" --out "$SITE" >/dev/null 2>&1
dom "$SITE/2023/130001.html" "$T/130001b.dom"
like "$($CHECK text "$T/130001b.dom")" "一、被拒绝的文件和行 无。" "... and its sheet lists none"
is "$(grep -c '"被拒绝的' "$SITE/2023/130001.csv")" 0 "... nor its CSV"

diag "screenshots, the A4 PDF and the site: $KEEP"
done_testing
