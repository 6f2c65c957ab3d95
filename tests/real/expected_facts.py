#!/usr/bin/env python3
"""Expected facts and identity report for the real-publication corpus.

    python3 tests/real/expected_facts.py [--root tests/data/real] [--quiet]

Reads every tests/data/real/<year>/<dept>/*.csv (UTF-8, UTF-8 with BOM or
GB18030), recognises each table by its title, reads it the way a person
reads the printed table, and writes

  tests/data/real/expected.json         facts a correct load yields, in yuan
  tests/data/real/expected_checks.json  identities the source itself breaks
                                        by more than rounding (true defects)

It prints one line per identity that does not hold exactly: `rounding`
when the gap is within k x half a unit of the printed precision (k = the
number of figures in the identity), `DEFECT` when it is larger.

This script is independent of the loader: it imports nothing from build/
or etl/, and uses the Python standard library only. Amounts are
decimal.Decimal throughout (万元 x 10000 exactly), never float.
"""

import argparse
import csv
import io
import json
import os
import re
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

D0 = Decimal("0")
Q2 = Decimal("0.01")
AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
ZERO_MARKS = {"", "-", "—", "－"}


# ---------------------------------------------------------------- reading


def read_rows(path):
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        text, enc = raw[3:].decode("utf-8"), "utf-8-sig"
    else:
        try:
            text, enc = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = raw.decode("gb18030"), "gb18030"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [[c.strip() for c in r] for r in rows], enc


def amount(cell):
    """Decimal of a printed amount, or None when the cell is not a number."""
    c = cell.strip().replace(" ", "")
    if c in ZERO_MARKS:
        return D0
    if AMOUNT.match(c):
        return Decimal(c.replace(",", ""))
    return None


def decimals(cell):
    c = cell.strip()
    return len(c.split(".")[1]) if "." in c and AMOUNT.match(c.replace(" ", "")) else 0


def norm(s):
    return re.sub(r"\s+", "", s).replace("（", "(").replace("）", ")")


# ------------------------------------------------------------ recognition


def title_of(rows):
    for r in rows[:4]:
        t = norm(r[0]) if r else ""
        if not t or re.fullmatch(r"(表|附表|公开)?\d+(表)?|公开\d+表", t):
            continue
        return t
    return ""


def kind_of(title):
    """Table kind by meaning (FINAL_ACCOUNTS.md, ordered list)."""
    t = re.sub(r"\d{4}年度?", "", title)
    for pre in ("预算单位", "部门", "单位"):
        t = t.replace(pre, "")
    if "政府性基金" in t:
        return 8
    if "国有资本经营" in t:
        return 10
    if "三公" in t:
        return 7
    if "基本支出" in t or "经济分类" in t:
        return 6
    if "绩效目标" in t:
        return 9
    if "一般公共预算" in t:
        return 5
    if "财政拨款" in t and ("收支" in t or "收入支出" in t):
        return 4
    if "收支" in t or "收入支出" in t:
        return 1
    if "收入" in t:
        return 2
    if "支出" in t:
        return 3
    return None


def stage_of(title):
    if "调整预算" in title or "预算调整" in title:
        return "adjusted"
    return "final" if "决算" in title else "budget"


def unit_of(rows):
    for r in rows[:5]:
        for c in r:
            m = re.search(r"单位[:：]\s*(万元|元)", c)
            if m:
                return Decimal(10000) if m.group(1) == "万元" else Decimal(1)
    return None


def is_code(s, lengths=(3, 5, 7)):
    return s.isdigit() and len(s) in lengths


# ----------------------------------------------------------- the report


class Report:
    def __init__(self, quiet=False):
        self.quiet = quiet
        self.defects = []
        self.rounding = 0
        self.exact = 0

    def check(self, ctx, table, subject, expected, parts, h):
        """expected: the printed total; parts: list of printed figures that
        should sum to it. h: half a unit of printed precision, in yuan."""
        actual = sum(parts, D0)
        k = 1 + len(parts)
        gap = abs(expected - actual)
        if gap == 0:
            self.exact += 1
            return True
        tol = h * k
        kind = "rounding" if gap <= tol else "DEFECT"
        if not self.quiet or kind == "DEFECT":
            print(
                f"{kind:8} {ctx['year']}/{ctx['dept']} [{ctx['stage']}] {table}: {subject}: "
                f"printed {fmt(expected)} vs sum {fmt(actual)} (gap {fmt(gap)}, tolerance {fmt(tol)})"
            )
        if kind == "rounding":
            self.rounding += 1
            return True
        self.defects.append(
            {
                "year": ctx["year"],
                "dept": ctx["dept"],
                "stage": ctx["stage"],
                "table": table,
                "subject": subject,
                "expected": fmt(expected),
                "actual": fmt(actual),
            }
        )
        return False


def fmt(d):
    return str(d.quantize(Q2))


# ------------------------------------------------------------- tables


class Table:
    def __init__(self, path, rows, enc):
        self.path = path
        self.name = os.path.basename(path)
        self.rows = rows
        self.enc = enc
        self.title = title_of(rows)
        self.kind = kind_of(self.title)
        self.stage = stage_of(self.title)
        self.unit = unit_of(rows)
        self.bad_cells = []

    def h(self, value_cells):
        d = max([decimals(c) for c in value_cells if c] + [0])
        return self.unit * Decimal(5) / Decimal(10) ** (d + 1)

    def yuan(self, cell, line):
        a = amount(cell)
        if a is None:
            self.bad_cells.append((line, cell))
            return D0
        return a * self.unit


def header_split(rows, is_data):
    start = 0
    # skip the numbering line, title and meta line(s)
    for i, r in enumerate(rows[:5]):
        if any(re.search(r"单位[:：]\s*(万元|元)", c) for c in r):
            start = i + 1
            break
    for i in range(start, len(rows)):
        if is_data(rows[i]):
            return rows[start:i], i
    return rows[start:], len(rows)


def leaf_labels(header):
    """For each column: (leaf, group). leaf = bottom-most non-empty header
    cell of that column; group = the label of the first header row carried
    to the right over blank cells (a merged cell)."""
    width = max(len(r) for r in header) if header else 0
    out = []
    for j in range(width):
        leaf = ""
        for r in header:
            if j < len(r) and r[j]:
                leaf = norm(r[j])
        out.append(leaf)
    groups = []
    for j in range(width):
        g = ""
        for r in header:
            k = j
            while k >= 0 and (k >= len(r) or not r[k]):
                k -= 1
            if k >= 0 and r[k] and norm(r[k]) != out[j]:
                g = norm(r[k])
                break
        groups.append(g)
    return list(zip(out, groups))


VALUE_KEYS = [
    (r"^(本年收入合计|本年支出合计|合计|总计|小计)$", "total"),
    (r"^基本支出$", "basic"),
    (r"^项目支出$", "project"),
    (r"^人员(经费|支出)$", "personnel"),
    (r"^(公用经费|公用支出|日常公用经费)$", "public"),
    (r"^上缴上级支出$", "remit_to_superior"),
    (r"^经营支出$", "operating"),
    (r"^对附属单位补助支出$", "subsidy_to_subordinate"),
    (r"^一般公共预算(拨款收入|资金|拨款)$", "general_budget"),
    (r"^政府性基金预算(拨款收入|资金|拨款)$", "gov_fund"),
    (r"^国有资本经营预算(拨款收入|资金|拨款)$", "state_capital"),
    (r"^财政拨款(收入)?$", "fiscal_appropriation"),
    (r"^财政专户管理资金(收入)?$", "fiscal_special"),
    (r"^事业收入$", "business"),
    (r"^(事业单位)?经营收入$", "operating_income"),
    (r"^上级补助收入$", "superior_subsidy"),
    (r"^附属单位上缴收入$", "subordinate_remit"),
    (r"^其他收入$", "other"),
    (r"^上年结转(结余)?$", "carryover"),
    (r"^年初结转和结余$", "carryover_begin"),
    (r"^本年收入$", "income"),
    (r"^年末结转和结余$", "carryover_end"),
    (r"^决算数$", "final"),
    (r"^预算数$", "budget"),
]


def value_key(leaf, group):
    for pat, key in VALUE_KEYS:
        if re.match(pat, leaf):
            if key == "total" and group.startswith("本年支出"):
                return "expend_total"
            if key in ("basic", "project") and group.startswith("本年支出"):
                return key
            return key
    return None


# ------------------------------------------------- function-code tables


def parse_coded(t, econ=False):
    """Tables with classification codes (function 类/款/项 or economic
    类/款). Returns dict with value keys, rows [(code, name, {key: yuan}, line)],
    total row, and the raw cells for precision."""
    rows = t.rows
    ncode_split = None

    def code_of(r):
        """(code, name) of a data row, or ('TOTAL', '') or None."""
        if ncode_split:
            parts = [r[j] if j < len(r) else "" for j in range(ncode_split)]
            # a 款/项 printed without its leading zero ("2" for 02) is read
            # as the two-digit code it stands for
            joined = "".join(p.zfill(2) if k and p.isdigit() else p for k, p in enumerate(parts))
            rest = r[ncode_split] if ncode_split < len(r) else ""
            if any(norm(p) in ("合计", "总计") for p in parts + [rest]):
                return ("TOTAL", "")
            if joined.isdigit():
                return (joined, rest)
            return None
        c0 = norm(r[0]) if r else ""
        c1 = r[1] if len(r) > 1 else ""
        if norm(c0) in ("合计", "总计") or (not c0 and norm(c1) in ("合计", "总计")):
            return ("TOTAL", "")
        if is_code(c0, (3, 5) if econ else (3, 5, 7)):
            return (c0, c1)
        return None

    # layout: split codes if a header row holds 类 款 (项)
    for r in rows[:8]:
        n = [norm(c) for c in r]
        if n[:3] == ["类", "款", "项"]:
            ncode_split = 3
            break
        if n[:2] == ["类", "款"]:
            ncode_split = 2
            break

    def is_data(r):
        return code_of(r) is not None

    header, first = header_split(rows, is_data)
    labels = leaf_labels(header)
    # a template defect (Putuo 2025 决算 tables 8 and 10): the sub-headers
    # of 本年支出 (合计, 基本支出, 项目支出) are printed on the 合计 row itself.
    # Read them as the labels of those columns; the cells are no amounts.
    header_on_total = []
    if first < len(rows):
        fr = rows[first]
        for j, (leaf, group) in enumerate(labels):
            if j >= 2 and j < len(fr) and fr[j] and amount(fr[j]) is None and norm(fr[j]) != "合计" or (
                    j >= 2 and j < len(fr) and norm(fr[j]) == "合计" and leaf):
                labels[j] = (norm(fr[j]), leaf or group)
                header_on_total.append(j)
    name_col = ncode_split if ncode_split else 1
    cols = {}
    for j, (leaf, group) in enumerate(labels):
        if j <= name_col:
            continue
        key = value_key(leaf, group)
        if key is None:
            raise SystemExit(f"{t.path}: column {j + 1} header {leaf!r} not understood")
        if key in cols:
            raise SystemExit(f"{t.path}: two columns mean {key!r}")
        cols[key] = j
    out = {"cols": cols, "rows": [], "total": None, "cells": [],
           "no_total": {k for k, j in cols.items() if j in header_on_total}}
    for i in range(first, len(rows)):
        r = rows[i]
        if not any(r):
            continue
        c = code_of(r)
        if c is None:
            if r[0].startswith(("注", "说明")) or all(not x for x in r[1:]):
                continue  # note line
            raise SystemExit(f"{t.path}:{i + 1}: row not understood: {r}")
        vals = {}
        for k, j in cols.items():
            cell = r[j] if j < len(r) else ""
            if c[0] == "TOTAL" and k in out["no_total"]:
                t.bad_cells.append((i + 1, cell))
                continue  # header words printed in the 合计 row: no figure
            out["cells"].append(cell)
            vals[k] = t.yuan(cell, i + 1)
        if c[0] == "TOTAL":
            out["total"] = (vals, i + 1)
        else:
            out["rows"].append((c[0], c[1], vals, i + 1))
    return out


def verify_hierarchy(rep, ctx, t, p, leaf_len):
    """Every 类 = Σ 款, every 款 = Σ 项 (where children are printed), and the
    合计 = Σ 类 (or Σ leaves when no 类 row is printed), per value column."""
    h = t.h(p["cells"])
    rows = p["rows"]
    bycode = {}
    for code, name, vals, line in rows:
        bycode.setdefault(code, (vals, line))
    ok = True
    lengths = sorted({len(c) for c, *_ in rows})
    for code, name, vals, line in rows:
        kids = [v for c, n, v, l in rows if len(c) > len(code) and c.startswith(code)
                and len(c) == min([len(x) for x, *_ in rows if len(x) > len(code) and x.startswith(code)] or [0])]
        if not kids:
            continue
        for k in p["cols"]:
            ok &= rep.check(ctx, t.name, f"{code} {name} [{k}] = sum of its lines below",
                            vals[k], [v[k] for v in kids], h)
    if p["total"]:
        tv, line = p["total"]
        top = min(lengths) if lengths else 0
        tops = [v for c, n, v, l in rows if len(c) == top]
        for k in p["cols"]:
            if k not in tv:
                continue
            ok &= rep.check(ctx, t.name, f"合计 [{k}] = sum of the {top}-digit rows", tv[k],
                            [v[k] for v in tops], h)
    return ok


def verify_row(rep, ctx, t, p, total_key, part_keys, h=None):
    h = h if h is not None else t.h(p["cells"])
    items = list(p["rows"])
    if p["total"]:
        items.append(("合计", "", p["total"][0], p["total"][1]))
    for code, name, vals, line in items:
        if total_key not in vals:
            continue
        parts = [vals[k] for k in part_keys if k in vals]
        rep.check(ctx, t.name, f"{code} {name} {total_key} = {' + '.join(k for k in part_keys if k in vals)}",
                  vals[total_key], parts, h)


def leaves(p, length):
    return [(c, n, v) for c, n, v, l in p["rows"] if len(c) == length]


# ------------------------------------------------------ two-sided tables


def parse_two_sided(t):
    rows = t.rows

    def is_data(r):
        return any(amount(c) is not None and c for c in r[1:2] + r[3:]) or (
            r and re.match(r"^[一二三四五六七八九十]+、", norm(r[0]))
        )

    header, first = header_split(rows, is_data)
    labels = leaf_labels(header)
    width = len(labels)
    items_l, items_r = [], []
    cells = []
    for i in range(first, len(rows)):
        r = rows[i] + [""] * (width - len(rows[i]))
        if r[0].startswith(("注", "说明")):
            continue
        left = norm(r[0])
        if left:
            items_l.append((left, t.yuan(r[1], i + 1), i + 1))
            cells.append(r[1])
        right = norm(r[2])
        if right:
            vals = {}
            for j in range(3, width):
                vals[j] = t.yuan(r[j], i + 1)
                cells.append(r[j])
            items_r.append((right, vals, i + 1))
    return {"labels": labels, "left": items_l, "right": items_r, "h": t.h(cells)}


CN_NUM = r"^[一二三四五六七八九十]+、"


# ---------------------------------------------------------- department


def load_dept(dirpath, year, dept, rep):
    tables = []
    for name in sorted(os.listdir(dirpath)):
        if not name.endswith(".csv"):
            continue
        path = os.path.join(dirpath, name)
        rows, enc = read_rows(path)
        t = Table(path, rows, enc)
        if t.kind is None:
            raise SystemExit(f"{path}: title {t.title!r} not recognised")
        if t.unit is None:
            raise SystemExit(f"{path}: no unit")
        tables.append(t)
    by = {}
    for t in tables:
        by.setdefault((t.stage, t.kind), t)
    stages = sorted({t.stage for t in tables})
    facts = []
    for stage in stages:
        ctx = {"year": year, "dept": dept, "stage": stage}
        get = lambda k: by.get((stage, k))  # noqa: E731
        f = {"fiscal_year": year, "dept_code": dept, "stage": stage}
        if stage == "budget":
            budget_facts(rep, ctx, get, f)
        else:
            final_facts(rep, ctx, get, f)
        f["files"] = sorted(t.name for t in tables if t.stage == stage)
        f["encodings"] = sorted({t.enc for t in tables if t.stage == stage})
        facts.append(f)
    return facts, tables


def money(d):
    return fmt(d)


def budget_facts(rep, ctx, get, f):
    t1, t2, t3, t4, t5, t6, t7, t8, t10 = (get(k) for k in (1, 2, 3, 4, 5, 6, 7, 8, 10))
    # table 3: expenditure by function
    if t3:
        p3 = parse_coded(t3)
        verify_hierarchy(rep, ctx, t3, p3, 7)
        verify_row(rep, ctx, t3, p3, "total", ["basic", "project"])
        f["expenditure_by_function"] = {
            c: {"basic": money(v.get("basic", D0)), "project": money(v.get("project", D0))}
            for c, n, v in leaves(p3, 7)
        }
        f["expenditure_total"] = money(p3["total"][0]["total"]) if p3["total"] else None
    # table 6: basic expenditure by economic class
    if t6:
        p6 = parse_coded(t6, econ=True)
        verify_hierarchy(rep, ctx, t6, p6, 5)
        verify_row(rep, ctx, t6, p6, "total", ["personnel", "public"])
        g = {}
        for c, n, v in leaves(p6, 5):
            for k in ("personnel", "public"):
                if v.get(k, D0) != 0:
                    g[f"{c}/{k}"] = money(v[k])
        f["gpb_basic_by_economic"] = g
    # table 2: revenue by source (its 合计 row)
    if t2:
        p2 = parse_coded(t2)
        verify_hierarchy(rep, ctx, t2, p2, 7)
        srcs = [k for k in p2["cols"] if k not in ("total", "carryover")]
        verify_row(rep, ctx, t2, p2, "total", srcs + (["carryover"] if "carryover" in p2["cols"] else []))
        tot = p2["total"][0] if p2["total"] else {}
        rev = {}
        for k in srcs:
            key = "operating" if k == "operating_income" else k
            if tot.get(k, D0) != 0:
                rev[key] = money(tot[k])
        f["revenue_by_source"] = rev
        f["carryover"] = money(tot.get("carryover", D0))
    # table 5: general-budget expenditure by function
    if t5:
        p5 = parse_coded(t5)
        verify_hierarchy(rep, ctx, t5, p5, 7)
        verify_row(rep, ctx, t5, p5, "total", ["basic", "project"])
        if "personnel" in p5["cols"]:
            verify_row(rep, ctx, t5, p5, "basic", ["personnel", "public"])
        f["gpb_expenditure_by_function"] = {
            c: {k: money(v[k]) for k in ("personnel", "public", "basic", "project") if k in v}
            for c, n, v in leaves(p5, 7)
        }
    for key, t in (("gov_fund_expenditure_by_function", t8), ("state_capital_expenditure_by_function", t10)):
        if t:
            p = parse_coded(t)
            verify_hierarchy(rep, ctx, t, p, 7)
            verify_row(rep, ctx, t, p, "total", ["basic", "project"])
            f[key] = {c: {k: money(v[k]) for k in ("basic", "project") if k in v} for c, n, v in leaves(p, 7)}
    if t7:
        f["three_public"], f["office_operation"] = three_public_budget(rep, ctx, t7)
    if t1:
        budget_t1(rep, ctx, t1, f)
    if t4:
        budget_t4(rep, ctx, t4, f)
    # cross-table identities
    if t1 and t3 and f.get("expenditure_total") is not None and "t1_expend_total" in f:
        rep.check(ctx, "表1/表3", "支出总计 (表1) = 合计 (表3)", Decimal(f["t1_expend_total"]),
                  [Decimal(f["expenditure_total"])], max(t1.h([]), t3.h([])))
    if t5 and t6:
        p5 = parse_coded(t5)
        p6 = parse_coded(t6, econ=True)
        if p5["total"] and p6["total"]:
            rep.check(ctx, "表5/表6", "基本支出 合计 (表5) = 合计 (表6)", p5["total"][0]["basic"],
                      [p6["total"][0]["total"]], max(t5.h(p5["cells"]), t6.h(p6["cells"])))
    if t4 and t5 and "t4_gpb_total" in f:
        p5 = parse_coded(t5)
        if p5["total"]:
            rep.check(ctx, "表4/表5", "支出总计 一般公共预算 (表4) = 合计 (表5)", f["t4_gpb_total"],
                      [p5["total"][0]["total"]], max(t4.h([]), t5.h(p5["cells"])))
    if t1 and t2 and "t1_income_total" in f and t2:
        p2 = parse_coded(t2)
        if p2["total"]:
            rep.check(ctx, "表1/表2", "收入总计 (表1) = 合计 (表2)", f["t1_income_total"],
                      [p2["total"][0]["total"]], max(t1.h([]), t2.h(p2["cells"])))
    for k in ("t1_expend_total", "t4_gpb_total", "t1_income_total"):
        f.pop(k, None)
    f["projects"] = []


def three_public_budget(rep, ctx, t):
    rows = t.rows

    def is_data(r):
        return any(r) and all(amount(c) is not None for c in r if c) and not r[0].startswith("注")

    header, first = header_split(rows, is_data)
    labels = [norm(x) for x, g in leaf_labels(header)]
    data = rows[first]
    cells = dict(zip(labels, data))

    def get(*names):
        for n in names:
            for lab, c in cells.items():
                if lab == n:
                    return t.yuan(c, first + 1), c
        return D0, ""

    total, c0 = get("合计")
    outb, c1 = get("因公出国(境)费", "因公出国(境)费用")
    recep, c2 = get("公务接待费")
    sub, c3 = get("小计")
    buy, c4 = get("购置费", "公务用车购置费")
    run, c5 = get("运行费", "运行维护费", "公务用车运行费", "公务用车运行维护费")
    office = None
    for lab, c in cells.items():
        if "机关运行经费" in lab:
            office = t.yuan(c, first + 1)
    h = t.h([c0, c1, c2, c3, c4, c5])
    rep.check(ctx, t.name, "三公 合计 = 因公出国(境) + 公务接待 + 公务用车小计", total, [outb, recep, sub], h)
    rep.check(ctx, t.name, "公务用车 小计 = 购置费 + 运行费", sub, [buy, run], h)
    tp = {"outbound": money(outb), "vehicle_purchase": money(buy), "vehicle_operation": money(run),
          "reception": money(recep)}
    return tp, (money(office) if office is not None else None)


def budget_t1(rep, ctx, t, f):
    p = parse_two_sided(t)
    h = p["h"]
    left = p["left"]
    main = [(n, v) for n, v, l in left if re.match(CN_NUM, n)]
    sub = [(n, v) for n, v, l in left if re.match(r"^\d+[.、．]", n)]
    tot_l = [v for n, v, l in left if "总计" in n or n in ("收入合计",)]
    if tot_l:
        rep.check(ctx, t.name, "收入总计 = 一、… + 四、…", tot_l[0], [v for n, v in main], h)
        f["t1_income_total"] = tot_l[0]
    fin = [v for n, v in main if "财政拨款" in n]
    if fin and sub:
        rep.check(ctx, t.name, "一、财政拨款收入 = 1. + 2. + 3.", fin[0], [v for n, v in sub], h)
    right = p["right"]
    rmain = [(n, v) for n, v, l in right if re.match(CN_NUM, n)]
    rtot = [v for n, v, l in right if "总计" in n or n == "支出合计"]
    cols = sorted(right[0][1]) if right else []
    labels = p["labels"]
    if rtot:
        for j in cols:
            rep.check(ctx, t.name, f"支出总计 [{labels[j][0] or labels[j][1]}] = sum of 类 rows", rtot[0][j],
                      [v[j] for n, v in rmain], h)
        f["t1_expend_total"] = money(rtot[0][cols[0]])
        if tot_l:
            rep.check(ctx, t.name, "收入总计 = 支出总计", tot_l[0], [rtot[0][cols[0]]], h)
    if len(cols) > 1:  # unit template: 合计 = 人员经费 + 公用经费 + 项目支出
        for n, v, l in right:
            rep.check(ctx, t.name, f"{n} 合计 = 人员经费 + 公用经费 + 项目支出", v[cols[0]],
                      [v[j] for j in cols[1:]], h)


def budget_t4(rep, ctx, t, f):
    p = parse_two_sided(t)
    h = p["h"]
    left = p["left"]
    main = [(n, v) for n, v, l in left if re.match(CN_NUM, n)]
    tot_l = [v for n, v, l in left if "总计" in n]
    if tot_l:
        rep.check(ctx, t.name, "收入总计 = 一、+ 二、+ 三、", tot_l[0], [v for n, v in main], h)
    right = p["right"]
    cols = sorted(right[0][1]) if right else []
    rmain = [(n, v) for n, v, l in right if re.match(CN_NUM, n)]
    rtot = [v for n, v, l in right if "总计" in n]
    if rtot:
        for j in cols:
            rep.check(ctx, t.name, f"支出总计 [{p['labels'][j][0]}] = sum of 类 rows", rtot[0][j],
                      [v[j] for n, v in rmain], h)
        if len(cols) > 1:
            f["t4_gpb_total"] = rtot[0][cols[1]]
        if tot_l:
            rep.check(ctx, t.name, "收入总计 = 支出总计", tot_l[0], [rtot[0][cols[0]]], h)
    for n, v, l in right:
        rep.check(ctx, t.name, f"{n} 合计 = 一般公共预算 + 政府性基金 + 国有资本经营", v[cols[0]],
                  [v[j] for j in cols[1:]], h)


# ---------------------------------------------------------------- final


def final_facts(rep, ctx, get, f):
    t1, t2, t3, t4, t5, t6, t7, t8, t10 = (get(k) for k in (1, 2, 3, 4, 5, 6, 7, 8, 10))
    if t3:
        p3 = parse_coded(t3)
        verify_hierarchy(rep, ctx, t3, p3, 7)
        parts = ["basic", "project", "remit_to_superior", "operating", "subsidy_to_subordinate"]
        verify_row(rep, ctx, t3, p3, "total", parts)
        f["final_expenditure_by_function"] = {
            c: {k: money(v.get(k, D0)) for k in ["total"] + parts} for c, n, v in leaves(p3, 7)
        }
    if t5:
        p5 = parse_coded(t5)
        verify_hierarchy(rep, ctx, t5, p5, 7)
        verify_row(rep, ctx, t5, p5, "total", ["basic", "project"])
        f["final_gpb_expenditure_by_function"] = {
            c: {k: money(v.get(k, D0)) for k in ("total", "basic", "project")} for c, n, v in leaves(p5, 7)
        }
    if t2:
        p2 = parse_coded(t2)
        verify_hierarchy(rep, ctx, t2, p2, 7)
        srcs = [k for k in p2["cols"] if k != "total"]
        verify_row(rep, ctx, t2, p2, "total", srcs)
        tot = p2["total"][0] if p2["total"] else {}
        f["final_revenue_by_source_t2"] = {
            ("operating" if k == "operating_income" else k): money(tot[k]) for k in srcs if tot.get(k, D0) != 0
        }
    if t6:
        final_t6(rep, ctx, t6, f)
    if t7:
        final_t7(rep, ctx, t7, f)
    for key, t in (("gov_fund_final_by_function", t8), ("state_capital_final_by_function", t10)):
        if t:
            p = parse_coded(t)
            verify_hierarchy(rep, ctx, t, p, 7)
            verify_row(rep, ctx, t, p, "expend_total", ["basic", "project"])
            items = list(p["rows"]) + ([("合计", "", p["total"][0], p["total"][1])] if p["total"] else [])
            for code, name, v, line in items:
                if {"carryover_begin", "income", "expend_total", "carryover_end"} <= set(v):
                    rep.check(ctx, t.name, f"{code} {name} 年初结转和结余 + 本年收入 = 本年支出 + 年末结转和结余",
                              v["carryover_begin"] + v["income"], [v["expend_total"], v["carryover_end"]],
                              t.h(p["cells"]))
            f[key] = {c: {k: money(v.get(k, D0)) for k in ("carryover_begin", "income", "expend_total", "basic",
                                                               "project", "carryover_end") if k in p["cols"]}
                      for c, n, v in leaves(p, 7)}
    if t1:
        final_t1(rep, ctx, t1, f)
    if t4:
        final_t4(rep, ctx, t4, f)
    # cross-table totals (FINAL_ACCOUNTS research note X1-X3)
    if t1 and "final_expenditure_total" in f:
        if t3:
            p3 = parse_coded(t3)
            if p3["total"] and "total" in p3["total"][0]:
                rep.check(ctx, "表1/表3", "X2 本年支出合计 (表1) = 合计 (表3)", Decimal(f["final_expenditure_total"]),
                          [p3["total"][0]["total"]], max(t1.h([]), t3.h(p3["cells"])))
        if t2 and "_t1_income" in f:
            p2 = parse_coded(t2)
            if p2["total"] and "total" in p2["total"][0]:
                rep.check(ctx, "表1/表2", "X1 本年收入合计 (表1) = 合计 (表2)", f["_t1_income"],
                          [p2["total"][0]["total"]], max(t1.h([]), t2.h(p2["cells"])))
    if t4 and t5 and "_t4_gpb_exp" in f:
        p5 = parse_coded(t5)
        if p5["total"]:
            rep.check(ctx, "表4/表5", "X3 本年支出合计 一般公共预算 (表4) = 合计 (表5)", f["_t4_gpb_exp"],
                      [p5["total"][0]["total"]], max(t4.h([]), t5.h(p5["cells"])))
    f.pop("_t1_income", None)
    f.pop("_t4_gpb_exp", None)
    # cross-table: T5 basic total = T6 人员经费合计 + 公用经费合计 (X4)
    if t5 and t6 and "_t6_totals" in f:
        p5 = parse_coded(t5)
        if p5["total"]:
            a, b = f["_t6_totals"]
            rep.check(ctx, "表5/表6", "基本支出 合计 (表5) = 人员经费合计 + 公用经费合计 (表6)",
                      p5["total"][0]["basic"], [a, b], t5.h(p5["cells"]))
    f.pop("_t6_totals", None)


FINAL_T1_SOURCES = [
    (r"一般公共预算财政拨款收入", "general_budget"),
    (r"政府性基金预算财政拨款收入", "gov_fund"),
    (r"国有资本经营预算财政拨款收入", "state_capital"),
    (r"^[一二三四五六七八九十]+、财政拨款收入", "fiscal_appropriation"),
    (r"上级补助收入", "superior_subsidy"),
    (r"事业收入", "business"),
    (r"经营收入", "operating"),
    (r"附属单位上缴收入", "subordinate_remit"),
    (r"其他收入", "other"),
]


def final_t1(rep, ctx, t, f):
    p = parse_two_sided(t)
    h = p["h"]
    left = {n: v for n, v, l in p["left"]}
    src = {}
    for n, v, l in p["left"]:
        if re.match(CN_NUM, n):
            for pat, key in FINAL_T1_SOURCES:
                if re.search(pat, n):
                    src[key] = v
                    break
    def pick(d, pat):
        for n, v in d.items():
            if re.search(pat, n):
                return v
        return None
    inc = pick(left, r"^本年收入合计")
    used = pick(left, r"^使用非财政拨款结余") or D0
    begin = pick(left, r"^年初结转和结余") or D0
    tot_in = pick(left, r"^总计")
    right = {n: v[min(v)] for n, v, l in p["right"]}
    rclasses = [v[min(v)] for n, v, l in p["right"] if re.match(CN_NUM, n)]
    exp = pick(right, r"^本年支出合计")
    dist = pick(right, r"^结余分配") or D0
    end = pick(right, r"^年末结转和结余") or D0
    tot_out = pick(right, r"^总计")
    rep.check(ctx, t.name, "F1.1 本年收入合计 = sum of income rows", inc, list(src.values()), h)
    rep.check(ctx, t.name, "F1.2 本年支出合计 = sum of 类 rows", exp, rclasses, h)
    rep.check(ctx, t.name, "F1.3 总计 (收入) = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余", tot_in,
              [inc, used, begin], h)
    rep.check(ctx, t.name, "F1.4 总计 (支出) = 本年支出合计 + 结余分配 + 年末结转和结余", tot_out, [exp, dist, end], h)
    rep.check(ctx, t.name, "F1.5 总计 (收入) = 总计 (支出)", tot_in, [tot_out], h)
    rev = {k: money(v) for k, v in src.items() if v != 0}
    if begin:
        rev["carryover_begin"] = money(begin)
    if used:
        rev["non_fiscal_surplus_used"] = money(used)
    f["final_revenue_by_source"] = rev
    f.setdefault("carryover_by_department", {})["all"] = {"beginning_amount": money(begin), "ending_amount": money(end)}
    f["final_expenditure_total"] = money(exp)
    f["_t1_income"] = inc


def final_t4(rep, ctx, t, f):
    p = parse_two_sided(t)
    h = p["h"]
    labels = p["labels"]
    # left side: the first three 一、二、三 rows are this year's income, the
    # three after 年初财政拨款结转和结余 are the carryover by fund
    income, begin_parts, begin_total, inc_total, tot_in = [], [], None, None, None
    mode = "income"
    for n, v, l in p["left"]:
        if n.startswith("本年收入合计"):
            inc_total = v
        elif n.startswith("年初财政拨款结转和结余"):
            begin_total = v
            mode = "begin"
        elif n.startswith("总计"):
            tot_in = v
        elif re.match(CN_NUM, n):
            (income if mode == "income" else begin_parts).append((n, v))
    cols = sorted(p["right"][0][1]) if p["right"] else []
    right = [(n, v) for n, v, l in p["right"]]
    rclasses = [v for n, v in right if re.match(CN_NUM, n)]
    exp = next((v for n, v in right if n.startswith("本年支出合计")), None)
    end = next((v for n, v in right if n.startswith("年末财政拨款结转和结余")), None)
    tot_out = next((v for n, v in right if n.startswith("总计")), None)
    rep.check(ctx, t.name, "F4.2 本年收入合计 = 一、+ 二、+ 三、", inc_total, [v for n, v in income], h)
    if begin_parts:
        rep.check(ctx, t.name, "F4.3 年初财政拨款结转和结余 = its three lines", begin_total or D0,
                  [v for n, v in begin_parts], h)
    for j in cols:
        rep.check(ctx, t.name, f"本年支出合计 [{labels[j][0]}] = sum of 类 rows", exp[j], [v[j] for v in rclasses], h)
    for n, v in right:
        rep.check(ctx, t.name, f"F4.1 {n} 合计 = 一般公共预算 + 政府性基金 + 国有资本经营", v[cols[0]],
                  [v[j] for j in cols[1:]], h)
    if len(cols) > 1:
        f["_t4_gpb_exp"] = exp[cols[1]]
    endv = end[cols[0]] if end else D0
    rep.check(ctx, t.name, "F4.4 总计 (收入) = 本年收入合计 + 年初财政拨款结转和结余", tot_in,
              [inc_total, begin_total or D0], h)
    rep.check(ctx, t.name, "F4.4 总计 (支出) = 本年支出合计 + 年末财政拨款结转和结余", tot_out[cols[0]],
              [exp[cols[0]], endv], h)
    cb = f.setdefault("carryover_by_department", {})
    for (pat, key), j in zip([("一般公共预算", "general_budget"), ("政府性基金", "gov_fund"),
                              ("国有资本经营", "state_capital")], cols[1:]):
        b = next((v for n, v in begin_parts if pat in n), D0)
        e = end[j] if end else D0
        inc_f = next((v for n, v in income if pat in n), D0)
        rep.check(ctx, t.name, f"F4.4 {key}: 年初 + 收入 = 支出 + 年末", b + inc_f, [exp[j], e], h)
        if b or e:
            cb[key] = {"beginning_amount": money(b), "ending_amount": money(e)}


def final_t6(rep, ctx, t, f):
    """Two (code, name, 决算数) blocks side by side, 人员经费合计 / 公用经费合计
    as the last row. Codes may be joined (30101) or split (类|款)."""
    rows = t.rows
    header_end = None
    for i, r in enumerate(rows):
        if any(is_code(norm(c), (3, 5)) for c in r):
            header_end = i
            break
    header = rows[:header_end]
    # find the blocks: the columns holding 决算数, and code columns left of them
    amt_cols = [j for j, (leaf, g) in enumerate(leaf_labels(header)) if leaf == "决算数"]
    blocks = []
    prev = -1
    for j in amt_cols:
        span = list(range(prev + 1, j))
        blocks.append((span, j))
        prev = j
    items = {}
    cells = []
    per, pub = None, None
    for i in range(header_end, len(rows)):
        r = rows[i]
        if not any(r) or norm(r[0]).startswith(("注", "说明")):
            continue
        for span, j in blocks:
            texts = [norm(r[k]) if k < len(r) else "" for k in span]
            digits = [x for x in texts if x.isdigit()]
            names = [x for x in texts if x and not x.isdigit()]
            cell = r[j] if j < len(r) else ""
            if names and names[0] == "人员经费合计":
                per = t.yuan(cell, i + 1)
                cells.append(cell)
                continue
            if names and names[0] == "公用经费合计":
                pub = t.yuan(cell, i + 1)
                cells.append(cell)
                continue
            if not digits:
                continue
            code = "".join(digits)
            cells.append(cell)
            items[code] = (names[0] if names else "", t.yuan(cell, i + 1), i + 1)
    h = t.h(cells)
    classes = [c for c in items if len(c) == 3]
    for c in classes:
        kids = [items[k][1] for k in items if len(k) == 5 and k.startswith(c)]
        rep.check(ctx, t.name, f"{c} {items[c][0]} = sum of its 款", items[c][1], kids, h)
    personnel = [items[c][1] for c in classes if c in ("301", "303")]
    public = [items[c][1] for c in classes if c not in ("301", "303")]
    if per is not None:
        rep.check(ctx, t.name, "人员经费合计 = 301 + 303", per, personnel, h)
    if pub is not None:
        rep.check(ctx, t.name, "公用经费合计 = 302 + 310 (+ other classes)", pub, public, h)
    f["final_basic_expenditure_by_economic"] = {
        c: {"personnel": money(v if c[:3] in ("301", "303") else D0),
            "public": money(D0 if c[:3] in ("301", "303") else v)}
        for c, (n, v, l) in items.items() if len(c) == 5 and v != 0
    }
    f["_t6_totals"] = (per or D0, pub or D0)


def final_t7(rep, ctx, t, f):
    rows = t.rows

    # the data row is the row after the 预算数/决算数 header row; it may be
    # printed with every cell empty (a department without 三公 spending)
    lab = next(i for i, r in enumerate(rows) if "预算数" in [norm(c) for c in r])
    header, _ = header_split(rows[: lab + 1], lambda r: False)
    first = lab + 1
    if first >= len(rows) or norm(rows[first][0] if rows[first] else "").startswith(("注", "说明")):
        rows = rows[:first] + [[""] * len(rows[lab])] + rows[first:]
    width = max(len(r) for r in header)
    # a merged header cell exports as blanks to its right: carry each label
    # to the right, but never past the span of the cell above it
    filled = []
    bounds = {0}
    for r in header:
        r = [norm(c) for c in r] + [""] * (width - len(r))
        out = []
        for j in range(width):
            b = max(x for x in bounds if x <= j)
            lab = ""
            for i in range(j, b - 1, -1):
                if r[i]:
                    lab = r[i]
                    break
            out.append(lab)
        bounds |= {j for j in range(width) if r[j]}
        filled.append(out)
    data = rows[first] + [""] * width
    h = t.h(data)
    cats = {}
    for j in range(width):
        path = [filled[k][j] for k in range(len(filled))]
        leaf = path[-1]
        if leaf not in ("预算数", "决算数"):
            continue
        what = "budget_in_final" if leaf == "预算数" else "final"
        above = [x for x in path[:-1] if x]
        lab = above[-1] if above else ""
        if "购置及运行" in lab or lab == "小计":
            cat = "vehicle_total"
        elif "购置" in lab:
            cat = "vehicle_purchase"
        elif "运行" in lab:
            cat = "vehicle_operation"
        elif "出国" in lab:
            cat = "outbound"
        elif "接待" in lab:
            cat = "reception"
        elif lab == "合计":
            cat = "total"
        else:
            raise SystemExit(f"{t.path}: 三公 column {'/'.join(path)!r} not understood")
        cats.setdefault(cat, {})[what] = t.yuan(data[j], first + 1)
    for what in ("budget_in_final", "final"):
        g = lambda c: cats.get(c, {}).get(what, D0)  # noqa: E731
        rep.check(ctx, t.name, f"三公 {what}: 合计 = 因公出国(境) + 公务用车小计 + 公务接待", g("total"),
                  [g("outbound"), g("vehicle_total"), g("reception")], h)
        rep.check(ctx, t.name, f"三公 {what}: 公务用车小计 = 购置 + 运行维护", g("vehicle_total"),
                  [g("vehicle_purchase"), g("vehicle_operation")], h)
    f["three_public_final"] = {
        c: {w: money(cats.get(c, {}).get(w, D0)) for w in ("budget_in_final", "final")}
        for c in ("outbound", "vehicle_purchase", "vehicle_operation", "reception", "total")
    }


# ------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(REPO, "tests", "data", "real"))
    ap.add_argument("--quiet", action="store_true", help="print true defects only")
    a = ap.parse_args()
    rep = Report(a.quiet)
    meta = {}
    mpath = os.path.join(a.root, "departments.json")
    if os.path.exists(mpath):
        meta = json.load(open(mpath, encoding="utf-8"))
    out = []
    bad = []
    for year in sorted(os.listdir(a.root)):
        ydir = os.path.join(a.root, year)
        if not (year.isdigit() and os.path.isdir(ydir)):
            continue
        for dept in sorted(os.listdir(ydir)):
            facts, tables = load_dept(os.path.join(ydir, dept), int(year), dept, rep)
            m = meta.get(f"{year}/{dept}", {})
            for f in facts:
                f["dept_name"] = m.get("dept_name")
                f["publication_scope"] = m.get("publication_scope")
                f["region"] = m.get("region")
                f["dir"] = f"{year}/{dept}"
                out.append(dict(sorted(f.items(), key=lambda kv: KEY_ORDER.get(kv[0], 99))))
            for t in tables:
                for line, cell in t.bad_cells:
                    bad.append({"path": os.path.relpath(t.path, a.root), "line": line, "cell": cell})
    with open(os.path.join(a.root, "expected.json"), "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    with open(os.path.join(a.root, "expected_checks.json"), "w", encoding="utf-8") as fh:
        json.dump(rep.defects, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(
        f"\n{len(out)} submissions; identities: {rep.exact} exact, {rep.rounding} within rounding, "
        f"{len(rep.defects)} true defects of the source (expected_checks.json)"
    )
    if bad:
        print("cells that are not amounts (candidates for expected_rejects.json):")
        for b in bad:
            print("  ", b)


KEY_ORDER = {k: i for i, k in enumerate([
    "fiscal_year", "dept_code", "dept_name", "region", "stage", "publication_scope", "dir",
    "expenditure_by_function", "gpb_basic_by_economic", "revenue_by_source", "carryover", "three_public",
    "office_operation", "projects", "gpb_expenditure_by_function", "gov_fund_expenditure_by_function",
    "state_capital_expenditure_by_function", "expenditure_total",
    "final_expenditure_by_function", "final_gpb_expenditure_by_function", "final_basic_expenditure_by_economic",
    "final_revenue_by_source", "final_revenue_by_source_t2", "carryover_by_department", "three_public_final",
    "gov_fund_final_by_function", "state_capital_final_by_function", "final_expenditure_total",
    "files", "encodings"])}


if __name__ == "__main__":
    main()
