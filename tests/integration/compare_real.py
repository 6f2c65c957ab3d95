#!/usr/bin/env python3
"""Compare a loaded real corpus with tests/data/real/expected.json, as TAP.

usage: compare_real.py DSN EXPECTED_JSON

expected.json is written by tests/real/expected_facts.py, which reads the
printed tables without the loader.  Per submission (year, department,
stage) every kind of fact it lists is compared both ways with the database:
each expected figure is there, exactly, and nothing else non-zero is.
Budget submissions through the budget mart views, 决算 ones through the
决算 views (tables 8 and 10 of a 决算, and table 2's 合计 row, have no mart
view: core.fact_amount).

Prints unnumbered "ok - ..." / "not ok - ..." lines; exit 1 when any failed.
"""
import csv
import io
import json
import subprocess
import sys
from decimal import Decimal

failed = 0
D0 = Decimal("0")


def query(dsn, sql):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", dsn, "-c", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip() or "psql exit %d" % p.returncode)
    return list(csv.DictReader(io.StringIO(p.stdout)))


def dec(v):
    return Decimal(v) if v not in (None, "") else D0


def tap(ok, what, problems=()):
    global failed
    print(("ok" if ok else "not ok") + " - " + what)
    if not ok:
        failed += 1
        for line in list(problems)[:15]:
            print("# " + line)


def flat(d, prefix=""):
    """{k: {c: v}} or {k: v} as {"k/c": Decimal} without zeros."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            for c, x in v.items():
                if dec(x) != 0:
                    out["%s%s/%s" % (prefix, k, c)] = dec(x)
        elif dec(v) != 0:
            out[prefix + k] = dec(v)
    return out


def compare(what, got, want):
    """got, want: {key: Decimal}, zeros left out: equal both ways."""
    got = {k: v for k, v in got.items() if v != 0}
    want = {k: v for k, v in want.items() if v != 0}
    problems = ["%s: loaded %s, expected %s" % (k, got.get(k, "nothing"), want.get(k, "nothing"))
                for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)]
    tap(not problems, "%s (%d figures)" % (what, len(want)), problems)


def rows_to(rows, key, cols):
    out = {}
    for r in rows:
        for c, name in cols.items():
            v = dec(r.get(c))
            if v != 0:
                out["%s/%s" % (key(r), name)] = out.get("%s/%s" % (key(r), name), D0) + v
    return out


def budget(dsn, e, sub, where):
    rows = query(dsn, "SELECT * FROM mart.expenditure_by_function " + where)
    compare(sub + " table 3 by 项 (expenditure_by_function)",
            rows_to(rows, lambda r: r["item_code"], {"basic_amount": "basic",
                                                     "project_amount": "project"}),
            flat(e["expenditure_by_function"]))
    rows = query(dsn, "SELECT * FROM mart.gpb_expenditure_by_function " + where)
    compare(sub + " table 5 by 项 (gpb_expenditure_by_function)",
            rows_to(rows, lambda r: r["item_code"], {"basic_amount": "basic",
                                                     "project_amount": "project"}),
            flat(e["gpb_expenditure_by_function"]))
    for key, view in (("gov_fund_expenditure_by_function", "gov_fund_expenditure_by_function"),
                      ("state_capital_expenditure_by_function",
                       "state_capital_expenditure_by_function")):
        rows = query(dsn, "SELECT * FROM mart.%s %s" % (view, where))
        compare("%s %s" % (sub, view),
                rows_to(rows, lambda r: r["item_code"], {"basic_amount": "basic",
                                                         "project_amount": "project",
                                                         "total_amount": "total"}),
                {k: v for k, v in flat(e[key]).items()
                 if k.split("/")[1] in ("basic", "project", "total")})
    rows = query(dsn, "SELECT * FROM mart.basic_expenditure_by_economic " + where)
    compare(sub + " table 6 by 款 (basic_expenditure_by_economic)",
            rows_to(rows, lambda r: r["econ_code"], {"personnel_amount": "personnel",
                                                     "public_amount": "public"}),
            flat(e["gpb_basic_by_economic"]))
    rows = query(dsn, "SELECT * FROM mart.revenue_by_source " + where)
    got = {r["fund_source"]: dec(r["amount"]) for r in rows}
    want = flat(e["revenue_by_source"])
    want["carryover"] = dec(e["carryover"])
    compare(sub + " table 2's 合计 row by source (revenue_by_source)", got, want)
    rows = query(dsn, "SELECT * FROM mart.three_public_expenses " + where)
    got = {}
    for r in rows:
        for c, n in (("outbound_travel", "outbound"), ("vehicle_purchase", "vehicle_purchase"),
                     ("vehicle_operation", "vehicle_operation"),
                     ("official_reception", "reception"), ("admin_operating", "office")):
            got[n] = got.get(n, D0) + dec(r.get(c))
    want = flat(e["three_public"])
    want["office"] = dec(e.get("office_operation"))
    compare(sub + " table 7 (three_public_expenses, 机关运行经费)", got, want)
    rows = query(dsn, "SELECT * FROM mart.department_year " + where)
    compare(sub + " table 3's 合计 (department_year.expenditure_total)",
            {"total": sum((dec(r["expenditure_total"]) for r in rows), D0)},
            {"total": dec(e["expenditure_total"])})


def final(dsn, e, sub, where):
    rows = query(dsn, "SELECT * FROM mart.final_expenditure_by_function " + where)
    compare(sub + " 决算 table 3 (final_expenditure_by_function)",
            rows_to(rows, lambda r: r["item_code"],
                    {"total_amount": "total", "basic_amount": "basic", "project_amount": "project",
                     "remit_to_superior_amount": "remit_to_superior",
                     "operating_amount": "operating",
                     "subsidy_to_subordinate_amount": "subsidy_to_subordinate"}),
            flat(e["final_expenditure_by_function"]))
    rows = query(dsn, "SELECT * FROM mart.final_gpb_expenditure_by_function " + where)
    compare(sub + " 决算 table 5 (final_gpb_expenditure_by_function)",
            rows_to(rows, lambda r: r["item_code"], {"total_amount": "total",
                                                     "basic_amount": "basic",
                                                     "project_amount": "project"}),
            flat(e["final_gpb_expenditure_by_function"]))
    rows = query(dsn, "SELECT * FROM mart.final_basic_expenditure_by_economic " + where)
    compare(sub + " 决算 table 6 (final_basic_expenditure_by_economic)",
            rows_to(rows, lambda r: r["econ_code"], {"personnel_amount": "personnel",
                                                     "public_amount": "public"}),
            flat(e["final_basic_expenditure_by_economic"]))
    rows = query(dsn, "SELECT * FROM mart.final_revenue_by_source " + where)
    compare(sub + " 决算 table 1 income (final_revenue_by_source)",
            {r["fund_source"]: dec(r["amount"]) for r in rows}, flat(e["final_revenue_by_source"]))
    rows = query(dsn, "SELECT measure, sum(amount) AS amount FROM core.fact_amount %s AND stage = 'final'"
                 " AND table_kind = 2 AND row_role = 'total' AND measure <> 'income_subtotal'"
                 " GROUP BY measure" % where)
    compare(sub + " 决算 table 2's 合计 row by source",
            {r["measure"]: dec(r["amount"]) for r in rows}, flat(e["final_revenue_by_source_t2"]))
    rows = query(dsn, "SELECT * FROM mart.carryover_by_department " + where)
    got = rows_to(rows, lambda r: r["fund_scope"], {"beginning_amount": "beginning_amount",
                                                    "ending_amount": "ending_amount"})
    compare(sub + " balances (carryover_by_department)", got, flat(e["carryover_by_department"]))
    rows = query(dsn, "SELECT * FROM mart.three_public_execution " + where)
    got = {}
    for r in rows:
        for c, n in (("outbound_travel", "outbound"), ("vehicle_purchase", "vehicle_purchase"),
                     ("vehicle_operation", "vehicle_operation"),
                     ("official_reception", "reception"), ("total", "total")):
            got[n + "/budget_in_final"] = dec(r[c + "_budget_in_final"])
            got[n + "/final"] = dec(r[c + "_final"])
    compare(sub + " 决算 table 7 (three_public_execution)", got, flat(e["three_public_final"]))
    for key, kind in (("gov_fund_final_by_function", 8), ("state_capital_final_by_function", 10)):
        rows = query(dsn, "SELECT code, measure, sum(amount) AS amount FROM core.fact_amount %s"
                     " AND stage = 'final' AND table_kind = %d AND row_role = 'leaf'"
                     " GROUP BY code, measure" % (where, kind))
        names = {"carryover_begin": "carryover_begin", "year_income": "income",
                 "total": "expend_total", "basic": "basic", "project": "project",
                 "carryover_end": "carryover_end"}
        compare("%s 决算 table %d by 项" % (sub, 9 if kind == 10 else 8),
                {"%s/%s" % (r["code"], names.get(r["measure"], r["measure"])): dec(r["amount"])
                 for r in rows}, flat(e[key]))
    rows = query(dsn, "SELECT sum(amount) AS amount FROM core.fact_amount %s AND stage = 'final'"
                 " AND table_kind = 3 AND row_role = 'total' AND measure = 'total'" % where)
    compare(sub + " 决算 table 3's 合计", {"total": dec(rows[0]["amount"]) if rows else D0},
            {"total": dec(e["final_expenditure_total"])})


def main():
    dsn = sys.argv[1]
    for e in json.load(open(sys.argv[2], encoding="utf-8")):
        sub = "%d/%s %s" % (e["fiscal_year"], e["dept_code"], e["stage"])
        where = "WHERE fiscal_year = %d AND dept_code = '%s'" % (e["fiscal_year"], e["dept_code"])
        try:
            (budget if e["stage"] == "budget" else final)(dsn, e, sub, where)
        except (RuntimeError, KeyError) as x:
            tap(False, sub + ": could not compare", [str(x)])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
