#!/usr/bin/env python3
"""Rebuild the CSV tables of a Shanghai district (上海市普陀区) budget
disclosure (部门预算 or 单位预算, 2023-2026 template) from its PDF.

    python3 tests/real/rebuild_putuo_budget.py SOURCE.pdf OUTDIR [--dialect excel|excel-gbk|plain]

Writes one CSV per table into OUTDIR, named "NN <title without year>.csv",
as a spreadsheet export of the printed cells gives them: the title row, the
meta row (编制部门/编制单位 … 单位：元), the header rows (a merged header
cell exports as blanks to its right and below), then the data rows exactly
as printed (codes in split 类|款|项 columns, amounts with their thousands
separators, "0" where the PDF prints 0, blank where it prints nothing).
Note lines under a table (注:…) are kept as a row with the text in the first
cell. The 合计 row of the function tables is written with 合计 in the first
cell, the place a merged A:D cell exports to.

Needs only python3 and pdftotext (Debian poppler-utils). Which source PDF
rebuilds which folder is listed in tests/data/real/SOURCES.md.
"""

import argparse
import csv
import io
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfwords import is_num, line_text, pdf_pages  # noqa: E402

TITLE = re.compile(r"^(\d{4}年)?(部门|预算单位|单位)?.*(预算总表|预算表)$")


def kind_of(title):
    t = re.sub(r"^\d{4}年", "", title)
    if "三公" in t:
        return 9
    if "财政拨款收支" in t:
        return 4
    if "财务收支" in t:
        return 1
    if "收入预算总表" in t:
        return 2
    if "支出预算总表" in t:
        return 3
    if "政府性基金" in t:
        return 6
    if "国有资本经营" in t:
        return 7
    if "基本支出" in t:
        return 8
    if "一般公共预算支出" in t:
        return 5
    raise SystemExit(f"unknown table title {title!r}")


def split_tables(pages):
    """Yield (title, meta_words, [lines after the meta line across pages])."""
    tables = []
    cur = None
    for page in pages:
        i = 0
        if len(page) >= 2:
            t0 = line_text(page[0][1])
            t1 = line_text(page[1][1])
            if TITLE.match(t0) and (t1.startswith("编制部门") or t1.startswith("编制单位")):
                cur = {"title": t0, "meta": page[1][1], "lines": []}
                tables.append(cur)
                i = 2
        if cur is None:
            continue
        # a page that is not a table page (explanation text) ends the table
        if i == 0:
            first = page[0][1] if page else []
            if not first or not (
                first[0].t.isdigit() or first[0].t in ("项目", "合计") or is_num(first[0].t)
            ):
                cur = None
                continue
        cur["lines"].extend(page[i:])
    return tables


def group_cells(words):
    """Group header words that overlap horizontally into cells (text joined
    top to bottom), ordered left to right."""
    cells = []
    for w in sorted(words, key=lambda w: (w.y0, w.x0)):
        for c in cells:
            if w.x0 < c["x1"] - 2 and w.x1 > c["x0"] + 2:
                c["t"] += w.t
                c["x0"] = min(c["x0"], w.x0)
                c["x1"] = max(c["x1"], w.x1)
                break
        else:
            cells.append({"x0": w.x0, "x1": w.x1, "t": w.t})
    return sorted(cells, key=lambda c: c["x0"])


def col_for(x1, centers):
    """Index of the last value column whose header centre lies left of the
    right edge of a right-aligned number."""
    best = 0
    for j, c in enumerate(centers):
        if c < x1 + 5:
            best = j
    return best


def join_label(ws):
    out = ""
    for w in ws:
        if out and out.endswith("."):
            out += " "
        out += w.t
    return out


def is_note(text):
    return text.startswith("注") or text.startswith("说明")


def function_table(lines, ncodes):
    """Kinds 2,3,5,6,7 (ncodes=3) and 8 (ncodes=2)."""
    # header: lines up to and including the 类/款(/项) line
    hdr_end = None
    for k, (_, ws) in enumerate(lines):
        if ws and ws[0].t == "类":
            hdr_end = k
            break
    if hdr_end is None:
        raise SystemExit("no 类/款/项 header line")
    hdr = lines[: hdr_end + 1]
    # the 类 款 (项) line may also carry the second line of a wrapped value
    # header (事业单位 / 经营收入): keep only the code labels as code words
    code_words = [w for w in lines[hdr_end][1] if w.t in ("类", "款", "项")]
    code_x = [w.xc for w in code_words]
    group_line = hdr[0][1]
    group = [w for w in group_line if w.t != "项目"]
    rest = [w for _, ws in hdr[1:hdr_end] for w in ws]
    rest += [w for w in lines[hdr_end][1] if w not in code_words]
    cells = group_cells(rest)
    code_hdr = cells[0]["t"]
    name_cell = cells[1]
    values = cells[2:]
    centers = [(c["x0"] + c["x1"]) / 2 for c in values]
    nv = len(values)
    width = ncodes + 1 + nv
    rows = []
    r = [""] * width
    r[0] = "项目"
    r[ncodes + 1] = "".join(w.t for w in group)
    rows.append(r)
    r = [""] * width
    r[0] = code_hdr
    r[ncodes] = name_cell["t"]
    for j, c in enumerate(values):
        r[ncodes + 1 + j] = c["t"]
    rows.append(r)
    r = [""] * width
    for j, w in enumerate(code_words):
        r[j] = w.t
    rows.append(r)
    name_x0 = name_cell["x0"] - 100
    in_repeat = False
    for _, ws in lines[hdr_end + 1:]:
        text = line_text(ws)
        # a continuation page repeats the header block: 项目 … 类 款 项
        if ws[0].t == "项目" and not any(is_num(w.t) for w in ws):
            in_repeat = True
            continue
        if in_repeat:
            if ws[0].t == "类":
                in_repeat = False
            continue
        r = [""] * width
        if is_note(text):
            r[0] = text
            rows.append(r)
            continue
        codes = [w for w in ws if w.t.isdigit() and w.xc < name_x0 + 60 and w.x1 < name_cell["x0"]]
        nums = [w for w in ws if is_num(w.t) and w not in codes]
        names = [w for w in ws if w not in codes and w not in nums]
        for w in codes:
            j = min(range(ncodes), key=lambda j: abs(code_x[j] - w.xc))
            r[j] = w.t
        label = "".join(w.t for w in names)
        if label == "合计":
            r[0] = "合计"
        else:
            r[ncodes] = label
        for w in nums:
            r[ncodes + 1 + col_for(w.x1, centers)] = w.t
        if not codes and not nums and rows and label and label != "合计":
            # a name wrapped onto a second line
            rows[-1][ncodes] += label
            continue
        rows.append(r)
    return rows


def two_sided(lines, kind):
    """Kinds 1 and 4: income left, expenditure right."""
    nh = 0
    while not any(is_num(w.t) for w in lines[nh][1]):
        nh += 1
    top = [w.t for w in lines[0][1]]
    hwords = [w for _, ws in lines[1:nh] for w in ws]
    if any(w.t == "人员经费" for w in hwords):
        # unit template (2026 单位): 预算数 split into 合计, 基本支出
        # (人员经费, 公用经费), 项目支出
        def first(t, skip=0):
            return [w for w in hwords if w.t == t][skip]
        val_l = min((w for w in hwords if w.t == "预算数"), key=lambda w: w.x0)
        vals = [first("合计"), first("人员经费"), first("公用经费"), first("项目支出")]
        width = 7
        rows = [
            [top[0], "", top[1], "", "", "", ""],
            ["项目", "预算数", "项目", "预算数", "", "", ""],
            ["", "", "", "合计", "基本支出", "", "项目支出"],
            ["", "", "", "", "人员经费", "公用经费", ""],
        ]
        value_cols = [1, 3, 4, 5, 6]
        centers = [val_l.xc] + [w.xc for w in vals]
        split_x = val_l.x1
    else:
        cells = group_cells([w for _, ws in lines[1:nh] for w in ws])
        width = len(cells)
        rows = [[""] * width, [c["t"] for c in cells]]
        rows[0][0] = top[0]
        rows[0][2] = top[1]
        value_cols = [j for j in range(width) if j not in (0, 2)]
        centers = [(cells[j]["x0"] + cells[j]["x1"]) / 2 for j in value_cols]
        split_x = cells[1]["x1"]
    body = []
    for _, ws in lines[nh:]:
        text = line_text(ws)
        r = [""] * width
        if is_note(text):
            r[0] = text
            body.append(r)
            continue
        left = [w for w in ws if not is_num(w.t) and w.x0 < split_x]
        right = [w for w in ws if not is_num(w.t) and w.x0 >= split_x]
        r[0] = join_label(left)
        r[2] = join_label(right)
        for w in ws:
            if is_num(w.t):
                r[value_cols[col_for(w.x1, centers)]] = w.t
        body.append(r)
    # a label wrapped over two lines, its figures printed on the middle line:
    # label part / figures only / label part  ->  one row
    out = []
    k = 0
    while k < len(body):
        r = body[k]
        has_vals = any(r[j] for j in value_cols)
        if has_vals and not r[0] and not r[2] and out and not any(out[-1][j] for j in value_cols):
            prev = out.pop()
            merged = [prev[j] or r[j] for j in range(width)]
            if k + 1 < len(body) and not any(body[k + 1][j] for j in value_cols):
                nxt = body[k + 1]
                for j in (0, 2):
                    merged[j] += nxt[j]
                k += 1
            r = merged
        out.append(r)
        k += 1
    return rows + out


def three_public(lines):
    hdr_lines = []
    data = []
    for _, ws in lines:
        if all(is_num(w.t) for w in ws):
            data.append(ws)
        elif data and is_note(line_text(ws)):
            data.append(ws)
        else:
            hdr_lines.append(ws)
    words = [w for ws in hdr_lines for w in ws]
    # 机关运行经费 header: words right of the 运行费 column, any line
    yx = max(w.x1 for w in words if w.t == "运行费")
    jg = [w for w in words if w.x0 > yx + 5]
    left = [w for w in words if w not in jg]
    title3 = [w for w in left if "三公" in w.t][0].t
    car = [w for w in left if w.t.startswith("公务用车购置")][0].t
    row2 = [w for w in left if w.t in ("合计", "因公出国(境)费", "因公出国（境）费", "公务接待费")]
    row3 = {w.t: w for w in left if w.t in ("小计", "购置费", "运行费")}
    order = row2 + [row3["小计"], row3["购置费"], row3["运行费"]]
    jgt = "".join(w.t for w in sorted(jg, key=lambda w: w.y0))
    rows = [
        [title3, "", "", "", "", "", jgt],
        [row2[0].t, row2[1].t, row2[2].t, car, "", "", ""],
        ["", "", "", "小计", "购置费", "运行费", ""],
    ]
    centers = [w.xc for w in order] + [sum(w.xc for w in jg) / len(jg)]
    for ws in data:
        r = [""] * 7
        if is_note(line_text(ws)):
            r[0] = line_text(ws)
        else:
            for w in ws:
                r[col_for(w.x1, centers)] = w.t
        rows.append(r)
    return rows


def rebuild(pdf, outdir, encoding, eol):
    pages = pdf_pages(pdf)
    tables = split_tables(pages)
    os.makedirs(outdir, exist_ok=True)
    written = []
    for seq, t in enumerate(tables, 1):
        kind = kind_of(t["title"])
        if kind in (1, 4):
            body = two_sided(t["lines"], kind)
        elif kind == 9:
            body = three_public(t["lines"])
        elif kind == 8:
            body = function_table(t["lines"], 2)
        else:
            body = function_table(t["lines"], 3)
        width = len(body[0])
        meta = t["meta"]
        head = [[t["title"]] + [""] * (width - 1)]
        m = [""] * width
        m[0] = meta[0].t
        m[-1] = meta[-1].t
        head.append(m)
        name = re.sub(r"^\d{4}年", "", t["title"])
        path = os.path.join(outdir, f"{seq:02d} {name}.csv")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator=eol)
        for row in head + body:
            w.writerow(row)
        with open(path, "w", encoding=encoding, newline="") as f:
            f.write(buf.getvalue())
        written.append(path)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf")
    ap.add_argument("outdir")
    ap.add_argument(
        "--dialect",
        default="excel",
        choices=["excel", "excel-gbk", "plain"],
        help="excel: UTF-8 with BOM, CRLF (default); excel-gbk: GB18030, CRLF; plain: UTF-8, LF",
    )
    a = ap.parse_args()
    enc, eol = {"excel": ("utf-8-sig", "\r\n"), "excel-gbk": ("gb18030", "\r\n"), "plain": ("utf-8", "\n")}[a.dialect]
    for p in rebuild(a.pdf, a.outdir, enc, eol):
        print(p)


if __name__ == "__main__":
    main()
