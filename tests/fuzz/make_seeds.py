#!/usr/bin/env python3
"""Assemble the seed corpora and dictionaries of the fuzz harnesses.

    make_seeds.py ROOT OUT

Writes OUT/<harness>/ (seed files, named by content hash) and
OUT/<harness>.dict (libFuzzer dictionaries), from
  - samples/                           every sample table
  - tests/data/csv-spectrum            every csv (if present)
  - tests/data/cjk-encodings           GB18030, GBK, GB2312, Big5 text
  - a generated dialect set            tests/gen/gen_submissions.py --dialects all
  - a few hand-made edge files         UTF-16 with and without BOM, CR-only, TAB
records gets the files as bytes (gzip included); table gets them decoded to
UTF-8 (what infile hands to csvread); amount and code get the distinct cells
of the decoded tables.  Seeds are not committed: they are rebuilt from the
tree; tests/fuzz/corpus/ keeps what fuzzing found beyond them.
"""
import csv
import gzip
import hashlib
import io
import os
import subprocess
import sys
import tempfile

ROOT, OUT = sys.argv[1], sys.argv[2]


def put(harness, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def decode(raw):
    """What infile does: gunzip, then UTF-8 (BOM dropped), UTF-16, GB18030."""
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except Exception:
            return None
    for enc in ("utf-8-sig", "utf-16", "gb18030"):
        if enc == "utf-16" and raw[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            continue
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def files_under(d, exts):
    for base, _, names in sorted(os.walk(d)):
        for n in sorted(names):
            if n.endswith(exts):
                yield os.path.join(base, n)


raw_files = []
for p in files_under(os.path.join(ROOT, "samples"), (".csv", ".csv.gz")):
    raw_files.append(open(p, "rb").read())
spec = os.path.join(ROOT, "tests/data/csv-spectrum")
if os.path.isdir(spec):
    for p in files_under(spec, (".csv",)):
        raw_files.append(open(p, "rb").read())
cjk = os.path.join(ROOT, "tests/data/cjk-encodings")
if os.path.isdir(cjk):
    for p in files_under(cjk, (".txt",)):
        raw_files.append(open(p, "rb").read()[:4096])

with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as gen:
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/gen/gen_submissions.py"),
                    "--out", gen, "--departments", "12", "--years", "2023", "--seed", "1",
                    "--dialects", "all"], check=True, stdout=subprocess.DEVNULL)
    # One file of each table kind and dialect is enough: the first three
    # departments whole, then tables 1, 6 and 9 of the others.
    for i, dept in enumerate(sorted(os.listdir(os.path.join(gen, "2023")))):
        for p in files_under(os.path.join(gen, "2023", dept), (".csv", ".csv.gz")):
            name = os.path.basename(p)
            if i < 3 or any(k in name for k in ("1-", "6-", "9-", "sheet1", "sheet6", "sheet9")):
                raw_files.append(open(p, "rb").read())

# Encodings and line endings the generator does not write.
text = "表1\r\n2023年部门收支总表\r\n部门：某局,,单位：万元\r\n收入,金额,支出,金额\r\n一般公共预算拨款收入,1.00,一般公共服务支出,1.00\r\n"
raw_files += [
    b"\xff\xfe" + text.encode("utf-16-le"),
    b"\xfe\xff" + text.encode("utf-16-be"),
    text.encode("utf-16-le"),
    text.replace(",", "\t").encode("utf-8"),
    text.replace("\r\n", "\r").encode("gb18030"),
    gzip.compress(text.encode("gb18030"), mtime=0),
    b'a,"b\r\nc",d\n"e""f",,\n',
    # Just past the column cap (4096), within the fuzzers' input sizes.
    b"a,b\n" + b"," * 4096 + b"\n",
    "表1\n2023年部门收支总表\n单位：万元\n".encode() + ",".join(["收入"] * 4097).encode() + b"\n",
]

dec = []
for raw in raw_files:
    put("records", raw)
    t = decode(raw)
    if t is not None:
        dec.append(t)
        put("table", t.encode("utf-8"))

cells = set()
for t in dec:
    delim = "\t" if "\t" in t.split("\n", 1)[0] and "," not in t.split("\n", 1)[0] else ","
    try:
        for row in csv.reader(io.StringIO(t), delimiter=delim):
            cells.update(c for c in row if c)
    except csv.Error:
        pass
cells.update(["（12.50）", "-", "—", "－", "１２３，４５６．７８", "0.000001", "-9223372036854775808",
              "92233720368547758.07", "[2010301]行政运行", "【2010301】行政运行", "201|03|01",
              "201 03 01", "２０１０３０１", "201-03-01 行政运行", "1、行政运行"])
for c in sorted(cells):
    b = c.encode("utf-8")
    if len(b) > 200:
        continue
    if any(ch.isdigit() for ch in c) or c in ("-", "—", "－", "–"):
        put("amount", b)
    if any(ch.isdigit() for ch in c) or len(c) < 12:
        put("code", b)


def dict_line(s):
    return '"' + "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else
                         "".join("\\x%02x" % x for x in ch.encode("utf-8")) for ch in s) + '"'


words = set()
for name in ("titles.tsv", "headers.tsv", "labels.tsv", "meta.tsv"):
    for line in open(os.path.join(ROOT, "config/wording", name), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        last = line.rstrip("\r\n").split("\t")[-1]
        for part in last.split("/"):
            if part:
                words.add(part)
words.update(["单位：万元", "单位：元", "合计", "总计", "2023年", "表1", "附表9", "栏次", '"', '""',
              ",", "\r\n", "\t"])
with open(os.path.join(OUT, "table.dict"), "w", encoding="ascii") as f:
    for w in sorted(words):
        f.write(dict_line(w) + "\n")
with open(os.path.join(OUT, "records.dict"), "w", encoding="ascii") as f:
    for w in ['"', '""', ",", "\r\n", "\r", "\n", "\t", "\x00"]:
        f.write(dict_line(w) + "\n")
    for w in ['"\\xff\\xfe"', '"\\xfe\\xff"', '"\\xef\\xbb\\xbf"', '"\\x1f\\x8b\\x08\\x00"',
              '"\\x81\\x30\\x81\\x30"', '"\\xa1\\xa1"', '"\\xe4\\xb8\\xad"']:
        f.write(w + "\n")
with open(os.path.join(OUT, "amount.dict"), "w", encoding="ascii") as f:
    for w in ["（", "）", "，", "．", "　", "－", "—", "–", "０", "９", "万元", "元", "单位：",
              "金额单位", "人民币", ",000", ".00", "9223372036854775807", "(", ")"]:
        f.write(dict_line(w) + "\n")
with open(os.path.join(OUT, "code.dict"), "w", encoding="ascii") as f:
    for w in ["【", "】", "［", "］", "（", "）", "、", "　", "\u00a0", "201", "03", "01", "2010301",
              "|", "-", ".", "[", "]", "行政运行", "０"]:
        f.write(dict_line(w) + "\n")
