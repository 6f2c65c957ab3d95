#!/usr/bin/env python3
"""Compare the 决算 and budget-versus-actual mart views with truth.json, as TAP.

usage: compare_final.py DSN TRUTH_JSON [EXTENDED_JSON]

TRUTH_JSON is tests/data/examples-final/truth.json (a copy of
shared/examples-final/truth.json): per submission, the facts and
execution rows a correct load yields, in yuan.  EXTENDED_JSON
(make_extended.py) adds the all_funds scope, economic_execution and
execution_rollup.  Every view is compared both ways for the submission's
year and department: each expected row is there with exactly its figures,
and the view has no row the file does not expect.  Amounts compare as exact
decimals, rates as 4-decimal strings, flags as booleans.

Prints unnumbered "ok - ..." / "not ok - ..." lines (tap.sh's tap_from
numbers them); exit 1 when any failed.
"""
import csv
import io
import json
import subprocess
import sys
from decimal import Decimal

failed = 0


def query(dsn, sql):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", dsn, "-c", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip() or "psql exit %d" % p.returncode)
    return list(csv.DictReader(io.StringIO(p.stdout)))


def norm(v):
    """A view cell or a JSON value as comparable text."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "t" if v else "f"
    if v in ("t", "f", "true", "false"):
        return v[0]
    try:
        return str(Decimal(str(v)).normalize())
    except Exception:
        return str(v)


def tap(ok, what, detail=None):
    global failed
    print(("ok" if ok else "not ok") + " - " + what)
    if not ok:
        failed += 1
        for line in (detail or "").splitlines()[:20]:
            print("# " + line)


def compare(name, got, want):
    """got, want: {key: {column: value}}; both ways, every column of want."""
    problems = []
    for k in sorted(want):
        if k not in got:
            problems.append("missing row %s" % k)
            continue
        for col, v in sorted(want[k].items()):
            if norm(got[k].get(col)) != norm(v):
                problems.append("%s %s: view %r, expected %r" % (k, col, got[k].get(col), v))
    for k in sorted(set(got) - set(want)):
        problems.append("unexpected row %s: %s" % (k, got[k]))
    tap(not problems, "%s: %d rows as expected" % (name, len(want)), "\n".join(problems))


def keyed(rows, key, cols):
    out = {}
    for r in rows:
        out[key(r)] = {c: r.get(c) for c in cols}
    return out


def main():
    dsn, truth_path = sys.argv[1], sys.argv[2]
    truth = json.load(open(truth_path, encoding="utf-8"))
    ext = json.load(open(sys.argv[3], encoding="utf-8")) if len(sys.argv) > 3 else None
    for t in truth:
        y, d = t["fiscal_year"], t["dept_code"]
        where = "WHERE fiscal_year = %d AND dept_code = '%s'" % (y, d)
        sub = "%d/%s" % (y, d)
        try:
            rows = query(dsn, "SELECT * FROM mart.final_expenditure_by_function " + where)
            want = {i: {"total_amount": a["total"], "basic_amount": a["basic"],
                        "project_amount": a["project"],
                        "remit_to_superior_amount": a["remit_to_superior"],
                        "operating_amount": a["operating"],
                        "subsidy_to_subordinate_amount": a["subsidy_to_subordinate"]}
                    for i, a in t["final_expenditure_by_function"].items()}
            compare(sub + " final_expenditure_by_function",
                    keyed(rows, lambda r: r["item_code"], list(next(iter(want.values())))), want)

            rows = query(dsn, "SELECT * FROM mart.final_gpb_expenditure_by_function " + where)
            want = {i: {"total_amount": a["total"], "basic_amount": a["basic"],
                        "project_amount": a["project"]}
                    for i, a in t["final_gpb_expenditure_by_function"].items()}
            compare(sub + " final_gpb_expenditure_by_function",
                    keyed(rows, lambda r: r["item_code"], ["total_amount", "basic_amount",
                                                            "project_amount"]), want)

            rows = query(dsn, "SELECT * FROM mart.final_basic_expenditure_by_economic " + where)
            want = {c: {"personnel_amount": a["personnel"], "public_amount": a["public"]}
                    for c, a in t["final_basic_expenditure_by_economic"].items()}
            compare(sub + " final_basic_expenditure_by_economic",
                    keyed(rows, lambda r: r["econ_code"], ["personnel_amount", "public_amount"]),
                    want)

            rows = query(dsn, "SELECT * FROM mart.final_revenue_by_source " + where)
            want = {s: {"amount": a} for s, a in t["final_revenue_by_source"].items()}
            compare(sub + " final_revenue_by_source",
                    keyed(rows, lambda r: r["fund_source"], ["amount"]), want)

            rows = query(dsn, "SELECT * FROM mart.carryover_by_department " + where)
            want = t["carryover_by_department"]
            compare(sub + " carryover_by_department",
                    keyed(rows, lambda r: r["fund_scope"], ["beginning_amount", "ending_amount"]),
                    want)

            cols = ["budget_total", "final_total", "variance", "execution_rate", "no_initial_budget",
                    "not_executed"]
            for scope, want in (("general_budget", t["execution_by_function_general_budget"]),
                                ("all_funds", ext["execution_by_function_all_funds"] if ext else None)):
                if want is None:
                    continue
                rows = query(dsn, "SELECT * FROM mart.execution_by_function %s AND scope = '%s'"
                             % (where, scope))
                compare("%s execution_by_function (%s)" % (sub, scope),
                        keyed(rows, lambda r: r["item_code"], cols), want)

            rows = query(dsn, "SELECT * FROM mart.department_execution " + where)
            want = dict(t["department_execution"])
            want["checks_failed_final"] = t["checks_failed_final"]
            compare(sub + " department_execution", keyed(rows, lambda r: sub, list(want)),
                    {sub: want})

            rows = query(dsn, "SELECT * FROM mart.three_public_execution " + where)
            want = t["three_public_execution"]
            compare(sub + " three_public_execution", keyed(rows, lambda r: sub, list(want)),
                    {sub: want})

            if ext:
                rows = query(dsn, "SELECT * FROM mart.economic_execution " + where)
                want = ext["economic_execution"]
                compare(sub + " economic_execution",
                        keyed(rows, lambda r: r["econ_code"], list(next(iter(want.values())))),
                        want)
                rows = query(dsn, "SELECT * FROM mart.execution_rollup WHERE fiscal_year = %d" % y)
                want = ext["execution_rollup"]
                compare(sub + " execution_rollup (one department: its own figures)",
                        keyed(rows, lambda r: "%s/%s/%s" % (r["scope"], r["level"], r["code"]),
                              list(next(iter(want.values())))), want)
        except RuntimeError as e:
            tap(False, sub + ": a query failed", str(e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
