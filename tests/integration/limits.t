#!/usr/bin/env bash
# Reader limits (README "Limits"): every input past a limit, or broken in a
# way that only shows at its end, is refused with its reason and its line or
# byte offset, in bounded time and memory.
#
# Each case runs extract --records FILE (exit 65, "path:line: reason:" on
# stderr) and/or extract FILE (a J record in the stream, E rejected), under
# a timeout, and checks the peak RSS: at most LIMITS_RSS_MB (64 MB) whatever
# the input size, for the plain build and for the ASan build alike (the
# reader holds at most a 256 KiB read chunk, libcsv's field buffer and one
# record: field <= 1 MiB, record <= 8 MiB).  The peak is measured with
# /usr/bin/time when installed, else with python3's getrusage.
#
# The 1 GiB field is streamed into a file in TMPDIR and removed after its
# two cases (LIMITS_FIELD_BYTES makes it smaller; the exact caps are also
# checked at 1 MiB and 4096 columns).  Needs extract in ${ETL_BIN:-build},
# gzip and python3; no database.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ETL_BIN:-$ROOT/build}
X=$BIN/extract
export ETL_HOME=$ROOT
RSS_MB=${LIMITS_RSS_MB:-64}
FIELD_BYTES=${LIMITS_FIELD_BYTES:-1073741824}
TIMEOUT=${LIMITS_TIMEOUT:-300}
T=$(mktemp -d "${TMPDIR:-/tmp}/limits.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$ROOT/tests/lib/tap.sh"
[ -x "$X" ] || bail "$X is not built (make)"

# xrun ARGS...: extract ARGS, stdout to $T/out, stderr to $T/err; sets rc
# and kb (peak RSS in KiB).
xrun() {
	if [ -x /usr/bin/time ]; then
		timeout "$TIMEOUT" /usr/bin/time -f '%M' -o "$T/rss" "$X" "$@" >"$T/out" 2>"$T/err"
		rc=$?
	else
		python3 - "$T/rss" timeout "$TIMEOUT" "$X" "$@" >"$T/out" 2>"$T/err" <<'EOF'
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)
EOF
		rc=$?
	fi
	kb=$(tail -1 "$T/rss" 2>/dev/null)
	case $kb in '' | *[!0-9]*) kb=999999999 ;; esac
}

# show_case: what a failing case saw.
show_case() {
	echo "# exit $rc, peak RSS $((kb / 1024)) MB (bound $RSS_MB MB)"
	head -c 600 "$T/err" | sed 's/^/# stderr: /'
	grep -a '^[JE]	' "$T/out" | head -3 | cut -c1-300 | sed 's/^/# stream: /'
}

# refused NAME FILE LINE REASON [PATTERN...]: extract --records exits 65 with
# "FILE:LINE: REASON:" and every pattern on stderr, under the memory bound.
refused() {
	local name=$1 f=$2 line=$3 reason=$4 bad=0 p
	shift 4
	xrun --records "$f"
	[ "$rc" = 65 ] || bad=1
	grep -qF -- "$f:$line: $reason:" "$T/err" || bad=1
	for p in "$@"; do grep -qF -- "$p" "$T/err" || bad=1; done
	[ "$kb" -le $((RSS_MB * 1024)) ] || bad=1
	ok $bad "$name: exit 65, line $line, $reason, peak RSS $((kb / 1024)) MB"
	[ $bad = 0 ] || show_case
}

# rejected NAME FILE LINE REASON [PATTERN...]: extract FILE writes F, one J
# with that line and reason (patterns in its message), E rejected; exit 0.
rejected() {
	local name=$1 f=$2 line=$3 reason=$4 bad=0 p
	shift 4
	xrun "$f"
	[ "$rc" = 0 ] || bad=1
	awk -F'\t' -v l="$line" -v r="$reason" '$1 == "J" && $2 == l && $4 == r { found = 1 }
		END { exit !found }' "$T/out" || bad=1
	for p in "$@"; do grep -a '^J' "$T/out" | grep -qF -- "$p" || bad=1; done
	awk -F'\t' '$1 == "E" && $7 == "rejected" { found = 1 } END { exit !found }' "$T/out" || bad=1
	[ "$kb" -le $((RSS_MB * 1024)) ] || bad=1
	ok $bad "$name: J at line $line, $reason, E rejected, peak RSS $((kb / 1024)) MB"
	[ $bad = 0 ] || show_case
}

# read_ok NAME FILE EXPECT: extract --records exits 0 with output EXPECT
# (a file), under the memory bound.
read_ok() {
	local name=$1 f=$2 want=$3 bad=0
	xrun --records "$f"
	[ "$rc" = 0 ] || bad=1
	cmp -s "$T/out" "$want" || bad=1
	[ "$kb" -le $((RSS_MB * 1024)) ] || bad=1
	ok $bad "$name: exit 0, the expected records, peak RSS $((kb / 1024)) MB"
	[ $bad = 0 ] || show_case
}

# ---- a single huge field ------------------------------------------------------
# Streamed to disk (a pipe cannot be read twice: the reader hashes and
# validates the file before it decodes it), refused after the first MiB.
{ printf 'a,b\n1,'; head -c "$FIELD_BYTES" /dev/zero | tr '\0' x; printf '\n'; } >"$T/field.csv"
refused "a field of $FIELD_BYTES bytes" "$T/field.csv" 2 too_large "field longer than 4194304 bytes"
rejected "a field of $FIELD_BYTES bytes, in the stream" "$T/field.csv" 2 too_large
rm -f "$T/field.csv"

# A quoted field that never closes swallows the file: named by the line of
# its quote, not where the cap (4 MiB for a field still open) was met.
{ printf 'a,b\n1,"'; for i in $(seq 150000); do printf 'line %06d of a quote that never ends\n' "$i"; done; } >"$T/open-quote-big.csv"
refused "an unclosed quote over 4 MiB of lines" "$T/open-quote-big.csv" 2 too_large \
	"a quote opened here is never closed"

# Exactly at the cap: 1 MiB in a field is read, one byte more is refused by
# --records (which cannot show it), also when the field closes before the end
# of its line (the cap must not depend on where the read chunks fall).  In a
# table the row of such a field is rejected, not the file (robustness.t).
python3 - "$T" <<'EOF' || bail "a python fixture failed"
import sys
t = sys.argv[1]
for name, size in (("cap", 1 << 20), ("cap1", (1 << 20) + 1)):
    f = b"x" * size
    open("%s/%s.csv" % (t, name), "wb").write(b'a,b,c\n1,"' + f + b'",2\n3,4,5\n')
    open("%s/%s.want" % (t, name), "wb").write(b"a\tb\tc\n1\t" + f + b"\t2\n3\t4\t5\n")
EOF
read_ok "a quoted field of exactly 1048576 bytes" "$T/cap.csv" "$T/cap.want"
refused "a quoted field of 1048577 bytes closed mid-line" "$T/cap1.csv" 2 too_large \
	"field longer than 1048576 bytes"

# ---- columns and lines ------------------------------------------------------------
{ printf 'a,b\n'; head -c 10000000 /dev/zero | tr '\0' ,; printf '\n'; } >"$T/columns.csv"
refused "a line of 10 million columns" "$T/columns.csv" 2 too_large "more than 4096 columns"
rejected "a line of 10 million columns, in the stream" "$T/columns.csv" 2 too_large

python3 - "$T" <<'EOF' || bail "a python fixture failed"
import sys
t = sys.argv[1]
open(t + "/cols4096.csv", "w").write("a\n" + ",".join(["1"] * 4096) + "\n")
open(t + "/cols4096.want", "w").write("a\n" + "\t".join(["1"] * 4096) + "\n")
EOF
read_ok "a line of exactly 4096 columns" "$T/cols4096.csv" "$T/cols4096.want"

yes '' | head -n 1000000 >"$T/empty.csv"
: >"$T/nothing"
read_ok "a file of 10^6 empty lines: no record" "$T/empty.csv" "$T/nothing"
rejected "a file of 10^6 empty lines, in the stream: no table" "$T/empty.csv" 0 unknown_table

# The same lines before a real table: read, with the true line numbers.
# The records expected are read from the CSV here, with Python's csv module
# and the unit line (万元: times 10000), not by the program under test: every
# data row, its line shifted by 10^6, its amounts in yuan; empty lines are
# not records.
mkdir -p "$T/2023/109001"
T3="$ROOT/samples/2023/109001/表3 部门支出总表.csv"
{ yes '' | head -n 1000000; cat "$T3"; } >"$T/2023/109001/t3.csv"
python3 - "$T3" 1000000 >"$T/t3.want" <<'EOF' || bail "a python fixture failed"
import csv, sys
from decimal import Decimal
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
shift = int(sys.argv[2])
head = next(i for i, r in enumerate(rows) if r[0] == "科目编码")
scale = Decimal(10000) if any(c.endswith("单位：万元") for r in rows[:head] for c in r) else Decimal(1)
for line, r in enumerate(rows[head + 1:], start=head + 2):
    code, name = r[0].strip(), r[1].strip()
    role = "total" if not code and name == "合计" else "row"
    # a blank cell is written blank (key=), a printed figure in yuan
    amounts = ["%s=%s" % (k, (Decimal(v) * scale).quantize(Decimal("0.01")) if v.strip() else "")
               for k, v in zip(("total", "basic", "project"), r[2:5])]
    print("\t".join(["R", str(line + shift), role, code, name] + amounts))
facts = len(rows) - head - 1
# half a unit of the printed precision, in fen: the most decimals printed
decimals = max(len(v.strip().partition(".")[2]) for r in rows[head + 1:] for v in r[2:5])
half = int(scale * Decimal(10) ** -decimals * 50)
print("E\t%d\t%d\t%d\t0\t0\tok\t%d" % (len(rows), head + 1, facts, half))
EOF
xrun "$T/2023/109001/t3.csv"
grep -a '^[RE]	' "$T/out" >"$T/t3.got"
bad=0
[ "$rc" = 0 ] || bad=1
[ "$(grep -c '^R' "$T/t3.want")" -ge 10 ] || bad=1
cmp -s "$T/t3.want" "$T/t3.got" || bad=1
[ "$kb" -le $((RSS_MB * 1024)) ] || bad=1
ok $bad "10^6 empty lines before table 3: exit 0, its $(grep -c '^R' "$T/t3.want") rows at their lines (+10^6) with the amounts of the file, in yuan; peak RSS $((kb / 1024)) MB"
[ $bad = 0 ] || { show_case; diff "$T/t3.want" "$T/t3.got" | head -10 | diag; }

# ---- gzip --------------------------------------------------------------------------------
# 100 gzip members of 10 MiB each: 1 GiB from 1 MB, refused once the output
# passes 200 times the file (and 64 MiB).
printf 'a,b\n' | gzip -n >"$T/bomb.csv.gz"
head -c 10485760 /dev/zero | tr '\0' x | gzip -n -9 >"$T/member.gz"
for i in $(seq 100); do cat "$T/member.gz"; done >>"$T/bomb.csv.gz"
refused "a gzip bomb ($(($(stat -c %s "$T/bomb.csv.gz") / 1024)) KiB to 1 GiB)" "$T/bomb.csv.gz" 0 too_large \
	"refused as a gzip bomb"
rejected "a gzip bomb, in the stream" "$T/bomb.csv.gz" 0 too_large "gzip bomb"

head -c 5000000 /dev/urandom | base64 -w 76 | gzip -n >"$T/full.csv.gz"
head -c $(($(stat -c %s "$T/full.csv.gz") / 2)) "$T/full.csv.gz" >"$T/cut.csv.gz"
refused "a gzip stream cut in half" "$T/cut.csv.gz" 0 bad_gzip

# ---- NUL bytes past the first read chunk (256 KiB) --------------------------------------
python3 - "$T" <<'EOF' || bail "a python fixture failed"
import sys
t = sys.argv[1]
body = '科目编码,科目名称,合计\n2010301,行政运行,"1,234.00"\n' * 20000
def nul(b, off, unit=1):
    return b[:off] + b"\0" * unit + b[off + unit:]
open(t + "/nul-utf8.csv", "wb").write(nul(body.encode("utf-8"), 300000))
open(t + "/nul-gb18030.csv", "wb").write(nul(body.encode("gb18030"), 300000))
open(t + "/nul-utf16.csv", "wb").write(b"\xff\xfe" + nul(body.encode("utf-16-le"), 600000, 2))
EOF
refused "a NUL byte at offset 300000 (UTF-8)" "$T/nul-utf8.csv" 0 not_text "offset 300000"
refused "a NUL byte at offset 300000 (GB18030)" "$T/nul-gb18030.csv" 0 not_text "offset 300000"
refused "a NUL character at offset 600002 (UTF-16LE)" "$T/nul-utf16.csv" 0 not_text "offset 600002"
gzip -n -c "$T/nul-utf8.csv" >"$T/nul-utf8.csv.gz"
rejected "a NUL byte inside gzip, in the stream" "$T/nul-utf8.csv.gz" 0 not_text "offset 300000"

# ---- UTF-16: decoded, or refused by that name ----------------------------------------
python3 - "$T" <<'EOF' || bail "a python fixture failed"
import sys
t = sys.argv[1]
text = "科目编码,科目名称,合计\r\n2010301,行政运行,\"1,234.00\"\r\n"
open(t + "/u16le.csv", "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
open(t + "/u16be.csv", "wb").write(text.encode("utf-16-be"))
open(t + "/u16odd.csv", "wb").write(b"\xff\xfe" + text.encode("utf-16-le") + b"a")
open(t + "/u16.want", "w").write("科目编码\t科目名称\t合计\n2010301\t行政运行\t1,234.00\n")
EOF
read_ok "UTF-16LE with a BOM: decoded" "$T/u16le.csv" "$T/u16.want"
read_ok "UTF-16BE without a BOM: decoded" "$T/u16be.csv" "$T/u16.want"

# Without a BOM, 一 (U+4E00) puts a NUL in the other byte of its unit: a
# whole table still decodes, and is recognised.
python3 - "$ROOT/samples/2023/109001/表5 一般公共预算支出表.csv" "$T/2023/109001/t5-utf16.csv" <<'EOF' || bail "a python fixture failed"
import sys
open(sys.argv[2], "wb").write(open(sys.argv[1], encoding="utf-8").read().encode("utf-16-le"))
EOF
xrun "$T/2023/109001/t5-utf16.csv"
grep -a '^[RE]	' "$T/out" >"$T/t5-utf16.got"
bad=0
[ "$rc" = 0 ] || bad=1
awk -F'\t' '$1 == "F" && $5 == "utf-16le" && $9 == "5" { found = 1 } END { exit !found }' "$T/out" || bad=1
# The same table in UTF-8 gives the same records (a consistency check), and
# that many rows: the data lines of the file, counted here.
cp "$ROOT/samples/2023/109001/表5 一般公共预算支出表.csv" "$T/2023/109001/t5-utf8.csv"
"$X" "$T/2023/109001/t5-utf8.csv" 2>/dev/null | grep -a '^[RE]	' >"$T/t5-utf8.got"
cmp -s "$T/t5-utf8.got" "$T/t5-utf16.got" || bad=1
rows=$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
head = next(i for i, r in enumerate(rows) if r[0] == "科目编码")
print(sum(1 for r in rows[head + 1:] if r[0].strip().isdigit() or r[1].strip() == "合计"))' "$T/2023/109001/t5-utf8.csv")
[ "$(grep -c '^R' "$T/t5-utf16.got")" = "${rows:-x}" ] && [ "$rows" -gt 0 ] || bad=1
awk -F'\t' -v n="$rows" '$1 == "E" && $7 == "ok" && $4 == n { found = 1 } END { exit !found }' "$T/t5-utf16.got" || bad=1
ok $bad "UTF-16LE without a BOM, with 一: decoded as utf-16le, table 5's ${rows:-?} data rows read as from UTF-8, peak RSS $((kb / 1024)) MB"
[ $bad = 0 ] || { show_case; diff "$T/t5-utf8.got" "$T/t5-utf16.got" | head -10 | diag; }
refused "UTF-16LE of odd length: refused by that name" "$T/u16odd.csv" 0 bad_encoding \
	"invalid utf-16le at byte offset $(($(stat -c %s "$T/u16odd.csv") - 1))"

# ---- ends too early ------------------------------------------------------------------------
{ printf 'a,b\n1,2\n3,"opened here\n'; for i in $(seq 1000); do printf 'and never closed %d\n' "$i"; done; } >"$T/open-quote.csv"
refused "a file that ends inside a quoted field" "$T/open-quote.csv" 3 bad_csv \
	"file ends inside a quoted field opened at line 3"
gzip -n -c "$T/open-quote.csv" >"$T/open-quote.csv.gz"
rejected "the same, gzipped, in the stream" "$T/open-quote.csv.gz" 3 bad_csv "opened at line 3"

# Table 3 cut inside its last character in UTF-8 (GB18030 cannot read it
# either), and in GB18030 ending on the first byte of 行.
python3 - "$ROOT/samples/2023/109001/表3 部门支出总表.csv" "$T" <<'EOF' || bail "a python fixture failed"
import sys
b = open(sys.argv[1], "rb").read().rstrip(b"\r\n")
lead = max(i for i, c in enumerate(b) if c >= 0xC0)
open(sys.argv[2] + "/cut-utf8.csv", "wb").write(b[:lead + 1])
open(sys.argv[2] + "/cut-utf8.off", "w").write(str(lead))
g = b.decode("utf-8").encode("gb18030") + "行".encode("gb18030")[:1]
open(sys.argv[2] + "/cut-gb18030.csv", "wb").write(g)
open(sys.argv[2] + "/cut-gb18030.off", "w").write(str(len(g) - 1))
EOF
refused "UTF-8 that ends inside a character" "$T/cut-utf8.csv" 0 bad_encoding \
	"UTF-8 (invalid at byte offset $(cat "$T/cut-utf8.off"))"
refused "GB18030 that ends inside a character" "$T/cut-gb18030.csv" 0 bad_encoding \
	"GB18030 (invalid at byte offset $(cat "$T/cut-gb18030.off"))"
gzip -n -c "$T/cut-utf8.csv" >"$T/cut-utf8.csv.gz"
rejected "UTF-8 that ends inside a character, gzipped, in the stream" "$T/cut-utf8.csv.gz" 0 \
	bad_encoding "UTF-8 (invalid at byte offset $(cat "$T/cut-utf8.off"))"

# ---- early exits ------------------------------------------------------------------------
# The ASan build leaked the path list on these exits, and LeakSanitizer
# turned their codes into 1.
xrun "$ROOT/samples/2023/109001" "$T/no-such.csv"
is "$rc" 66 "a missing path after a good folder: exit 66"
[ "$rc" = 66 ] || show_case
ETL_HOME=$T/no-config xrun "$ROOT/samples/2023/109001"
is "$rc" 78 "no configuration: exit 78"
[ "$rc" = 78 ] || show_case

done_testing
