#!/usr/bin/env python3
"""Compare the mart views of a loaded database with a truth.json, as TAP.

usage: compare_truth.py DSN TRUTH_JSON DEPARTMENTS_CSV

truth.json lists, per submission, the facts a correct load yields in yuan,
as leaves, zero amounts included (a zero is no row in mart).  Every figure
is compared as an exact decimal string.  Per submission: five views; then
mart.function_rollup, summed here from truth.json by region (the district
of DEPARTMENTS_CSV), level and code, so that the rollup is checked against
figures no part of the product computed.

Prints unnumbered "ok - ..." / "not ok - ..." lines (tap.sh's tap_from
numbers them).  A query that fails, or that returns nothing where truth.json
has figures, is a failed test, never a pass; the exit status is 1 when any
test failed.
"""
import csv
import io
import json
import subprocess
import sys
from decimal import Decimal


class QueryFailed(Exception):
    pass


def query(dsn, sql):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", dsn, "-c", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise QueryFailed(p.stderr.strip() or f"psql exit {p.returncode}")
    return list(csv.DictReader(io.StringIO(p.stdout)))


def dec(s):
    return Decimal(s or "0").quantize(Decimal("0.01"))


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, got=None, want=None):
        self.n += 1
        if not want:
            ok = False
            got = f"{got} (truth.json has nothing to compare here)"
        elif not got:
            ok = False
        print(f"{'ok' if ok else 'not ok'} - {name}")
        if not ok:
            self.failed += 1
            print(f"#   got:  {got}")
            print(f"#   want: {want}")

    def error(self, name, err):
        self.n += 1
        self.failed += 1
        print(f"not ok - {name}")
        for line in str(err).splitlines()[:5]:
            print(f"#   query failed: {line}")


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def compare(dsn, sub, tap):
    y, d = sub["fiscal_year"], sub["dept_code"]
    where = f"fiscal_year = {int(y)} AND dept_code = {lit(d)}"
    tag = f"{y}/{d}"

    def view(name, fn):
        try:
            fn()
        except QueryFailed as e:
            tap.error(f"{tag} {name}", e)

    def ebf():
        rows = query(dsn, f"SELECT item_code, basic_amount, project_amount FROM mart.expenditure_by_function WHERE {where}")
        got = {r["item_code"]: (dec(r["basic_amount"]), dec(r["project_amount"])) for r in rows}
        want = {k: (dec(v["basic"]), dec(v["project"])) for k, v in sub["expenditure_by_function"].items()
                if dec(v["basic"]) or dec(v["project"])}
        tap.check(got == want, f"{tag} expenditure_by_function", got, want)

    def econ():
        rows = query(dsn, f"SELECT econ_code, personnel_amount, public_amount FROM mart.basic_expenditure_by_economic WHERE {where}")
        got = {}
        for r in rows:
            for m in ("personnel", "public"):
                if dec(r[m + "_amount"]):
                    got[f"{r['econ_code']}/{m}"] = dec(r[m + "_amount"])
        want = {k: dec(v) for k, v in sub["gpb_basic_by_economic"].items() if dec(v)}
        tap.check(got == want, f"{tag} basic_expenditure_by_economic", got, want)

    def revenue():
        rows = query(dsn, f"SELECT fund_source, amount FROM mart.revenue_by_source WHERE {where}")
        got = {r["fund_source"]: dec(r["amount"]) for r in rows if dec(r["amount"])}
        want = {k: dec(v) for k, v in sub["revenue_by_source"].items() if dec(v)}
        if dec(sub.get("carryover")):
            want["carryover"] = dec(sub["carryover"])
        tap.check(got == want, f"{tag} revenue_by_source", got, want)

    def three():
        rows = query(dsn, f"SELECT outbound_travel, vehicle_purchase, vehicle_operation, official_reception FROM mart.three_public_expenses WHERE {where}")
        t = sub["three_public"]
        want = (dec(t["outbound"]), dec(t["vehicle_purchase"]), dec(t["vehicle_operation"]), dec(t["reception"]))
        got = [(dec(r["outbound_travel"]), dec(r["vehicle_purchase"]), dec(r["vehicle_operation"]),
                dec(r["official_reception"])) for r in rows]
        tap.check(got == [want], f"{tag} three_public_expenses (one row, zeros shown)", got, [want])

    def projects():
        rows = query(dsn, f"SELECT project_name, project_amount, count(*) AS n FROM mart.project_indicators WHERE {where} GROUP BY 1, 2")
        got = sorted((r["project_name"], dec(r["project_amount"]), int(r["n"])) for r in rows)
        want = sorted((p["name"], dec(p["amount"]), p["indicators"]) for p in sub["projects"])
        if not want:
            # a submission without table 9: the claim is "no project loaded"
            got, want = [("projects", len(got))], [("projects", 0)]
        tap.check(got == want, f"{tag} project_indicators", got, want)

    view("expenditure_by_function", ebf)
    view("basic_expenditure_by_economic", econ)
    view("revenue_by_source", revenue)
    view("three_public_expenses", three)
    view("project_indicators", projects)


def rollup(dsn, truth, departments, tap):
    """mart.function_rollup against sums over truth.json: per year, region,
    level (类 3 digits, 款 5, 项 7) and code, the departments with a non-zero
    figure, basic, project and their total."""
    region = {}
    with open(departments, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            region[r["dept_code"]] = r["district"]
    want = {}
    for sub in truth:
        y, d = int(sub["fiscal_year"]), sub["dept_code"]
        for item, v in sub["expenditure_by_function"].items():
            b, p = dec(v["basic"]), dec(v["project"])
            if not (b or p):
                continue
            for level, code in (("类", item[:3]), ("款", item[:5]), ("项", item)):
                a = want.setdefault((y, region.get(d, "?"), level, code), [set(), Decimal("0.00"), Decimal("0.00")])
                a[0].add(d)
                a[1] += b
                a[2] += p
    want = {k: (len(a[0]), a[1], a[2], a[1] + a[2]) for k, a in want.items()}
    years = ", ".join(sorted({str(int(s["fiscal_year"])) for s in truth}))
    try:
        rows = query(dsn, f"SELECT fiscal_year, region, level, code, departments, basic_amount, project_amount, total_amount "
                          f"FROM mart.function_rollup WHERE fiscal_year IN ({years})")
    except QueryFailed as e:
        tap.error("function_rollup", e)
        return
    got = {(int(r["fiscal_year"]), r["region"], r["level"], r["code"]):
           (int(r["departments"]), dec(r["basic_amount"]), dec(r["project_amount"]), dec(r["total_amount"]))
           for r in rows}
    only_got = sorted(set(got.items()) - set(want.items()))[:6]
    only_want = sorted(set(want.items()) - set(got.items()))[:6]
    tap.check(bool(want) and got == want,
              f"function_rollup: {len(want)} rows summed from truth.json by region, level and code",
              f"{len(got)} rows; not in truth.json: {only_got}", f"{len(want)} rows; not in mart: {only_want}")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: compare_truth.py DSN TRUTH_JSON DEPARTMENTS_CSV")
    dsn, path, departments = sys.argv[1:4]
    tap = Tap()
    truth = json.load(open(path, encoding="utf-8"))
    if not truth:
        sys.exit(f"{path}: no submission to compare")
    for sub in truth:
        compare(dsn, sub, tap)
    rollup(dsn, truth, departments, tap)
    print(f"# {tap.n} comparisons, {tap.failed} failed")
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
