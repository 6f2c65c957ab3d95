#!/usr/bin/env python3
"""Write extended.json: what truth.json (copied from shared/examples-final)
leaves out for the example department 109001, read straight from the
printed tables of samples/2023/109001/ (budget and 决算) with the Python
standard library, never through the loader:

  execution_by_function_all_funds  budget table 3 against 决算 table 3, per 项
  economic_execution               budget table 6 against 决算 table 6, per 款
  execution_rollup                 both scopes at 类, 款 and 项 (one department)

Amounts are yuan strings with two decimals (万元 × 10000, exact); rates
round(final / budget, 4) half up; booleans true/false.

    python3 tests/data/examples-final/make_extended.py > tests/data/examples-final/extended.json
"""
import csv
import json
import os
import sys
from decimal import ROUND_HALF_UP, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SUB = os.path.join(HERE, "..", "..", "..", "samples", "2023", "109001")
WAN = Decimal(10000)


def rows(name):
    with open(os.path.join(SUB, name), encoding="utf-8") as f:
        return list(csv.reader(f))


def yuan(cell):
    cell = cell.strip()
    return (Decimal(cell) * WAN).quantize(Decimal("0.01")) if cell else Decimal("0.00")


def leaves(name, cols):
    """{7-digit code: {col: yuan}} of a function table (joined codes)."""
    out = {}
    head = None
    for r in rows(name):
        if head is None:
            if r and r[0].startswith(("科目编码", "项目")):
                head = r
            continue
        code = r[0].strip()
        if len(code) == 7 and code.isdigit():
            out[code] = {k: yuan(r[i]) for k, i in cols.items()}
    return out


def rate(f, b):
    if b == 0:
        return None
    return str((f / b).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def s(d):
    return None if d is None else str(d)


b3 = leaves("表3 部门支出总表.csv", {"basic": 3, "project": 4, "total": 2})
f3 = leaves("公开03表 支出决算表.csv", {"basic": 3, "project": 4, "total": 2})
b5 = leaves("表5 一般公共预算支出表.csv", {"total": 2})
f5 = leaves("公开05表 一般公共预算财政拨款支出决算表.csv", {"total": 2})

all_funds = {}
for item in sorted(set(b3) | set(f3)):
    b = b3.get(item, {"basic": Decimal(0), "project": Decimal(0), "total": Decimal("0.00")})
    f = f3.get(item, {"basic": Decimal(0), "project": Decimal(0), "total": Decimal("0.00")})
    all_funds[item] = {
        "budget_total": s(b["total"]), "final_total": s(f["total"]),
        "variance": s(f["total"] - b["total"]), "execution_rate": rate(f["total"], b["total"]),
        "no_initial_budget": b["total"] == 0 and f["total"] > 0,
        "not_executed": b["total"] > 0 and f["total"] == 0,
    }

# table 6: budget personnel / public columns; 决算 one 决算数 per 款, personnel
# for classes 301 and 303, public for the others; two blocks side by side.
budget6 = {}
for r in rows("表6 一般公共预算基本支出表.csv")[5:]:
    code = r[0].strip()
    if len(code) == 5:
        budget6[code] = (yuan(r[3]), yuan(r[4]))
final6 = {}
for r in rows("公开06表 一般公共预算财政拨款基本支出决算表.csv"):
    for at in (0, 3):
        code = r[at].strip() if len(r) > at else ""
        if len(code) == 5 and code.isdigit():
            amt = yuan(r[at + 2])
            pers = code[:3] in ("301", "303")
            final6[code] = (amt if pers else Decimal("0.00"), Decimal("0.00") if pers else amt)
economic = {}
zero = (Decimal("0.00"), Decimal("0.00"))
for code in sorted(set(budget6) | set(final6)):
    b, f = budget6.get(code, zero), final6.get(code, zero)
    if not any(b) and not any(f):
        continue
    economic[code] = {"budget_personnel": s(b[0]), "budget_public": s(b[1]),
                      "final_personnel": s(f[0]), "final_public": s(f[1]),
                      "execution_rate": rate(f[0] + f[1], b[0] + b[1])}

rollup = {}
for scope, bt, ft in (("general_budget", b5, f5), ("all_funds", b3, f3)):
    per = {}
    for side, tab in ((0, bt), (1, ft)):
        for item, a in tab.items():
            for level, code in (("类", item[:3]), ("款", item[:5]), ("项", item)):
                per.setdefault((level, code), [Decimal(0), Decimal(0)])[side] += a["total"]
    for (level, code), (b, f) in sorted(per.items()):
        if b == 0 and f == 0:
            continue
        r = rate(f, b)
        rollup["%s/%s/%s" % (scope, level, code)] = {
            "departments": 1, "budget_total": s(b.quantize(Decimal("0.01"))),
            "final_total": s(f.quantize(Decimal("0.01"))),
            "variance": s((f - b).quantize(Decimal("0.01"))), "execution_rate": r,
            "departments_under_90": int(r is not None and Decimal(r) < Decimal("0.9")),
            "departments_over_100": int(r is not None and Decimal(r) > 1),
        }

json.dump({"fiscal_year": 2023, "dept_code": "109001",
           "execution_by_function_all_funds": all_funds, "economic_execution": economic,
           "execution_rollup": rollup}, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
print()
