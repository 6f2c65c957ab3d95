#!/usr/bin/env python3
"""Check a generated submission set on its own terms, from the files.

    check_generated.py DIR [--require-coverage] [--no-expected] [--quiet]
    check_generated.py --self-test [DIR]

Re-reads every DIR/<year>/<dept>/*.csv[.gz] the way the pipeline must
(gunzip, BOM / UTF-8 / GB18030; an optional 表N / 附表N / 公开0N表 line; the
title, whose meaning gives the table kind, the stage (决算 final, 调整预算
adjusted, else budget) and the publication scope (单位 / 预算单位: unit);
`YYYY年` or `YYYY年度` or no year at all (the folder gives it); a meta line
with the department and the unit, which an empty fund table may lack; one to
five header rows with merged cells, a 栏次 row and a 行次 column; note lines
after the data; every code layout, a 合计 label in the code column, 款/项
cells whose leading zeros the spreadsheet dropped), then verifies

  - every printed code exists with its official name (tests/gen/codes.py);
  - budget tables: 类/款 subtotal rows and the 合计 row = sum of their
    leaves, 合计 = 基本 + 项目, 基本 = 人员 + 公用, table 2 合计 = 小计 +
    上年结转结余 and 小计 = the fund columns, table 7; across tables: table 1
    = table 2 by source and table 3 by 类, tables 2 = 3 per 项, table 2 fund
    columns = tables 5 / 8 / 10, table 4 = 5 + 8 + 10, table 6 = table 5
    basic, table 9 = table 5 项目支出 and each cost indicator its amount;
  - final accounts (决算): every identity of the research note §2.1
    (F1.1-F9.1) and §2.2 (X1-X8), the inequalities of X7 included;
  - round_cell submissions (expected/dialects.csv): a figure may be off its
    identity by k x 50 yuan (k = the non-blank figures in it), as the loader
    allows; every other submission must be exact;
  - the year in the title equals the folder, the name in the meta line equals
    departments.csv, expected/files.csv agrees with what was read (kind,
    encoding, compression, unit or none, header rows, records, stage, scope);
  - DIR/expected/<view>.csv equals the views recomputed from the tables,
    byte for byte (the cross-stage views and the rollups through views.py),
    and expected/code_repaired.csv the repaired split codes;
  - with --require-coverage: every dialect option occurs in dialects.csv and
    the files show every class the options stand for (a 合计 label read in a
    code column, a non-zero rounding gap, repaired codes, a unit left out of
    the rollups and one counted, a 项 added mid-year and one not executed,
    三公 over budget, 决算 without a budget and a budget without a 决算, the
    carryover of the year before, 调整预算 tables, skipped extras ...).

--self-test reads tests/gen/selftest/ (a copy of shared/examples/2023/109001,
the budget, and shared/examples-final/2023/109001, its 决算, with truth.json)
or DIR laid out the same, and checks that the views computed here reproduce
every figure, rate and flag of truth.json.

Exits 0 when everything holds, 1 otherwise, printing one line per problem
(at most 50 per kind).  With --no-expected it checks only the tables (e.g.
samples/, where 109001's income 748.03 ≠ spending 648.03 is reported).
"""

import argparse
import csv
import gzip
import io
import json
import os
import re
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import codes  # noqa: E402
import views  # noqa: E402
from codes import FUNCTION, ECON  # noqa: E402

META_PREFIXES = ("部门：", "单位名称：", "编制单位：", "部门名称：", "编制部门：")
UNIT_RE = re.compile(r"^(?:金额)?单位[：:](万元|元)$")
NUMLINE_RE = re.compile(r"^(?:附?表\d+|公开\d+表)$")
NOTE_RE = re.compile(r"^(?:注|说明)[：:]")
GROUP_LABELS = {"功能分类科目", "经济分类科目", "预算数", "“三公”经费", "绩效指标", "项目", "财政拨款“三公”经费",
                "本年支出", "支出功能分类", "经济分类"}
CODE_HDR = {"科目编码", "功能分类科目编码", "科目代码", "经济分类科目编码", "支出功能分类科目编码"}
NAME_HDR = {"科目名称", "经济分类科目名称"}
FUND_BY_NAME = {n: k for k, n in codes.FUND_SOURCES}
FUND_BY_NAME["财政拨款收入"] = "fiscal_appropriation"
FINAL_FUND = {"财政拨款收入": "fiscal_appropriation", "上级补助收入": "superior_subsidy", "事业收入": "business",
              "经营收入": "operating", "附属单位上缴收入": "subordinate_remit", "其他收入": "other"}
AMOUNT_HDR = {
    "合计": "total", "总计": "total", "基本支出": "basic", "项目支出": "project",
    "人员经费": "personnel", "人员支出": "personnel", "公用经费": "public", "公用支出": "public",
    "上年结转结余": "carryover", "本年收入小计": "income_subtotal",
    "上缴上级支出": "upper_remit", "事业单位经营支出": "business_op", "对附属单位补助支出": "subsidiary",
    "经营支出": "business_op",
    "因公出国（境）费": "outbound", "公务用车购置费": "vehicle_purchase",
    "公务用车运行费": "vehicle_operation", "公务用车运行维护费": "vehicle_operation",
    "公务接待费": "reception", "机关运行经费": "admin",
    "公务用车购置及运行费": "vehicle_total", "公务用车购置及运行维护费": "vehicle_total",
    "本年收入合计": "total", "本年支出合计": "total", "年初结转和结余": "begin", "本年收入": "income",
    "年末结转和结余": "end",
}
HEADER_WORDS = (set(AMOUNT_HDR) | set(FUND_BY_NAME) | set(FINAL_FUND) | CODE_HDR | NAME_HDR | GROUP_LABELS |
                {"类", "款", "项", "小计", "收入", "支出", "预算数", "决算数", "行次", "科目编码",
                 "项目名称", "主管部门", "资金总额", "年度绩效目标", "一级指标", "二级指标", "三级指标",
                 "指标值", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款", "金额"})
FW = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
NAME_INDEX_E = {(codes.econ_parent(c), n): c for c, n in ECON.items()}
_name_index_f = {}
H = 5000  # half a unit of 0.01 万元, in fen
TEMPLATE_CLASSES = {n: c for c, n in [
    ("201", "一般公共服务支出"), ("202", "外交支出"), ("203", "国防支出"), ("204", "公共安全支出"),
    ("205", "教育支出"), ("206", "科学技术支出"), ("207", "文化旅游体育与传媒支出"), ("208", "社会保障和就业支出"),
    ("210", "卫生健康支出"), ("211", "节能环保支出"), ("212", "城乡社区支出"), ("213", "农林水支出"),
    ("214", "交通运输支出"), ("215", "资源勘探工业信息等支出"), ("216", "商业服务业等支出"), ("217", "金融支出"),
    ("219", "援助其他地区支出"), ("220", "自然资源海洋气象等支出"), ("221", "住房保障支出"),
    ("222", "粮油物资储备支出"), ("223", "国有资本经营预算支出"), ("224", "灾害防治及应急管理支出"),
    ("229", "其他支出"), ("234", "抗疫特别国债安排的支出")]}


def name_index_f(year):
    """(parent, name) -> function code, with the names of year's edition."""
    if year not in _name_index_f:
        _name_index_f[year] = {(codes.parent(c), codes.fname(c, year)): c for c in FUNCTION}
    return _name_index_f[year]


def classify_title(title):
    """(kind | 'extra' | None, stage, scope) of a title, by meaning (FINAL_ACCOUNTS.md)."""
    t = re.sub(r"\s", "", title)
    stage = "final" if "决算" in t else ("adjusted" if ("调整预算" in t or "预算调整" in t) else "budget")
    scope = "unit" if "单位" in t else "department"
    t = t.replace("调整预算", "").replace("预算调整", "")
    if "政府性基金" in t:
        kind = 8
    elif "国有资本经营" in t:
        kind = 10
    elif "三公" in t:
        kind = 7
    elif "基本支出" in t or "经济分类" in t:
        kind = 6
    elif any(w in t for w in ("项目支出决算", "明细", "国有资产", "绩效自评", "机关运行经费")):
        kind = "extra"
    elif "绩效目标" in t:
        kind = 9
    elif "一般公共预算" in t:
        kind = 5
    elif "财政拨款" in t and ("收支" in t or "收入支出" in t):
        kind = 4
    elif "收支" in t or "收入支出" in t:
        kind = 1
    elif "收入" in t:
        kind = 2
    elif "支出" in t:
        kind = 3
    else:
        kind = None
    return kind, stage, scope


class Problems:
    def __init__(self, quiet, silent=False):
        self.n = 0
        self.by_kind = {}
        self.quiet = quiet
        self.silent = silent

    def __call__(self, where, msg, kind="check"):
        self.n += 1
        k = self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        if self.silent:
            return
        if k <= 50:
            print("%s: %s" % (where, msg))
        elif k == 51:
            print("... more %s problems not shown" % kind)


class Bad(Exception):
    pass


class Ctx:
    """Per-submission state: rounding allowed, gaps seen, features observed."""

    def __init__(self, prob, rounding=False, features=None):
        self.prob = prob
        self.rounding = rounding
        self.gaps = 0
        self.features = features if features is not None else set()

    def eq(self, where, what, total, parts):
        """total = sum(parts), exactly, or (round_cell) within k x h."""
        gap = total - sum(parts)
        if gap == 0:
            return True
        k = sum(1 for x in [total] + list(parts) if x)
        if self.rounding and abs(gap) <= k * H:
            self.gaps += 1
            self.features.add("rounding_gap")
            return True
        self.prob(where, "%s: %s != %s (off by %s)" % (what, yuan(total), yuan(sum(parts)), yuan(gap)))
        return False

    def le(self, where, what, a, b):
        if a <= b or (self.rounding and a - b <= 2 * H):
            return True
        self.prob(where, "%s: %s > %s" % (what, yuan(a), yuan(b)))
        return False


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
    if wan is None:
        raise Bad("a figure %r in a table without a unit" % cell)
    d = Decimal(t) * (1000000 if wan else 100)
    if d != d.to_integral_value():
        raise Bad("not exact in fen: %r" % cell)
    return int(d)


def strip_name(cell):
    return cell.strip(" \u3000\t")


def norm_label(c):
    """A header cell as a header word: no spaces or line breaks; a year's
    预算数 heading (2023年机关运行经费预算数) as its word."""
    c = re.sub(r"\s", "", c)
    m = re.fullmatch(r"\d{4}年(.+?)预算数", c)
    if m:
        c = m.group(1)
        return "预算数" if c == "“三公”经费" else c
    return c


class Table:
    pass


def is_total_label(c):
    return strip_name(c) in ("合计", "总计")


def read_table(path, year_hint=None):
    text, enc, comp = read_bytes(path)
    recs = list(csv.reader(io.StringIO(text, newline="")))
    t = Table()
    t.path, t.enc, t.comp, t.records = path, enc, comp, len(recs)
    i = 0
    while i < len(recs) and recs[i] and NUMLINE_RE.fullmatch(recs[i][0].strip()) and \
            not any(c.strip() for c in recs[i][1:]):
        i += 1
    if i >= len(recs) or not recs[i]:
        raise Bad("no title row")
    title = recs[i][0].strip()
    m = re.fullmatch(r"(\d{4})年度?(.+)", title)
    t.year = int(m.group(1)) if m else year_hint
    t.title = m.group(2) if m else title
    t.kind, t.stage, t.scope = classify_title(t.title)
    if t.kind is None:
        raise Bad("title %r says no table kind" % t.title)
    i += 1
    t.dept_name = None
    t.unit = None
    if i < len(recs):
        cells = [c.strip() for c in recs[i] if c.strip()]
        if cells and all(UNIT_RE.match(c) or c.startswith(META_PREFIXES) for c in cells):
            for c in cells:
                for pre in META_PREFIXES:
                    if c.startswith(pre):
                        t.dept_name = c[len(pre):]
                mu = UNIT_RE.match(c)
                if mu:
                    t.unit = mu.group(1)
            i += 1
    t.wan = None if t.unit is None else t.unit == "万元"
    # Header rows: every non-empty cell a header word; a 栏次 row; a blank row
    # between header rows.  A row with 合计/总计 alone in its first cells is data.
    hdr = []
    while i < len(recs):
        raw = recs[i]
        cells = [norm_label(c) for c in raw if c.strip()]
        if cells and cells[0] == "栏次":
            hdr.append(raw)
        elif not cells and hdr and i + 1 < len(recs) and \
                [norm_label(c) for c in recs[i + 1] if c.strip()] and \
                all(norm_label(c) in HEADER_WORDS for c in recs[i + 1] if c.strip()):
            hdr.append(raw)
        elif cells and all(c in HEADER_WORDS for c in cells) and \
                not (len(cells) == 1 and is_total_label(cells[0])):
            hdr.append(raw)
        else:
            break
        i += 1
    if not hdr:
        raise Bad("no header rows")
    body = recs[i:]
    t.notes = [r for r in body if r and NOTE_RE.match(r[0].strip())]
    body = [r for r in body if not (r and NOTE_RE.match(r[0].strip()))]
    width = 0
    for r in hdr + body:
        for j, c in enumerate(r):
            if c.strip():
                width = max(width, j + 1)
    t.header_rows = len(hdr)
    t.hang = any(r and r[0].strip() == "栏次" for r in hdr)
    hdr_cells = [[norm_label(c) for c in (r + [""] * width)[:width]] for r in hdr if r and r[0].strip() != "栏次"]
    t.cols = column_paths(hdr_cells)
    t.body = [(r + [""] * width)[:width] for r in body]
    t.body_line = i + 1
    return t


def column_paths(hdr):
    """Label path of every column.  A merged cell exports as blanks to its
    right or below: a blank cell takes the label on its left when both
    columns have the same labels above (the same parent); otherwise a blank
    ends the column's path (merged downwards)."""
    width = len(hdr[0]) if hdr else 0
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


def meaning(path, kind, stage="budget"):
    """Map a column label path to a key, or ('code'/'name', ...) for a code/name column."""
    labels = [l for l in path if l not in GROUP_LABELS]
    if "行次" in path:
        return ("skip", None)
    if not labels:
        return ("?", "/".join(path))
    last = labels[-1]
    if any(l in CODE_HDR for l in labels) or last in ("类", "款", "项"):
        return ("code", last if last in ("类", "款", "项") else "code")
    if last in NAME_HDR:
        return ("name", None)
    parent = labels[-2] if len(labels) > 1 else None
    if stage == "final" and "本年支出" in path and last in ("小计", "合计") and kind in (8, 10):
        return ("amt", "spent")
    if last == "小计":
        if parent == "本年收入" or "本年收入" in path:
            return ("amt", "income_subtotal")
        if parent == "基本支出":
            return ("amt", "basic")
        if parent in ("公务用车购置及运行费", "公务用车购置及运行维护费"):
            return ("amt", "vehicle_total")
        return ("?", "/".join(path))
    if stage == "final" and last in FINAL_FUND:
        return ("amt", FINAL_FUND[last])
    if last in FUND_BY_NAME:
        return ("amt", FUND_BY_NAME[last])
    if last in AMOUNT_HDR:
        return ("amt", AMOUNT_HDR[last])
    return ("?", "/".join(path))


def classified(t, econ, ctx, repaired=None):
    """Parse a code-classified table: (leaves, total, empty) with amounts as
    dicts key -> fen; leaves keyed by code."""
    prob = ctx.prob
    where = t.path
    keys = []
    code_cols = {}
    name_col = None
    for j, p in enumerate(t.cols):
        if not p:
            keys.append(None)
            continue
        m = meaning(p, t.kind, t.stage)
        if m[0] == "code":
            code_cols.setdefault(m[1], []).append(j)
            keys.append(None)
        elif m[0] == "name":
            name_col = j
            keys.append(None)
        elif m[0] == "amt":
            keys.append(m[1])
        elif m[0] == "skip":
            keys.append(None)
        else:
            raise Bad("header not understood: %s" % m[1])
    if name_col is None:
        raise Bad("no name column")
    if len(code_cols.get("code", [])) > 1:
        for part, j in zip(("类", "款", "项"), code_cols.pop("code")):
            code_cols[part] = [j]
    code_cols = {k: v[0] for k, v in code_cols.items()}
    amt_cols = [(j, k) for j, k in enumerate(keys) if k]
    names = ECON if econ else FUNCTION
    index = NAME_INDEX_E if econ else name_index_f(t.year)
    leaf_len = 5 if econ else 7
    rows = []
    total = None
    cur = {1: "", 2: ""}
    empty = False
    for n, r in enumerate(t.body):
        line = t.body_line + n
        cell0 = strip_name(r[0])
        if cell0.startswith("本部门没有") or cell0 == "无":
            empty = True
            continue
        if not any(c.strip() for c in r):
            continue
        name = strip_name(r[name_col])
        code = None
        split = False
        if code_cols:
            if "code" in code_cols:
                code = r[code_cols["code"]].strip().replace(" ", "")
            else:
                split = True
                cells = [r[code_cols[k]].strip() for k in ("类", "款", "项") if k in code_cols]
                if cells and is_total_label(cells[0]) and not any(cells[1:]):
                    code = cells[0]
                else:
                    fixed = [cells[0]] + [c.zfill(2) if c else c for c in cells[1:]]
                    code = "".join(fixed)
                    if fixed != cells and code:
                        printed = list(cells)
                        while printed and not printed[-1]:
                            printed.pop()
                        if repaired is not None and t.stage == "budget":
                            repaired.append([str(t.year), t.dept, str(t.kind),
                                             "%s → %s" % ("|".join(printed), code)])
                        ctx.features.add("code_repaired")
        else:
            m = re.fullmatch(r"\[(\d+)\](.*)", name) or re.fullmatch(r"(\d+) (.*)", name)
            if m:
                code, name = m.group(1), m.group(2).strip()
        if code in ("合计", "总计") and not name:
            ctx.features.add("total_in_code_column")
            code, name = None, "合计"
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
    for code, a in subs.items():
        for k in akeys:
            ctx.eq(where, "subtotal %s %s" % (code, k), a[k], [v[k] for c, v in leaves.items() if c.startswith(code)])
    if not leaves and not subs and (total is None or not any(total.values())):
        empty = True
    if total is None and not empty:
        prob(where, "no 合计 row")
    if total is not None:
        for k in akeys:
            ctx.eq(where, "合计 %s" % k, total[k], [v[k] for v in leaves.values()])
    for code, a in list(leaves.items()) + list(subs.items()) + ([("合计", total)] if total else []):
        row_identities(t, code, a, ctx)
    if empty:
        ctx.features.add("empty_%s_%s" % (t.stage, t.kind))
    return leaves, total or {k: 0 for k in akeys}, empty


def row_identities(t, code, a, ctx):
    w = "%s: row %s" % (t.path, code)
    g = a.get
    if "total" in a and "basic" in a and "project" in a:
        ctx.eq(w, "合计 = 基本 + 项目 (+ other types)", a["total"],
               [a["basic"], a["project"], g("upper_remit", 0), g("business_op", 0), g("subsidiary", 0)])
    if "personnel" in a and "public" in a:
        base = a["basic"] if "basic" in a else a.get("total")
        ctx.eq(w, "基本 = 人员 + 公用", base, [a["personnel"], a["public"]])
    if "income_subtotal" in a:
        ctx.eq(w, "小计 = fund columns", a["income_subtotal"], [v for k, v in a.items() if k in FUND_KEYS])
        ctx.eq(w, "合计 = 小计 + 上年结转结余", a["total"], [a["income_subtotal"], g("carryover", 0)])
    if t.stage == "final" and t.kind == 2:
        ctx.eq(w, "F2.1 本年收入合计 = sources", a["total"], [v for k, v in a.items() if k != "total"])
    if "spent" in a and "begin" in a:
        ctx.eq(w, "F8.1 年初 + 本年收入 = 本年支出 + 年末", a["begin"] + a["income"], [a["spent"], a["end"]])
    if "spent" in a and "basic" in a:
        ctx.eq(w, "F8.1 本年支出 = 基本 + 项目", a["spent"], [a["basic"], a["project"]])


FUND_KEYS = set(FUND_BY_NAME.values())


def fmt(a):
    return "{" + ", ".join("%s=%s" % (k, yuan(v)) for k, v in a.items()) + "}"


def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


def class_of(label, year):
    label = re.sub(r"^[一二三四五六七八九十]+、", "", label)
    cls = [c for c in FUNCTION if len(c) == 3 and codes.fname(c, year) == label]
    return cls[0] if cls else TEMPLATE_CLASSES.get(label)


def two_sided(t, ctx):
    """Budget tables 1 and 4: income label -> amount, expense 类 -> amount, totals."""
    prob = ctx.prob
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
                c = class_of(label, t.year)
                if not c:
                    prob("%s:%d" % (t.path, line), "unknown 类 %r" % label)
                else:
                    exp[c] = v
    w = t.path
    g = tot.get
    ctx.eq(w, "本年收入合计 = income rows", g("本年收入合计", 0), list(inc.values()))
    ctx.eq(w, "收入总计 = 本年收入合计 + 上年结转结余", g("收入总计", 0), [g("本年收入合计", 0), g("上年结转结余", 0)])
    ctx.eq(w, "本年支出合计 = 类 rows", g("本年支出合计", 0), list(exp.values()))
    ctx.eq(w, "支出总计 = 本年支出合计 + 结转下年", g("支出总计", 0), [g("本年支出合计", 0), g("结转下年", 0)])
    ctx.eq(w, "收入总计 = 支出总计", g("收入总计", 0), [g("支出总计", 0)])
    return inc, exp, tot


def table7(t, ctx):
    keys = []
    for p in t.cols:
        m = meaning(p, 7) if p else ("?", "")
        if m[0] != "amt":
            raise Bad("table 7 header not understood: %s" % "/".join(p))
        keys.append(m[1])
    rows = [r for r in t.body if any(c.strip() for c in r)] or [[""] * len(keys)]
    if len(rows) != 1:
        raise Bad("table 7 has %d data rows" % len(rows))
    a = {k: parse_amount(rows[0][j], t.wan) for j, k in enumerate(keys)}
    ctx.eq(t.path, "公务用车 小计 = 购置费 + 运行费", a["vehicle_total"], [a["vehicle_purchase"], a["vehicle_operation"]])
    ctx.eq(t.path, "合计 = 三公", a["total"], [a["outbound"], a["vehicle_total"], a["reception"]])
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


def table9(t, ctx):
    prob = ctx.prob
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


# --------------------------------------------------------------------------
# Final accounts (决算)

def label_columns(t):
    """Two-sided 决算 tables: the 项目 (label) columns and the amount columns
    that follow each, by header (行次 columns skipped)."""
    sides = []
    for j, p in enumerate(t.cols):
        last = p[-1] if p else ""
        if last == "项目":
            sides.append([j, []])
        elif last == "行次" or not p:
            continue
        elif sides:
            sides[-1][1].append((j, last))
    return sides


def final_t1(t, ctx):
    sides = label_columns(t)
    if len(sides) != 2:
        raise Bad("table 1: %d label columns" % len(sides))
    (lc, la), (rc, ra) = sides
    income, cls, tot = {}, {}, {}
    for n, r in enumerate(t.body):
        line = t.body_line + n
        for col, amts, side in ((lc, la, "in"), (rc, ra, "out")):
            label = re.sub(r"^[一二三四五六七八九十]+、", "", strip_name(r[col]))
            if not label:
                continue
            try:
                v = parse_amount(r[amts[0][0]], t.wan)
            except Bad as e:
                ctx.prob("%s:%d" % (t.path, line), str(e))
                continue
            if side == "in":
                if label.startswith("使用非财政拨款结余"):
                    tot["used"] = v
                elif label in ("本年收入合计", "年初结转和结余"):
                    tot[label] = v
                elif label == "总计":
                    tot["总计in"] = v
                else:
                    key = {"一般公共预算财政拨款收入": "general_budget", "政府性基金预算财政拨款收入": "gov_fund",
                           "国有资本经营预算财政拨款收入": "state_capital"}.get(label, FINAL_FUND.get(label))
                    if key is None:
                        ctx.prob("%s:%d" % (t.path, line), "unknown income %r" % label)
                    else:
                        income[key] = v
            else:
                if label in ("本年支出合计", "结余分配", "年末结转和结余"):
                    tot[label] = v
                elif label == "总计":
                    tot["总计out"] = v
                else:
                    c = class_of(label, t.year)
                    if not c:
                        ctx.prob("%s:%d" % (t.path, line), "unknown 类 %r" % label)
                    elif v:
                        cls[c] = v
    g = tot.get
    w = t.path
    ctx.eq(w, "F1.1 本年收入合计 = income rows", g("本年收入合计", 0), list(income.values()))
    ctx.eq(w, "F1.2 本年支出合计 = 类 rows", g("本年支出合计", 0), list(cls.values()))
    ctx.eq(w, "F1.3 收入总计", g("总计in", 0), [g("本年收入合计", 0), g("used", 0), g("年初结转和结余", 0)])
    ctx.eq(w, "F1.4 支出总计", g("总计out", 0), [g("本年支出合计", 0), g("结余分配", 0), g("年末结转和结余", 0)])
    ctx.eq(w, "F1.5 收入总计 = 支出总计", g("总计in", 0), [g("总计out", 0)])
    return {"income": income, "income_total": g("本年收入合计", 0), "surplus_used": g("used", 0),
            "begin": g("年初结转和结余", 0), "exp_total": g("本年支出合计", 0), "surplus_dist": g("结余分配", 0),
            "end": g("年末结转和结余", 0)}, cls


FUND4 = {"一般公共预算财政拨款": "general_budget", "政府性基金预算财政拨款": "gov_fund",
         "国有资本经营预算财政拨款": "state_capital"}


def final_t4(t, ctx):
    sides = label_columns(t)
    if len(sides) != 2:
        raise Bad("table 4: %d label columns" % len(sides))
    (lc, la), (rc, ra) = sides
    rkeys = [(j, "total" if lab == "合计" else FUND4.get(lab)) for j, lab in ra]
    income, begin, cls = {}, {}, {}
    exp = end = tot_out = None
    inc_total = beg_total = tot_in = 0
    after_begin = False
    for n, r in enumerate(t.body):
        line = t.body_line + n
        try:
            lv = parse_amount(r[la[0][0]], t.wan)
            rv = {k: parse_amount(r[j], t.wan) for j, k in rkeys}
        except Bad as e:
            ctx.prob("%s:%d" % (t.path, line), str(e))
            continue
        ll = re.sub(r"^[一二三四五六七八九十]+、", "", strip_name(r[lc]))
        rl = re.sub(r"^[一二三四五六七八九十]+、", "", strip_name(r[rc]))
        if ll == "本年收入合计":
            inc_total = lv
        elif ll == "年初财政拨款结转和结余":
            beg_total = lv
            after_begin = True
        elif ll == "总计":
            tot_in = lv
        elif ll in FUND4:
            (begin if after_begin else income)[FUND4[ll]] = lv
        elif ll:
            ctx.prob("%s:%d" % (t.path, line), "unknown income %r" % ll)
        if rl == "本年支出合计":
            exp = rv
        elif rl == "年末财政拨款结转和结余":
            end = rv
        elif rl == "总计":
            tot_out = rv
        elif rl:
            c = class_of(rl, t.year)
            if not c:
                ctx.prob("%s:%d" % (t.path, line), "unknown 类 %r" % rl)
            elif any(rv.values()):
                cls[c] = rv
        if rl or any(rv.values()):
            ctx.eq("%s:%d" % (t.path, line), "F4.1 合计 = three funds", rv["total"],
                   [rv[f] for f in FUND4.values()])
    w = t.path
    exp = exp or {k: 0 for _, k in rkeys}
    end = end or {k: 0 for _, k in rkeys}
    tot_out = tot_out or {k: 0 for _, k in rkeys}
    ctx.eq(w, "F4.2 本年收入合计 = income rows", inc_total, list(income.values()))
    ctx.eq(w, "F4.3 年初 = its sub-rows", beg_total, list(begin.values()))
    ctx.eq(w, "F4.4 收入侧总计", tot_in, [inc_total, beg_total])
    ctx.eq(w, "F4.4 支出侧总计", tot_out["total"], [exp["total"], end["total"]])
    ctx.eq(w, "F4.4 总计", tot_in, [tot_out["total"]])
    for f in FUND4.values():
        ctx.eq(w, "F4.4 %s 年初 + 收入 = 支出 + 年末" % f, begin.get(f, 0) + income.get(f, 0), [exp[f], end[f]])
        ctx.eq(w, "F4.4 %s 总计 column" % f, tot_out[f], [exp[f], end[f]])
    for f in ["total"] + list(FUND4.values()):
        ctx.eq(w, "本年支出合计 %s = 类 rows" % f, exp[f], [v[f] for v in cls.values()])
    return {"income": income, "begin": begin, "exp": {f: exp[f] for f in FUND4.values()},
            "end": {f: end[f] for f in FUND4.values()}, "inc_total": inc_total, "beg_total": beg_total,
            "end_total": end["total"], "exp_total": exp["total"]}, cls


def final_t6(t, ctx):
    """Two (code, name, 决算数) blocks per line; 人员经费合计 … 公用经费合计 last."""
    blocks = []
    cur = []
    for j, p in enumerate(t.cols):
        last = p[-1] if p else ""
        cur.append((j, last))
        if last == "决算数":
            blocks.append(cur)
            cur = []
    econ = {}
    classes = {}
    foot = {}
    for n, r in enumerate(t.body):
        line = t.body_line + n
        for b in blocks:
            cells = [r[j].strip() for j, _ in b]
            labels = [lab for _, lab in b]
            amt_cell = cells[-1]
            head = [c for c in cells[:-1] if c]
            if not head and not amt_cell:
                continue
            if head and head[0] in ("人员经费合计", "公用经费合计"):
                foot[head[0]] = parse_amount(amt_cell, t.wan)
                continue
            if "类" in labels:
                code = cells[labels.index("类")] + cells[labels.index("款")].zfill(2) if \
                    cells[labels.index("款")] else cells[labels.index("类")]
            else:
                code = cells[0]
            name = cells[labels.index("科目名称")]
            try:
                v = parse_amount(amt_cell, t.wan)
            except Bad as e:
                ctx.prob("%s:%d" % (t.path, line), str(e))
                continue
            if code not in ECON or ECON[code] != name:
                ctx.prob("%s:%d" % (t.path, line), "economic code %s %r unknown" % (code, name))
                continue
            (classes if len(code) == 3 else econ)[code] = v
    w = t.path
    for c, v in classes.items():
        ctx.eq(w, "F6.1 类 %s = 款" % c, v, [x for k, x in econ.items() if k[:3] == c])
    pers = [v for c, v in classes.items() if c in codes.ECON_PERSONNEL_CLASSES]
    pub = [v for c, v in classes.items() if c not in codes.ECON_PERSONNEL_CLASSES]
    ctx.eq(w, "F6.1 人员经费合计 = 301 + 303", foot.get("人员经费合计", 0), pers)
    ctx.eq(w, "F6.1 公用经费合计 = 302 + 310", foot.get("公用经费合计", 0), pub)
    return {c: v for c, v in econ.items()}, foot.get("人员经费合计", 0), foot.get("公用经费合计", 0)


CAT7 = {"合计": "total", "因公出国（境）费": "outbound", "公务用车购置费": "vehicle_purchase",
        "公务用车运行维护费": "vehicle_operation", "公务用车运行费": "vehicle_operation", "公务接待费": "reception"}


def final_t7(t, ctx):
    keys = []
    for p in t.cols:
        side = 0 if "预算数" in p else (1 if "决算数" in p else None)
        labels = [l for l in p if l not in ("预算数", "决算数", "财政拨款“三公”经费")]
        cat = "vehicle_total" if labels and labels[-1] == "小计" else CAT7.get(labels[-1] if labels else "")
        if side is None or cat is None:
            raise Bad("table 7 header not understood: %s" % "/".join(p))
        keys.append((cat, side))
    rows = [r for r in t.body if any(c.strip() for c in r)] or [[""] * len(keys)]
    if len(rows) != 1:
        raise Bad("table 7 has %d data rows" % len(rows))
    a = {}
    for j, k in enumerate(keys):
        a[k] = parse_amount(rows[0][j], t.wan)
    for side in (0, 1):
        g = (lambda c: a.get((c, side), 0))
        ctx.eq(t.path, "F7.1 公务用车 小计", g("vehicle_total"), [g("vehicle_purchase"), g("vehicle_operation")])
        ctx.eq(t.path, "F7.1 合计", g("total"), [g("outbound"), g("vehicle_total"), g("reception")])
    return {c: (a.get((c, 0), 0), a.get((c, 1), 0)) for c in
            ("total", "outbound", "vehicle_total", "vehicle_purchase", "vehicle_operation", "reception")}


def check_final(tables, ctx, where):
    """Every 决算 identity of one department-year; returns its facts (views.py)."""
    try:
        f1, cls1 = final_t1(tables[1], ctx)
        l2, tot2, _ = classified(tables[2], False, ctx)
        l3, tot3, _ = classified(tables[3], False, ctx)
        f4, cls4 = final_t4(tables[4], ctx)
        l5, tot5, _ = classified(tables[5], False, ctx)
        econ6, pers6, pub6 = final_t6(tables[6], ctx)
        f7 = final_t7(tables[7], ctx)
        l8, tot8, _ = classified(tables[8], False, ctx)
        l10, tot10, _ = classified(tables[10], False, ctx)
    except (Bad, KeyError, IndexError) as e:
        ctx.prob(where, "final accounts: %s" % e)
        return None
    eq = ctx.eq
    g = (lambda d, k: d.get(k, 0))
    # X1
    eq(where, "X1 T1 本年收入合计 = T2 合计", f1["income_total"], [g(tot2, "total")])
    fiscal1 = [f1["income"].get(k, 0) for k in ("general_budget", "gov_fund", "state_capital",
                                                 "fiscal_appropriation")]
    eq(where, "X1 T1 fiscal = T2 财政拨款收入", g(tot2, "fiscal_appropriation"), fiscal1)
    eq(where, "X1 T4 本年收入合计 = T2 财政拨款收入", f4["inc_total"], [g(tot2, "fiscal_appropriation")])
    for k in ("superior_subsidy", "business", "operating", "subordinate_remit", "other"):
        eq(where, "X1 T1 %s = T2" % k, f1["income"].get(k, 0), [g(tot2, k)])
    # X2
    eq(where, "X2 T1 本年支出合计 = T3 合计", f1["exp_total"], [g(tot3, "total")])
    c3 = {}
    for c, a in l3.items():
        c3.setdefault(c[:3], []).append(a["total"])
    for c in set(cls1) | set(c3):
        eq(where, "X2 T1 类 %s = T3" % c, cls1.get(c, 0), c3.get(c, []))
    # X3
    eq(where, "X3 T4 一般公共预算 支出 = T5 合计", f4["exp"]["general_budget"], [g(tot5, "total")])
    c5 = {}
    for c, a in l5.items():
        c5.setdefault(c[:3], []).append(a["total"])
    for c in set(cls4) | set(c5):
        eq(where, "X3 T4 类 %s gb = T5" % c, cls4.get(c, {}).get("general_budget", 0), c5.get(c, []))
    # X4
    eq(where, "X4 T5 基本支出 = T6 人员 + 公用", g(tot5, "basic"), [pers6, pub6])
    # X5, X6
    for fund, tot in (("gov_fund", tot8), ("state_capital", tot10)):
        eq(where, "X5/6 T4 %s 支出" % fund, f4["exp"][fund], [g(tot, "spent")])
        if "begin" in tot:
            eq(where, "X5/6 T4 %s 年初" % fund, f4["begin"].get(fund, 0), [g(tot, "begin")])
            eq(where, "X5/6 T4 %s 年末" % fund, f4["end"][fund], [g(tot, "end")])
            eq(where, "X5/6 T4 %s 收入" % fund, f4["income"].get(fund, 0), [g(tot, "income")])
    # X7
    for c, a in l3.items():
        for k in ("basic", "project"):
            fiscal = sum(x.get(c, {}).get(k, 0) for x in (l5, l8, l10))
            ctx.le(where, "X7 项 %s %s fiscal <= T3" % (c, k), fiscal, a[k])
    for c in set(l5) | set(l8) | set(l10):
        spent = sum(x.get(c, {}).get(k, 0) for x in (l5, l8, l10) for k in ("basic", "project"))
        if c not in l3 and spent:
            ctx.prob(where, "X7 项 %s spent from fiscal money but not in T3" % c)
    ctx.le(where, "X7 T4 年初 <= T1 年初", f4["beg_total"], f1["begin"])
    ctx.le(where, "X7 T4 年末 <= T1 年末", f4["end_total"], f1["end"])
    # X8
    eq(where, "X8 non-fiscal roll-forward", f1["end"] - f4["end_total"],
       [f1["begin"] - f4["beg_total"], f1["income_total"] - f4["inc_total"], f1["surplus_used"],
        -(f1["exp_total"] - f4["exp_total"]), -f1["surplus_dist"]])
    f3 = {c: {"basic": a["basic"], "project": a["project"], "remit": a.get("upper_remit", 0),
              "operating": a.get("business_op", 0), "subsidy": a.get("subsidiary", 0), "total": a["total"]}
          for c, a in l3.items()}
    for a in f3.values():
        for k in ("remit", "operating", "subsidy"):
            if a[k]:
                ctx.features.add("final_" + k)
    if f1["surplus_used"]:
        ctx.features.add("surplus_used")
    if f1["surplus_dist"]:
        ctx.features.add("surplus_dist")
    for c in l3:
        if l3[c]["total"] > l5.get(c, {}).get("total", 0) + l8.get(c, {}).get("spent", 0) + \
                l10.get(c, {}).get("spent", l10.get(c, {}).get("total", 0)):
            ctx.features.add("t3_over_t5")
    return {"f1": f1, "f3": f3, "f4": f4,
            "f5": {c: {"basic": a["basic"], "project": a["project"], "total": a["total"]} for c, a in l5.items()},
            "f5tot": {"basic": g(tot5, "basic"), "project": g(tot5, "project"), "total": g(tot5, "total")},
            "f6": econ6, "f7": f7}


def check_budget(tables, ctx, where, views_out, repaired):
    """Budget identities of one department-year; appends the budget views'
    rows; returns the facts of the cross-stage views."""
    prob = ctx.prob
    for k in range(1, 10):
        if k not in tables:
            prob(where, "table %d missing" % k)
    if any(k not in tables for k in range(1, 10)):
        return None
    try:
        inc1, exp1, tot1 = two_sided(tables[1], ctx)
        t4 = two_sided(tables[4], ctx)
        l2, tot2, _ = classified(tables[2], False, ctx, repaired)
        l3, tot3, _ = classified(tables[3], False, ctx, repaired)
        l5, tot5, _ = classified(tables[5], False, ctx, repaired)
        l6, tot6, _ = classified(tables[6], True, ctx, repaired)
        l8, tot8, none8 = classified(tables[8], False, ctx, repaired)
        if 10 in tables:
            l10, tot10, _ = classified(tables[10], False, ctx, repaired)
        else:
            l10, tot10 = {}, {"total": 0, "basic": 0, "project": 0}
        a7 = table7(tables[7], ctx)
        p9 = table9(tables[9], ctx)
    except Bad as e:
        prob(where, str(e))
        return None
    w = where
    eq = ctx.eq
    rev = {k: v for k, v in tot2.items() if k in FUND_KEYS or k == "carryover"}
    for k in set(inc1) | {k for k in rev if k != "carryover"}:
        eq(w, "table 1 income %s = table 2 合计 row" % k, inc1.get(k, 0), [rev.get(k, 0)])
    eq(w, "table 1 上年结转结余 = table 2", tot1.get("上年结转结余", 0), [rev.get("carryover", 0)])
    cls3 = {}
    for c, a in l3.items():
        cls3.setdefault(c[:3], []).append(a["total"])
    for c in set(exp1) | set(cls3):
        eq(w, "table 1 类 %s = table 3" % c, exp1.get(c, 0), cls3.get(c, []))
    eq(w, "table 2 合计 = table 3 合计", tot2["total"], [tot3["total"]])
    if set(l2) != set(l3):
        prob(w, "tables 2 and 3 list different 项: %s" % sorted(set(l2) ^ set(l3)))
    for c in set(l2) & set(l3):
        eq(w, "项 %s: table 2 = table 3" % c, l2[c]["total"], [l3[c]["total"]])
    for c, a in l2.items():
        t5v = l5.get(c, {}).get("total", 0)
        t8v = l8.get(c, {}).get("total", 0)
        t10v = l10.get(c, {}).get("total", 0)
        if "fiscal_appropriation" in a:
            eq(w, "项 %s: 财政拨款收入 = tables 5 + 8 + 10" % c, a["fiscal_appropriation"], [t5v, t8v, t10v])
        else:
            for key, v in (("general_budget", t5v), ("gov_fund", t8v), ("state_capital", t10v)):
                eq(w, "项 %s: table 2 %s" % (c, key), a.get(key, 0), [v])
    for c in set(l5) | set(l8) | set(l10):
        if c not in l3:
            prob(w, "项 %s in table 5/8/10 but not in table 3" % c)
        else:
            for k in ("basic", "project"):
                ctx.le(w, "项 %s: fiscal %s <= table 3" % (c, k),
                       sum(x.get(c, {}).get(k, 0) for x in (l5, l8, l10)), l3[c][k])
    inc4, exp4, tot4 = t4
    want = {"general_budget": tot5["total"], "gov_fund": tot8["total"], "state_capital": tot10["total"]}
    for k in set(inc4) | set(want):
        eq(w, "table 4 income %s = tables 5/8/10" % k, inc4.get(k, 0), [want.get(k, 0)])
    cls = {}
    for leaves in (l5, l8, l10):
        for c, a in leaves.items():
            cls.setdefault(c[:3], []).append(a["total"])
    for c in set(exp4) | set(cls):
        eq(w, "table 4 类 %s = tables 5 + 8 + 10" % c, exp4.get(c, 0), cls.get(c, []))
    eq(w, "table 6 人员 = table 5", tot6["personnel"], [tot5["personnel"]])
    eq(w, "table 6 公用 = table 5", tot6["public"], [tot5["public"]])
    for c, a in l6.items():
        personnel_class = c[:3] in codes.ECON_PERSONNEL_CLASSES
        if (a["public"] if personnel_class else a["personnel"]):
            prob(w, "econ %s on the wrong side" % c)
    eq(w, "table 9 projects = table 5 项目支出", tot5["project"], [p[1] for p in p9])
    if bool(l8) == none8:
        prob(w, "table 8: empty and rows disagree")

    y, d = str(tables[1].year), tables[1].dept
    V = views_out
    for c, a in l3.items():
        if a["basic"] or a["project"]:
            V["expenditure_by_function"].append([y, d, c, yuan(a["basic"]), yuan(a["project"]), yuan(a["total"])])
    for c, a in l5.items():
        V["gpb_expenditure_by_function"].append(
            [y, d, c, yuan(a["personnel"]), yuan(a["public"]), yuan(a["basic"]), yuan(a["project"]),
             yuan(a["total"])])
    for view, leaves in (("gov_fund_expenditure_by_function", l8),
                         ("state_capital_expenditure_by_function", l10)):
        for c, a in leaves.items():
            V[view].append([y, d, c, yuan(a["basic"]), yuan(a["project"]), yuan(a["total"])])
    for c, a in l6.items():
        V["basic_expenditure_by_economic"].append([y, d, c, yuan(a["personnel"]), yuan(a["public"]),
                                                   yuan(a["total"])])
    for k, v in rev.items():
        if v:
            V["revenue_by_source"].append([y, d, k, yuan(v)])
    V["three_public_expenses"].append([y, d, yuan(a7["outbound"]), yuan(a7["vehicle_purchase"]),
                                       yuan(a7["vehicle_operation"]), yuan(a7["reception"]), yuan(a7["total"])])
    for name, amount, inds in p9:
        for l1, l2_, l3_, text in inds:
            op, v, unit = parse_target(text)
            V["project_indicators"].append([y, d, name, yuan(amount), l3_, op, v, unit])
    V["department_year"].append([y, d, yuan(tot1.get("收入总计", 0)), yuan(tot3["total"]),
                                 yuan(tot3["basic"]), yuan(tot3["project"])])
    return {"b3": {c: {"basic": a["basic"], "project": a["project"], "total": a["total"]} for c, a in l3.items()},
            "b5": {c: dict(a) for c, a in l5.items()},
            "b5tot": {"basic": tot5["basic"], "project": tot5["project"], "total": tot5["total"]},
            "b6": {c: {"personnel": a["personnel"], "public": a["public"], "total": a["total"]}
                   for c, a in l6.items()},
            "b7": {k: a7[k] for k in ("outbound", "vehicle_purchase", "vehicle_operation", "reception", "total")}}


def read_folder(root, year, dept, prob, files_seen):
    """Every table of a <year>/<dept> folder, by stage and kind."""
    folder = os.path.join(root, str(year), dept)
    by_stage = {}
    for fn in sorted(os.listdir(folder)):
        if not (fn.endswith(".csv") or fn.endswith(".csv.gz")):
            continue
        path = os.path.join(folder, fn)
        rel = "%d/%s/%s" % (year, dept, fn)
        try:
            t = read_table(path, year)
        except (Bad, UnicodeDecodeError, IndexError) as e:
            prob(rel, "unreadable: %s" % e)
            continue
        t.path = rel
        t.dept = dept
        files_seen[rel] = t
        if t.year != year:
            prob(rel, "year %d in the title, %d in the folder" % (t.year, year))
        if t.kind == "extra":
            continue
        tabs = by_stage.setdefault(t.stage, {})
        if t.kind in tabs:
            prob(rel, "stage %s table %s twice (also %s)" % (t.stage, t.kind, tabs[t.kind].path))
        tabs[t.kind] = t
    return by_stage


def check_adjusted(tabs, ctx, where):
    """调整预算 tables (1, 3, 5): their own identities; no view shows them."""
    try:
        if 1 in tabs:
            two_sided(tabs[1], ctx)
        for k in (3, 5):
            if k in tabs:
                classified(tabs[k], False, ctx)
    except Bad as e:
        ctx.prob(where, "adjusted: %s" % e)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def compare(prob, path, cols, rows):
    if not os.path.exists(path):
        prob(path, "missing", "expected")
        return
    got = read_csv(path)
    want = [cols] + sorted(rows)
    if got != want:
        gs, ws = set(map(tuple, got)), set(map(tuple, want))
        for r in sorted(ws - gs)[:10]:
            prob(path, "from the tables, not in the file: %s" % ",".join(r), "expected")
        for r in sorted(gs - ws)[:10]:
            prob(path, "in the file, not from the tables: %s" % ",".join(r), "expected")
        if gs == ws:
            prob(path, "rows in another order or repeated", "expected")


def self_test(d, quiet):
    """The views computed here against truth.json of the 决算 example."""
    prob = Problems(quiet)
    budget_prob = Problems(True, silent=True)  # the sample budget's 748.03 ≠ 648.03 is a known failure
    # 2010306 政务公开审批 (the example's mid-year addition) is in the configured
    # lists but not among the codes the generator draws from
    codes.add_function_codes([("2010306", "政务公开审批")])
    _name_index_f.clear()
    files = {}
    bud = read_folder(os.path.join(d, "budget"), 2023, "109001", budget_prob, files)
    fin = read_folder(os.path.join(d, "final"), 2023, "109001", prob, files)
    ctx_b = Ctx(budget_prob)
    ctx_f = Ctx(prob)
    views_out = {k: [] for k in ("expenditure_by_function", "gpb_expenditure_by_function",
                                 "gov_fund_expenditure_by_function", "state_capital_expenditure_by_function",
                                 "basic_expenditure_by_economic", "revenue_by_source", "three_public_expenses",
                                 "project_indicators", "department_year")}
    e = {"year": 2023, "code": "109001", "name": "南昌市西湖区政务服务数据管理局", "region": "西湖区",
         "unit_type": "行政", "parent": "", "scope": {"budget": "department", "final": "department"}}
    e.update(check_budget(bud["budget"], ctx_b, "budget", views_out, []) or {})
    before = prob.n
    e.update(check_final(fin["final"], ctx_f, "final") or {})
    failed_final = prob.n - before
    v = views.final_views([e], codes.crosswalk)
    with open(os.path.join(d, "truth.json"), encoding="utf-8") as fh:
        truth = json.load(fh)[0]
    got = {}
    for r in v["final_expenditure_by_function"]:
        got.setdefault("final_expenditure_by_function", {})[r[8]] = dict(zip(
            ("basic", "project", "remit_to_superior", "operating", "subsidy_to_subordinate", "total"), r[10:]))
    for r in v["final_gpb_expenditure_by_function"]:
        got.setdefault("final_gpb_expenditure_by_function", {})[r[8]] = dict(zip(("basic", "project", "total"),
                                                                                  r[10:]))
    for r in v["final_basic_expenditure_by_economic"]:
        got.setdefault("final_basic_expenditure_by_economic", {})[r[6]] = {"personnel": r[10], "public": r[11]}
    got["final_revenue_by_source"] = {r[4]: r[6] for r in v["final_revenue_by_source"]}
    got["carryover_by_department"] = {r[4]: {"beginning_amount": r[5], "ending_amount": r[8]}
                                      for r in v["carryover_by_department"]}
    cols = views.COLUMNS["execution_by_function"]
    got["execution_by_function_general_budget"] = {}
    for r in v["execution_by_function"]:
        row = dict(zip(cols, r))
        if row["scope"] == "general_budget":
            got["execution_by_function_general_budget"][row["item_code"]] = {
                "budget_total": row["budget_total"], "final_total": row["final_total"], "variance": row["variance"],
                "execution_rate": row["execution_rate"] or None,
                "no_initial_budget": row["no_initial_budget"] == "t", "not_executed": row["not_executed"] == "t"}
    de = dict(zip(views.COLUMNS["department_execution"], v["department_execution"][0]))
    got["department_execution"] = {k: de[k] for k in truth["department_execution"]}
    tp = dict(zip(views.COLUMNS["three_public_execution"], v["three_public_execution"][0]))
    got["three_public_execution"] = {"total_budget": tp["total_budget"],
                                     "total_budget_in_final": tp["total_budget_in_final"],
                                     "total_final": tp["total_final"], "execution_rate": tp["execution_rate"] or None,
                                     "over_budget": tp["over_budget"] == "t"}
    got["checks_failed_final"] = failed_final
    n = 0
    for key, want in truth.items():
        if key in ("fiscal_year", "dept_code", "dept_name", "stage"):
            continue
        if key == "final_expenditure_by_function":
            want = {i: {k: v for k, v in a.items()} for i, a in want.items()}
        if key == "carryover_by_department":
            got[key] = {s: got[key][s] for s in want}
        if got.get(key) != want:
            print("self-test: %s: truth %s, computed %s" % (key, json.dumps(want, ensure_ascii=False),
                                                            json.dumps(got.get(key), ensure_ascii=False)))
            n += 1
    print("check_generated --self-test: %d keys of truth.json, %d differ, %d final-stage problems"
          % (len(truth) - 4, n, failed_final))
    return 1 if n or failed_final else 0


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--require-coverage", action="store_true")
    ap.add_argument("--no-expected", action="store_true")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test(a.dir or os.path.join(os.path.dirname(os.path.abspath(__file__)), "selftest"), a.quiet)
    if not a.dir:
        ap.error("DIR is required")
    prob = Problems(a.quiet)
    root = a.dir
    depts = None
    if os.path.exists(os.path.join(root, "departments.csv")):
        rows = read_csv(os.path.join(root, "departments.csv"))
        depts = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    import gen_submissions as g
    extra = os.path.join(root, "expected", "function_codes.csv")
    if os.path.exists(extra):
        codes.add_function_codes(tuple(r) for r in read_csv(extra)[1:])
    tags = {}
    dpath = os.path.join(root, "expected", "dialects.csv")
    if os.path.exists(dpath):
        for r in read_csv(dpath)[1:]:
            tags[(r[0], r[1])] = set(r[2].split(";"))
    views_out = {k: [] for k in g.VIEWS}
    files_seen = {}
    repaired = []
    entities = []
    features = set()
    gaps = 0
    nsub = 0
    for year in sorted(int(x) for x in os.listdir(root) if x.isdigit()):
        for dept in sorted(os.listdir(os.path.join(root, str(year)))):
            where = "%d/%s" % (year, dept)
            by_stage = read_folder(root, year, dept, prob, files_seen)
            ctx = Ctx(prob, "round_cell" in tags.get((dept, str(year)), set()), features)
            reg = (depts or {}).get(dept, {})
            for tabs in by_stage.values():
                for t in tabs.values():
                    if depts is not None and t.dept_name is not None and t.dept_name != reg.get("dept_name"):
                        prob(t.path, "department %r, registry says %r" % (t.dept_name, reg.get("dept_name")))
            e = {"year": year, "code": dept, "name": reg.get("dept_name", ""), "region": reg.get("district", ""),
                 "unit_type": reg.get("unit_type", ""), "parent": reg.get("parent_code", ""), "scope": {}}
            if "budget" in by_stage:
                f = check_budget(by_stage["budget"], ctx, where, views_out, repaired)
                if f:
                    e.update(f)
                    e["scope"]["budget"] = by_stage["budget"][1].scope
            if "final" in by_stage:
                f = check_final(by_stage["final"], ctx, where)
                if f:
                    e.update(f)
                    e["scope"]["final"] = by_stage["final"][1].scope
            if "adjusted" in by_stage:
                check_adjusted(by_stage["adjusted"], ctx, where)
                features.add("adjusted")
            gaps += ctx.gaps
            if e["scope"]:
                entities.append(e)
            nsub += 1
    if not a.no_expected:
        views_out["function_rollup"] = views.function_rollup(entities)
        views_out["function_yoy"] = views.function_yoy(views_out["function_rollup"])
        views_out.update(views.final_views(entities, codes.crosswalk))
        has_final = any(t.stage == "final" for t in files_seen.values())
        for view, cols in g.VIEWS.items():
            path = os.path.join(root, "expected", view + ".csv")
            if view in views.FINAL_VIEWS and not has_final and not os.path.exists(path):
                continue  # a set generated with --final off
            compare(prob, path, cols, views_out[view])
        compare(prob, os.path.join(root, "expected", "code_repaired.csv"),
                ["fiscal_year", "dept_code", "table_kind", "subject"], repaired)
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
                got = (f["table_kind"], f["encoding"], f["compression"], f["unit"], f["header_rows"], f["records"],
                       f.get("stage"), f.get("publication_scope"))
                want = (str(t.kind), t.enc, t.comp, {None: "none", True: "wan", False: "yuan"}[t.wan],
                        str(t.header_rows), str(t.records), t.stage, t.scope)
                if got != want:
                    prob(rel, "files.csv says %s, read %s" % (got, want), "expected")
    if a.require_coverage:
        coverage(root, prob, g, files_seen, features, views_out, entities)
    if not a.quiet or prob.n:
        print("check_generated: %d submissions, %d files, %d rounding gaps within the allowance, %d problems"
              % (nsub, len(files_seen), gaps, prob.n))
    return 1 if prob.n else 0


def coverage(root, prob, g, files_seen, features, v, entities):
    where = os.path.join(root, "expected", "dialects.csv")
    rows = read_csv(where)
    have = set()
    for r in rows[1:]:
        for tag in r[2].split(";"):
            if tag.startswith("hdr") and tag[3:].isdigit():
                have.update("hdr" + ch for ch in tag[3:])
            else:
                have.add(tag)
    want = {o for dd in g.DIMS for o in dd[1]} | {"hdr1", "hdr2", "hdr3"}
    if want - have:
        prob(where, "options never used: %s" % " ".join(sorted(want - have)), "coverage")
    encs = {t.enc for t in files_seen.values()}
    comps = {t.comp for t in files_seen.values()}
    hdrs = {t.header_rows for t in files_seen.values()}
    if encs != {"utf-8", "utf-8-bom", "gb18030"} or comps != {"none", "gzip"} or not {1, 2, 3, 4} <= hdrs:
        prob(root, "files read show encodings %s, compressions %s, header rows %s"
             % (sorted(encs), sorted(comps), sorted(hdrs)), "coverage")
    stages = {t.stage for t in files_seen.values()}
    kinds = {t.kind for t in files_seen.values() if t.stage == "final"}
    col = views.COLUMNS
    ebf = [dict(zip(col["execution_by_function"], r)) for r in v["execution_by_function"]]
    tpe = [dict(zip(col["three_public_execution"], r)) for r in v["three_public_execution"]]
    de = [dict(zip(col["department_execution"], r)) for r in v["department_execution"]]
    cbd = [dict(zip(col["carryover_by_department"], r)) for r in v["carryover_by_department"]]
    units = [e for e in entities if e["parent"]]
    loaded = views.loaded_tables(entities)
    checks = [
        ("stages budget, final, adjusted", stages >= {"budget", "final", "adjusted"}),
        ("every 决算 kind", kinds >= {1, 2, 3, 4, 5, 6, 7, 8, 10}),
        ("a skipped provincial extra", any(t.kind == "extra" for t in files_seen.values())),
        ("a file without a unit line", any(t.unit is None for t in files_seen.values())),
        ("a 合计 label in a code column", "total_in_code_column" in features),
        ("a non-zero rounding gap", "rounding_gap" in features),
        ("a repaired split code", "code_repaired" in features),
        ("note lines", any(t.notes for t in files_seen.values())),
        ("a 栏次 row", any(t.hang for t in files_seen.values())),
        ("a unit counted in the rollups", any("b3" in e and views.counted(e, "budget", 3, loaded) for e in units)),
        ("a unit left out of the rollups", any("b3" in e and not views.counted(e, "budget", 3, loaded)
                                               for e in units)),
        ("a 项 added mid-year", any(r["no_initial_budget"] == "t" for r in ebf)),
        ("a 项 not executed", any(r["not_executed"] == "t" for r in ebf)),
        ("三公 over budget", any(r["over_budget"] == "t" for r in tpe)),
        ("三公 预算数 in the 决算 other than the budget's", any(
            r["total_budget"] and r["total_budget_in_final"] and r["total_budget"] != r["total_budget_in_final"]
            for r in tpe)),
        ("a 决算 without a budget", any(r["budget_total"] == "" and r["final_total"] for r in de) or
         min(e["year"] for e in entities) <= 2018),  # no classification list before 2018
        ("a budget without a 决算", any(r["final_total"] == "" and r["budget_total"] for r in de)),
        ("the carryover of the year before", any(r["ending_prev_year"] for r in cbd)),
        ("table 3 above table 5 (non-fiscal spending)", "t3_over_t5" in features),
        ("上缴上级 / 经营 / 对附属单位补助 spending",
         {"final_remit", "final_operating", "final_subsidy"} <= features),
        ("使用非财政拨款结余 and 结余分配", {"surplus_used", "surplus_dist"} <= features),
    ]
    for what, ok in checks:
        if not ok:
            prob(root, "no case of: %s" % what, "coverage")


if __name__ == "__main__":
    sys.exit(main())
