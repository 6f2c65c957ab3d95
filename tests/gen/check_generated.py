#!/usr/bin/env python3
"""Check a generated submission set on its own terms, from the files.

    check_generated.py DIR [--require-coverage] [--no-expected] [--quiet]

Re-reads every DIR/<year>/<dept>/*.csv[.gz] the way the pipeline must
(gunzip, BOM / UTF-8 / GB18030, title row for the kind, meta row for the
department and unit, one to three header rows with merged cells, every code
layout), then verifies

  - every printed code exists with its official name (tests/gen/codes.py);
  - within each table: 类/款 subtotal rows = sum of their leaves, 合计 row =
    sum of the leaves, 合计 = 基本 + 项目, 基本 = 人员 + 公用, table 2 合计 =
    小计 + 上年结转结余 and 小计 = sum of the fund columns, table 7 小计 =
    购置费 + 运行费 and 合计 = the four expenses;
  - across tables: table 1 income by source = table 2 合计 row, table 1
    spending by 类 = table 3, table 1 totals balance; table 2 row totals =
    table 3 row totals; table 2 fund columns = tables 5 / 8 / 10 per 项;
    table 4 = tables 5 + 8 + 10 (income and spending by 类); table 6
    personnel / public = table 5 basic personnel / public; table 9 project
    amounts sum to table 5 项目支出, each cost indicator equals its amount;
  - amounts printed in 万元 have at most 2 decimals (exact in yuan);
  - the year in the title equals the folder, the department name equals
    departments.csv, and expected/files.csv agrees with what was read;
  - DIR/expected/<view>.csv equals the views recomputed from the tables,
    byte for byte;
  - with --require-coverage: every dialect option occurs in dialects.csv.

Exits 0 when everything holds, 1 otherwise, printing one line per problem
(at most 50 per kind).  With --no-expected it checks only the tables (e.g.
samples/, where 109001's income 748.03 ≠ spending 648.03 is reported).
"""

import argparse
import csv
import gzip
import io
import os
import re
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import codes  # noqa: E402
from codes import FUNCTION, ECON  # noqa: E402

TITLE_KIND = {
    "部门收支总表": 1, "部门财务收支预算总表": 1,
    "部门收入总表": 2, "部门收入预算总表": 2,
    "部门支出总表": 3,
    "财政拨款收支总表": 4,
    "一般公共预算支出表": 5, "部门一般公共预算支出功能分类预算表": 5,
    "一般公共预算基本支出表": 6, "部门一般公共预算基本支出部门预算经济分类预算表": 6,
    "一般公共预算“三公”经费支出表": 7, "部门“三公”经费和机关运行经费预算表": 7,
    "政府性基金预算支出表": 8,
    "项目支出绩效目标表": 9,
    "国有资本经营预算支出表": 10,
}
META_PREFIXES = ("部门：", "单位名称：", "编制单位：", "部门名称：")
UNIT_RE = re.compile(r"^(?:金额)?单位[：:](万元|元)$")
GROUP_LABELS = {"功能分类科目", "经济分类科目", "预算数", "“三公”经费", "绩效指标"}
CODE_HDR = {"科目编码", "功能分类科目编码", "科目代码", "经济分类科目编码"}
NAME_HDR = {"科目名称", "经济分类科目名称"}
FUND_BY_NAME = {n: k for k, n in codes.FUND_SOURCES}
FUND_BY_NAME["财政拨款收入"] = "fiscal_appropriation"
AMOUNT_HDR = {
    "合计": "total", "总计": "total", "基本支出": "basic", "项目支出": "project",
    "人员经费": "personnel", "人员支出": "personnel", "公用经费": "public", "公用支出": "public",
    "上年结转结余": "carryover", "本年收入小计": "income_subtotal",
    "上缴上级支出": "upper_remit", "事业单位经营支出": "business_op", "对附属单位补助支出": "subsidiary",
    "因公出国（境）费": "outbound", "公务用车购置费": "vehicle_purchase",
    "公务用车运行费": "vehicle_operation", "公务接待费": "reception", "机关运行经费": "admin",
    "公务用车购置及运行费": "vehicle_total",
}
HEADER_WORDS = (set(AMOUNT_HDR) | set(FUND_BY_NAME) | CODE_HDR | NAME_HDR | GROUP_LABELS |
                {"类", "款", "项", "小计", "本年收入", "收入", "支出", "项目", "预算数",
                 "项目名称", "主管部门", "资金总额", "年度绩效目标", "一级指标", "二级指标", "三级指标",
                 "指标值"})
FW = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
NAME_INDEX_E = {(codes.econ_parent(c), n): c for c, n in ECON.items()}
_name_index_f = {}


def name_index_f(year):
    """(parent, name) -> function code, with the names of year's edition."""
    if year not in _name_index_f:
        _name_index_f[year] = {(codes.parent(c), codes.fname(c, year)): c for c in FUNCTION}
    return _name_index_f[year]


class Problems:
    def __init__(self, quiet):
        self.n = 0
        self.by_kind = {}
        self.quiet = quiet

    def __call__(self, where, msg, kind="check"):
        self.n += 1
        k = self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        if k <= 50:
            print("%s: %s" % (where, msg))
        elif k == 51:
            print("... more %s problems not shown" % kind)


class Bad(Exception):
    pass


def read_bytes(path):
    with open(path, "rb") as fh:
        data = fh.read()
    comp = "none"
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
        comp = "gzip"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-bom", comp
    try:
        return data.decode("utf-8"), "utf-8", comp
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030", comp


def parse_amount(cell, wan):
    """Fen from a printed amount, or raise Bad."""
    t = cell.strip().translate(FW)
    if t in ("", "-", "—", "0", "0.00"):
        return 0
    t = t.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", t):
        raise Bad("not an amount: %r" % cell)
    d = Decimal(t) * (1000000 if wan else 100)
    if d != d.to_integral_value():
        raise Bad("not exact in fen: %r" % cell)
    return int(d)


def strip_name(cell):
    return cell.strip(" \u3000\t")


def indent_of(cell):
    n = 0
    for ch in cell:
        if ch != "\u3000":
            break
        n += 1
    return n


class Table:
    pass


def read_table(path, prob):
    text, enc, comp = read_bytes(path)
    recs = list(csv.reader(io.StringIO(text, newline="")))
    t = Table()
    t.path, t.enc, t.comp, t.records = path, enc, comp, len(recs)
    i = 0
    while i < len(recs) and re.fullmatch(r"附?表\d+", (recs[i][0] if recs[i] else "").strip()):
        i += 1
    m = re.fullmatch(r"(\d{4})年(.+)", recs[i][0].strip()) if i < len(recs) and recs[i] else None
    if not m:
        raise Bad("no title row")
    t.year = int(m.group(1))
    t.title = m.group(2)
    if t.title not in TITLE_KIND:
        raise Bad("unknown title %r" % t.title)
    t.kind = TITLE_KIND[t.title]
    i += 1
    meta = recs[i]
    i += 1
    t.dept_name = None
    t.unit = None
    for c in meta:
        c = c.strip()
        for p in META_PREFIXES:
            if c.startswith(p):
                t.dept_name = c[len(p):]
        mu = UNIT_RE.match(c)
        if mu:
            t.unit = mu.group(1)
    if t.unit is None:
        raise Bad("no unit in the meta row")
    t.wan = t.unit == "万元"
    # Header rows: every non-empty cell a header word.
    hdr = []
    while i < len(recs):
        cells = [c.strip() for c in recs[i] if c.strip()]
        if cells and all(c in HEADER_WORDS for c in cells):
            hdr.append(recs[i])
            i += 1
        else:
            break
    if not hdr:
        raise Bad("no header rows")
    body = recs[i:]
    width = 0
    for r in hdr + body:
        for j, c in enumerate(r):
            if c.strip():
                width = max(width, j + 1)
    t.header_rows = len(hdr)
    t.cols = column_paths([(r + [""] * width)[:width] for r in hdr])
    t.body = [(r + [""] * width)[:width] for r in body]
    t.body_line = i + 1  # 1-based line of the first body record
    return t


def column_paths(hdr):
    """Label path of every column.  A merged cell exports as blanks to its
    right or below: a blank cell takes the label on its left when both
    columns have the same labels above (the same parent); otherwise a blank
    ends the column's path (merged downwards)."""
    width = len(hdr[0])
    filled = []
    for lv, row in enumerate(hdr):
        out = []
        for j in range(width):
            c = row[j].strip()
            if not c and j > 0 and out[j - 1] and \
                    all(filled[k][j] == filled[k][j - 1] for k in range(lv)):
                c = out[j - 1]
            out.append(c)
        filled.append(out)
    return [[filled[lv][j] for lv in range(len(hdr)) if filled[lv][j]] for j in range(width)]


def meaning(path, kind):
    """Map a column label path to a key, or None for a code/name column."""
    labels = [l for l in path if l not in GROUP_LABELS]
    if not labels:
        return ("?", "/".join(path))
    last = labels[-1]
    if any(l in CODE_HDR for l in labels):
        return ("code", last if last in ("类", "款", "项") else "code")
    if last in NAME_HDR:
        return ("name", None)
    parent = labels[-2] if len(labels) > 1 else None
    if last == "小计":
        if parent == "本年收入":
            return ("amt", "income_subtotal")
        if parent == "基本支出":
            return ("amt", "basic")
        if parent == "公务用车购置及运行费":
            return ("amt", "vehicle_total")
        return ("?", "/".join(path))
    if last in FUND_BY_NAME:
        return ("amt", FUND_BY_NAME[last])
    if last in AMOUNT_HDR:
        return ("amt", AMOUNT_HDR[last])
    return ("?", "/".join(path))


def classified(t, econ, prob):
    """Parse a code-classified table: (leaves, subtotals, total) with amounts
    as dicts key -> fen; leaves/subtotals keyed by code."""
    where = t.path
    keys = []
    code_cols = {}
    name_col = None
    for j, p in enumerate(t.cols):
        if not p:
            keys.append(None)
            continue
        m = meaning(p, t.kind)
        if m[0] == "code":
            code_cols.setdefault(m[1], []).append(j)
            keys.append(None)
        elif m[0] == "name":
            name_col = j
            keys.append(None)
        elif m[0] == "amt":
            keys.append(m[1])
        else:
            raise Bad("header not understood: %s" % m[1])
    if name_col is None:
        raise Bad("no name column")
    # 科目编码 merged over split columns with no 类/款/项 row under it: the
    # columns are 类, 款 (, 项) in order.
    if len(code_cols.get("code", [])) > 1:
        for part, j in zip(("类", "款", "项"), code_cols.pop("code")):
            code_cols[part] = [j]
    code_cols = {k: v[0] for k, v in code_cols.items()}
    amt_cols = [(j, k) for j, k in enumerate(keys) if k]
    names = ECON if econ else FUNCTION
    index = NAME_INDEX_E if econ else name_index_f(t.year)
    leaf_len = 5 if econ else 7
    rows = []  # (line, code, name_printed, amounts)
    total = None
    cur = {1: "", 2: ""}  # enclosing 类 and 款 for codeless rows
    none_line = False
    for n, r in enumerate(t.body):
        line = t.body_line + n
        cell0 = strip_name(r[0])
        if cell0.startswith("本部门没有"):
            none_line = True
            continue
        if not any(c.strip() for c in r):
            continue
        name_cell = r[name_col]
        name = strip_name(name_cell)
        code = None
        if code_cols:
            if "code" in code_cols:
                code = r[code_cols["code"]].strip().replace(" ", "")
            else:
                code = "".join(r[code_cols[k]].strip() for k in ("类", "款", "项") if k in code_cols)
        else:
            m = re.fullmatch(r"\[(\d+)\](.*)", name) or re.fullmatch(r"(\d+) (.*)", name)
            if m:
                code, name = m.group(1), m.group(2).strip()
        try:
            amounts = {k: parse_amount(r[j], t.wan) for j, k in amt_cols}
        except Bad as e:
            prob("%s:%d" % (where, line), str(e))
            continue
        if not code and name in ("合计", "总计"):
            if total is not None:
                prob("%s:%d" % (where, line), "two total rows")
            total = amounts
            continue
        if not code:
            # resolve by name from the enclosing rows: the deepest level first
            code = None
            for lvl in ((2, 1) if not econ else (1,)):
                parent = cur[lvl]
                if parent and (parent, name) in index:
                    code = index[(parent, name)]
                    break
            if code is None and ("", name) in index:
                code = index[("", name)]
            if code is None:
                prob("%s:%d" % (where, line), "name %r resolves to no code" % name)
                continue
        if code not in names:
            prob("%s:%d" % (where, line), "code %s not in the classification" % code)
            continue
        official = ECON[code] if econ else codes.fname(code, t.year)
        if not econ and not codes.exists(code, t.year):
            prob("%s:%d" % (where, line), "code %s is not in the %d edition" % (code, t.year))
        if official != name:
            prob("%s:%d" % (where, line), "code %s printed as %r, official name %r" % (code, name, official))
        lv = {3: 1, 5: 2, 7: 3}[len(code)]
        if lv in cur:
            cur[lv] = code
            if lv == 1:
                cur[2] = ""
        rows.append((line, code, amounts))
    leaves = {}
    subs = {}
    for line, code, a in rows:
        tgt = leaves if len(code) == leaf_len else subs
        if code in tgt:
            prob("%s:%d" % (where, line), "code %s twice" % code)
        tgt[code] = a
    akeys = [k for _, k in amt_cols]
    # subtotals = sum of leaves below
    for code, a in subs.items():
        s = {k: sum(v[k] for c, v in leaves.items() if c.startswith(code)) for k in akeys}
        if s != a:
            prob(where, "subtotal %s %s != sum of its leaves %s" % (code, fmt(a), fmt(s)))
    if total is None and not none_line:
        prob(where, "no 合计 row")
    if total is not None:
        s = {k: sum(v[k] for v in leaves.values()) for k in akeys}
        if s != total:
            prob(where, "合计 row %s != sum of leaves %s" % (fmt(total), fmt(s)))
    for code, a in list(leaves.items()) + list(subs.items()) + ([("合计", total)] if total else []):
        row_identities(t, code, a, prob)
    return leaves, total or {k: 0 for k in akeys}, none_line


def row_identities(t, code, a, prob):
    w = "%s: row %s" % (t.path, code)
    g = a.get
    if "total" in a and "basic" in a and "project" in a:
        extra = g("upper_remit", 0) + g("business_op", 0) + g("subsidiary", 0)
        if a["total"] != a["basic"] + a["project"] + extra:
            prob(w, "合计 %d != 基本 %d + 项目 %d" % (a["total"], a["basic"], a["project"]))
    if "personnel" in a and "public" in a:
        base = a["basic"] if "basic" in a else a.get("total")
        if base != a["personnel"] + a["public"]:
            prob(w, "基本 %s != 人员 %d + 公用 %d" % (base, a["personnel"], a["public"]))
    if "income_subtotal" in a:
        funds = sum(v for k, v in a.items() if k in FUND_KEYS)
        if a["income_subtotal"] != funds:
            prob(w, "小计 %d != sum of fund columns %d" % (a["income_subtotal"], funds))
        if a["total"] != a["income_subtotal"] + g("carryover", 0):
            prob(w, "合计 %d != 小计 + 上年结转结余" % a["total"])


FUND_KEYS = set(FUND_BY_NAME.values())


def fmt(a):
    return "{" + ", ".join("%s=%s" % (k, yuan(v)) for k, v in a.items()) + "}"


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def two_sided(t, prob):
    """Tables 1 and 4: income label -> amount, expense 类 name -> amount, totals."""
    inc, exp, tot = {}, {}, {}
    for n, r in enumerate(t.body):
        line = t.body_line + n
        for side, (lc, ac) in (("in", (0, 1)), ("out", (2, 3))):
            label = strip_name(r[lc]) if lc < len(r) else ""
            if not label:
                continue
            try:
                v = parse_amount(r[ac], t.wan) if ac < len(r) else 0
            except Bad as e:
                prob("%s:%d" % (t.path, line), str(e))
                continue
            label = re.sub(r"^[一二三四五六七八九十]+、", "", label)
            if label in ("本年收入合计", "上年结转结余", "收入总计", "本年支出合计", "结转下年", "支出总计"):
                tot[label] = v
            elif side == "in":
                key = FUND_BY_NAME.get(label)
                if key is None:
                    prob("%s:%d" % (t.path, line), "unknown income %r" % label)
                else:
                    inc[key] = v
            else:
                cls = [c for c in FUNCTION if len(c) == 3 and codes.fname(c, t.year) == label]
                if not cls:
                    prob("%s:%d" % (t.path, line), "unknown 类 %r" % label)
                else:
                    exp[cls[0]] = v
    w = t.path
    if tot.get("本年收入合计") != sum(inc.values()):
        prob(w, "本年收入合计 %s != sum of income %s" % (yuan(tot.get("本年收入合计", 0)), yuan(sum(inc.values()))))
    if tot.get("收入总计") != tot.get("本年收入合计", 0) + tot.get("上年结转结余", 0):
        prob(w, "收入总计 != 本年收入合计 + 上年结转结余")
    if tot.get("本年支出合计") != sum(exp.values()):
        prob(w, "本年支出合计 %s != sum of spending %s" % (yuan(tot.get("本年支出合计", 0)), yuan(sum(exp.values()))))
    if tot.get("支出总计") != tot.get("本年支出合计", 0) + tot.get("结转下年", 0):
        prob(w, "支出总计 != 本年支出合计 + 结转下年")
    if tot.get("收入总计") != tot.get("支出总计"):
        prob(w, "收入总计 %s != 支出总计 %s" % (yuan(tot.get("收入总计", 0)), yuan(tot.get("支出总计", 0))))
    return inc, exp, tot


def table7(t, prob):
    keys = []
    for p in t.cols:
        m = meaning(p, 7) if p else ("?", "")
        if m[0] != "amt":
            raise Bad("table 7 header not understood: %s" % "/".join(p))
        keys.append(m[1])
    rows = [r for r in t.body]
    if len(rows) != 1:
        raise Bad("table 7 has %d data rows" % len(rows))
    a = {k: parse_amount(rows[0][j], t.wan) for j, k in enumerate(keys)}
    if a["vehicle_total"] != a["vehicle_purchase"] + a["vehicle_operation"]:
        prob(t.path, "公务用车 小计 != 购置费 + 运行费")
    if a["total"] != a["outbound"] + a["vehicle_total"] + a["reception"]:
        prob(t.path, "合计 != 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费")
    return a


def parse_target(text):
    t = text.strip()
    m = re.fullmatch(r"([=≥≤><])?(\d+(?:\.\d+)?)(.*)", t)
    if not m:
        return "", "", ""
    v = format(Decimal(m.group(2)), "f")
    if "." in v:
        v = v.rstrip("0").rstrip(".")
    return m.group(1) or "=", v, m.group(3)


def table9(t, prob):
    idx = {}
    for j, p in enumerate(t.cols):
        labels = [l for l in p if l not in GROUP_LABELS]
        if labels:
            idx[labels[-1]] = j
    need = ["项目名称", "主管部门", "资金总额", "年度绩效目标", "一级指标", "二级指标", "三级指标", "指标值"]
    for k in need:
        if k not in idx:
            raise Bad("table 9: no column %s" % k)
    projects = []
    for n, r in enumerate(t.body):
        name = r[idx["项目名称"]].strip()
        if name:
            amount = parse_amount(r[idx["资金总额"]], t.wan)
            projects.append([name, amount, []])
        if not projects:
            raise Bad("table 9: indicator before any project")
        projects[-1][2].append((r[idx["一级指标"]].strip(), r[idx["二级指标"]].strip(),
                                r[idx["三级指标"]].strip(), r[idx["指标值"]].strip()))
    for name, amount, inds in projects:
        for l1, l2, l3, text in inds:
            if l3 == "总成本控制":
                op, v, unit = parse_target(text)
                fen = Decimal(v) * (1000000 if unit == "万元" else 100)
                if fen != amount:
                    prob(t.path, "project %s: cost target %s != amount %s" % (name, text, yuan(amount)))
        l3s = [i[2] for i in inds]
        if len(set(l3s)) != len(l3s):
            prob(t.path, "project %s: a 三级指标 twice" % name)
    names = [p[0] for p in projects]
    if len(set(names)) != len(names):
        prob(t.path, "a project name twice")
    return projects


def check_submission(root, year, dept, depts, prob, views, files_seen):
    folder = os.path.join(root, str(year), dept)
    tables = {}
    for fn in sorted(os.listdir(folder)):
        if not (fn.endswith(".csv") or fn.endswith(".csv.gz")):
            continue
        path = os.path.join(folder, fn)
        rel = "%d/%s/%s" % (year, dept, fn)
        try:
            t = read_table(path, prob)
        except (Bad, UnicodeDecodeError, IndexError) as e:
            prob(rel, "unreadable: %s" % e)
            continue
        t.path = rel
        files_seen[rel] = t
        if t.year != year:
            prob(rel, "year %d in the title, %d in the folder" % (t.year, year))
        if depts is not None and t.dept_name != depts.get(dept, {}).get("dept_name"):
            prob(rel, "department %r, registry says %r" % (t.dept_name, depts.get(dept, {}).get("dept_name")))
        if t.kind in tables:
            prob(rel, "table %d twice (also %s)" % (t.kind, tables[t.kind].path))
        tables[t.kind] = t
    for k in range(1, 10):
        if k not in tables:
            prob("%d/%s" % (year, dept), "table %d missing" % k)
    if any(k not in tables for k in range(1, 10)):
        return
    try:
        t1 = two_sided(tables[1], prob)
        t4 = two_sided(tables[4], prob)
        l2, tot2, _ = classified(tables[2], False, prob)
        l3, tot3, _ = classified(tables[3], False, prob)
        l5, tot5, _ = classified(tables[5], False, prob)
        l6, tot6, _ = classified(tables[6], True, prob)
        l8, tot8, none8 = classified(tables[8], False, prob)
        if 10 in tables:
            l10, tot10, _ = classified(tables[10], False, prob)
        else:
            l10, tot10 = {}, {"total": 0, "basic": 0, "project": 0}
        a7 = table7(tables[7], prob)
        p9 = table9(tables[9], prob)
    except Bad as e:
        prob("%d/%s" % (year, dept), str(e))
        return
    w = "%d/%s" % (year, dept)
    inc1, exp1, tot1 = t1
    # table 1 vs 2 and 3
    rev = {k: v for k, v in tot2.items() if k in FUND_KEYS or k == "carryover"}
    inc2 = {k: v for k, v in rev.items() if k != "carryover" and v}
    if {k: v for k, v in inc1.items() if v} != inc2:
        prob(w, "table 1 income %s != table 2 合计 row %s" % (fmt(inc1), fmt(inc2)))
    if tot1.get("上年结转结余", 0) != rev.get("carryover", 0):
        prob(w, "table 1 上年结转结余 != table 2")
    cls3 = {}
    for c, a in l3.items():
        cls3[c[:3]] = cls3.get(c[:3], 0) + a["total"]
    if {k: v for k, v in exp1.items() if v} != cls3:
        prob(w, "table 1 spending by 类 != table 3")
    if tot2["total"] != tot3["total"]:
        prob(w, "table 2 合计 %s != table 3 合计 %s" % (yuan(tot2["total"]), yuan(tot3["total"])))
    if set(l2) != set(l3):
        prob(w, "tables 2 and 3 list different 项: %s" % sorted(set(l2) ^ set(l3)))
    for c in set(l2) & set(l3):
        if l2[c]["total"] != l3[c]["total"]:
            prob(w, "项 %s: table 2 合计 %s != table 3 合计 %s" % (c, yuan(l2[c]["total"]), yuan(l3[c]["total"])))
    # table 2 fund columns per 项 = tables 5 / 8 / 10
    for c, a in l2.items():
        t5v = l5.get(c, {}).get("total", 0)
        t8v = l8.get(c, {}).get("total", 0)
        t10v = l10.get(c, {}).get("total", 0)
        if "fiscal_appropriation" in a:
            if a["fiscal_appropriation"] != t5v + t8v + t10v:
                prob(w, "项 %s: 财政拨款收入 != tables 5 + 8 + 10" % c)
        else:
            for key, v in (("general_budget", t5v), ("gov_fund", t8v), ("state_capital", t10v)):
                if a.get(key, 0) != v:
                    prob(w, "项 %s: table 2 %s %s != %s" % (c, key, yuan(a.get(key, 0)), yuan(v)))
    for c in set(l5) | set(l8) | set(l10):
        if c not in l3:
            prob(w, "项 %s in table 5/8/10 but not in table 3" % c)
        else:
            b = l5.get(c, {}).get("basic", 0) + l8.get(c, {}).get("basic", 0) + l10.get(c, {}).get("basic", 0)
            p = l5.get(c, {}).get("project", 0) + l8.get(c, {}).get("project", 0) + \
                l10.get(c, {}).get("project", 0)
            if b > l3[c]["basic"] or p > l3[c]["project"]:
                prob(w, "项 %s: fiscal basic/project exceed table 3" % c)
    # table 4 = 5 + 8 + 10
    inc4, exp4, tot4 = t4
    want = {"general_budget": tot5["total"], "gov_fund": tot8["total"], "state_capital": tot10["total"]}
    if {k: v for k, v in inc4.items() if v} != {k: v for k, v in want.items() if v}:
        prob(w, "table 4 income %s != tables 5/8/10 totals %s" % (fmt(inc4), fmt(want)))
    cls = {}
    for leaves in (l5, l8, l10):
        for c, a in leaves.items():
            cls[c[:3]] = cls.get(c[:3], 0) + a["total"]
    if {k: v for k, v in exp4.items() if v} != cls:
        prob(w, "table 4 spending by 类 != tables 5 + 8 + 10")
    # table 6 = table 5 basic
    if tot6["personnel"] != tot5["personnel"] or tot6["public"] != tot5["public"]:
        prob(w, "table 6 人员/公用 %s/%s != table 5 %s/%s" % (
            yuan(tot6["personnel"]), yuan(tot6["public"]), yuan(tot5["personnel"]), yuan(tot5["public"])))
    for c, a in l6.items():
        personnel_class = c[:3] in codes.ECON_PERSONNEL_CLASSES
        if (a["public"] if personnel_class else a["personnel"]):
            prob(w, "econ %s on the wrong side" % c)
    # table 9 = table 5 projects
    if sum(p[1] for p in p9) != tot5["project"]:
        prob(w, "table 9 projects %s != table 5 项目支出 %s" % (yuan(sum(p[1] for p in p9)), yuan(tot5["project"])))
    if bool(l8) == none8:
        prob(w, "table 8: none line and rows disagree")

    # Views, as the mart should show them.
    y, d = str(year), dept
    for c, a in l3.items():
        if a["basic"] or a["project"]:
            views["expenditure_by_function"].append([y, d, c, yuan(a["basic"]), yuan(a["project"]),
                                                     yuan(a["basic"] + a["project"])])
    for c, a in l5.items():
        views["gpb_expenditure_by_function"].append(
            [y, d, c, yuan(a["personnel"]), yuan(a["public"]), yuan(a["basic"]), yuan(a["project"]),
             yuan(a["total"])])
    for view, leaves in (("gov_fund_expenditure_by_function", l8),
                         ("state_capital_expenditure_by_function", l10)):
        for c, a in leaves.items():
            views[view].append([y, d, c, yuan(a["basic"]), yuan(a["project"]), yuan(a["total"])])
    for c, a in l6.items():
        views["basic_expenditure_by_economic"].append([y, d, c, yuan(a["personnel"]), yuan(a["public"]),
                                                       yuan(a["total"])])
    for k, v in rev.items():
        if v:
            views["revenue_by_source"].append([y, d, k, yuan(v)])
    views["three_public_expenses"].append([y, d, yuan(a7["outbound"]), yuan(a7["vehicle_purchase"]),
                                           yuan(a7["vehicle_operation"]), yuan(a7["reception"]),
                                           yuan(a7["total"])])
    for name, amount, inds in p9:
        for l1, l2_, l3_, text in inds:
            op, v, unit = parse_target(text)
            views["project_indicators"].append([y, d, name, yuan(amount), l3_, op, v, unit])
    views["department_year"].append([y, d, yuan(tot1.get("收入总计", 0)), yuan(tot3["total"]),
                                     yuan(tot3["basic"]), yuan(tot3["project"])])


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--require-coverage", action="store_true")
    ap.add_argument("--no-expected", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    prob = Problems(a.quiet)
    root = a.dir
    depts = None
    if os.path.exists(os.path.join(root, "departments.csv")):
        rows = read_csv(os.path.join(root, "departments.csv"))
        depts = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gen_submissions as g
    extra = os.path.join(root, "expected", "function_codes.csv")
    if os.path.exists(extra):
        codes.add_function_codes(tuple(r) for r in read_csv(extra)[1:])
    views = {k: [] for k in g.VIEWS}
    files_seen = {}
    nsub = 0
    for year in sorted(int(x) for x in os.listdir(root) if x.isdigit()):
        for dept in sorted(os.listdir(os.path.join(root, str(year)))):
            check_submission(root, year, dept, depts, prob, views, files_seen)
            nsub += 1
    if not a.no_expected:
        # function_rollup from expenditure_by_function and the registry
        agg = {}
        for y, d, item, b, p, _ in views["expenditure_by_function"]:
            bf, pf = g.to_fen(b), g.to_fen(p)
            for lvl, code in (("类", item[:3]), ("款", item[:5]), ("项", item)):
                x = agg.setdefault((y, depts[d]["district"], lvl, code), [set(), 0, 0])
                x[0].add(d)
                x[1] += bf
                x[2] += pf
        views["function_rollup"] = [[y, r, lvl, c, str(len(x[0])), g.yuan(x[1]), g.yuan(x[2]),
                                     g.yuan(x[1] + x[2])] for (y, r, lvl, c), x in agg.items()]
        for view, cols in g.VIEWS.items():
            path = os.path.join(root, "expected", view + ".csv")
            if not os.path.exists(path):
                prob(path, "missing", "expected")
                continue
            got = read_csv(path)
            want = [cols] + g.sort_rows(view, views[view])
            if got != want:
                gs, ws = set(map(tuple, got)), set(map(tuple, want))
                for r in sorted(ws - gs)[:10]:
                    prob(path, "from the tables, not in the file: %s" % ",".join(r), "expected")
                for r in sorted(gs - ws)[:10]:
                    prob(path, "in the file, not from the tables: %s" % ",".join(r), "expected")
                if gs == ws:
                    prob(path, "rows in another order or repeated", "expected")
        # files.csv
        fpath = os.path.join(root, "expected", "files.csv")
        if os.path.exists(fpath):
            rows = read_csv(fpath)
            listed = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
            if set(listed) != set(files_seen):
                prob(fpath, "lists other files than found: %s" % sorted(set(listed) ^ set(files_seen))[:5],
                     "expected")
            for rel, t in files_seen.items():
                f = listed.get(rel)
                if not f:
                    continue
                got = (f["table_kind"], f["encoding"], f["compression"], f["unit"], f["header_rows"], f["records"])
                want = (str(t.kind), t.enc, t.comp, "wan" if t.wan else "yuan", str(t.header_rows), str(t.records))
                if got != want:
                    prob(rel, "files.csv says %s, read %s" % (got, want), "expected")
    if a.require_coverage:
        rows = read_csv(os.path.join(root, "expected", "dialects.csv"))
        have = set()
        for r in rows[1:]:
            for tag in r[2].split(";"):
                if tag.startswith("hdr") and tag[3:].isdigit():
                    have.update("hdr" + ch for ch in tag[3:])
                else:
                    have.add(tag)
        want = {o for dd in g.DIMS for o in dd[1]} | {"hdr1", "hdr2", "hdr3"}
        if want - have:
            prob(os.path.join(root, "expected", "dialects.csv"), "options never used: %s"
                 % " ".join(sorted(want - have)), "coverage")
        # what was read must show the dialects too
        encs = {t.enc for t in files_seen.values()}
        comps = {t.comp for t in files_seen.values()}
        hdrs = {t.header_rows for t in files_seen.values()}
        if encs != {"utf-8", "utf-8-bom", "gb18030"} or comps != {"none", "gzip"} or not {1, 2, 3} <= hdrs:
            prob(root, "files read show encodings %s, compressions %s, header rows %s"
                 % (sorted(encs), sorted(comps), sorted(hdrs)), "coverage")
    if not a.quiet or prob.n:
        print("check_generated: %d submissions, %d files, %d problems" % (nsub, len(files_seen), prob.n))
    return 1 if prob.n else 0


if __name__ == "__main__":
    sys.exit(main())
