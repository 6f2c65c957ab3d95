#!/usr/bin/env python3
"""Compare the mart views of a loaded database with a truth.json, as TAP.

usage: compare_truth.py DSN TRUTH_JSON [START]

truth.json lists, per submission, the facts a correct load yields in yuan,
as leaves, zero amounts included (a zero is no row in mart).  Every figure
is compared as an exact decimal string; START numbers the first TAP test.
Prints "ok N - ..." / "not ok N - ..." lines and, last, "# tests=N".
"""
import csv
import io
import json
import subprocess
import sys
from decimal import Decimal


def query(dsn, sql):
    out = subprocess.run(["psql", "-X", "-q", "--csv", dsn, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def dec(s):
    return Decimal(s or "0").quantize(Decimal("0.01"))


class Tap:
    def __init__(self, n):
        self.n = n

    def check(self, ok, name, got=None, want=None):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {name}")
        if not ok:
            print(f"#   got:  {got}")
            print(f"#   want: {want}")


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def compare(dsn, sub, tap):
    y, d = sub["fiscal_year"], sub["dept_code"]
    where = f"fiscal_year = {int(y)} AND dept_code = {lit(d)}"
    tag = f"{y}/{d}"

    rows = query(dsn, f"SELECT item_code, basic_amount, project_amount FROM mart.expenditure_by_function WHERE {where}")
    got = {r["item_code"]: (dec(r["basic_amount"]), dec(r["project_amount"])) for r in rows}
    want = {k: (dec(v["basic"]), dec(v["project"])) for k, v in sub["expenditure_by_function"].items()
            if dec(v["basic"]) or dec(v["project"])}
    tap.check(got == want, f"{tag} expenditure_by_function", got, want)

    rows = query(dsn, f"SELECT econ_code, personnel_amount, public_amount FROM mart.basic_expenditure_by_economic WHERE {where}")
    got = {}
    for r in rows:
        for m in ("personnel", "public"):
            if dec(r[m + "_amount"]):
                got[f"{r['econ_code']}/{m}"] = dec(r[m + "_amount"])
    want = {k: dec(v) for k, v in sub["gpb_basic_by_economic"].items() if dec(v)}
    tap.check(got == want, f"{tag} basic_expenditure_by_economic", got, want)

    rows = query(dsn, f"SELECT fund_source, amount FROM mart.revenue_by_source WHERE {where}")
    got = {r["fund_source"]: dec(r["amount"]) for r in rows if dec(r["amount"])}
    want = {k: dec(v) for k, v in sub["revenue_by_source"].items() if dec(v)}
    if dec(sub.get("carryover")):
        want["carryover"] = dec(sub["carryover"])
    tap.check(got == want, f"{tag} revenue_by_source", got, want)

    rows = query(dsn, f"SELECT outbound_travel, vehicle_purchase, vehicle_operation, official_reception FROM mart.three_public_expenses WHERE {where}")
    t = sub["three_public"]
    want = (dec(t["outbound"]), dec(t["vehicle_purchase"]), dec(t["vehicle_operation"]), dec(t["reception"]))
    got = [(dec(r["outbound_travel"]), dec(r["vehicle_purchase"]), dec(r["vehicle_operation"]),
            dec(r["official_reception"])) for r in rows]
    tap.check(got == [want], f"{tag} three_public_expenses", got, [want])

    rows = query(dsn, f"SELECT project_name, project_amount, count(*) AS n FROM mart.project_indicators WHERE {where} GROUP BY 1, 2")
    got = sorted((r["project_name"], dec(r["project_amount"]), int(r["n"])) for r in rows)
    want = sorted((p["name"], dec(p["amount"]), p["indicators"]) for p in sub["projects"])
    tap.check(got == want, f"{tag} project_indicators", got, want)


def main():
    dsn, path = sys.argv[1], sys.argv[2]
    tap = Tap(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    truth = json.load(open(path, encoding="utf-8"))
    for sub in truth:
        compare(dsn, sub, tap)
    print(f"# tests={tap.n}")


if __name__ == "__main__":
    main()
