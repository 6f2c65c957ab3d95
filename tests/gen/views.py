"""The expected contents of the cross-stage and cross-department mart views,
computed from the printed figures of a set of submissions.

Shared by gen_submissions.py (figures from its own model, exactly as it
prints them) and check_generated.py (figures read back from the files):
the two must produce the same rows, which checks the tables; the semantics
themselves are checked against shared/examples-final/truth.json by
check_generated.py --self-test.

An entity-year is a dict (all amounts integer fen, as printed):

    year, code, name, region, unit_type, parent ('' for a department)
    scope: {stage: 'department' | 'unit'}   the publication scope of each
                                             stage loaded ('budget', 'final')
    b3   {item: {basic, project, total}}     budget table 3, leaves
    b5   {item: {personnel, public, basic, project, total}}, b5tot (合计 row)
    b6   {econ: {personnel, public, total}}
    b7   {outbound, vehicle_purchase, vehicle_operation, reception, total}
    f1   {income: {source: fen}, income_total, surplus_used, begin,
          exp_total, surplus_dist, end}
    f3   {item: {basic, project, remit, operating, subsidy, total}}
    f4   {income: {fund: fen}, begin: {fund: fen}, exp: {fund: fen},
          end: {fund: fen}}   fund in general_budget, gov_fund, state_capital
    f5   {item: {basic, project, total}}, f5tot
    f6   {econ: fen}
    f7   {cat: (budget_in_final, final)}, cat in total, outbound,
          vehicle_purchase, vehicle_operation, reception

Conventions (FINAL_ACCOUNTS.md "Views", and where it is open, the reading
written in gen_submissions.py's docstring): a side whose stage is not
loaded for that year and entity is null, and so are variance, rate and
flags; 0 means loaded with no fact; a row exists where either side is
non-zero; rates are round(final / budget, 4) half up on exact values.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import codes  # noqa: E402

FINAL_VIEWS = {
    "final_expenditure_by_function": ["basic_amount", "project_amount", "remit_to_superior_amount",
                                      "operating_amount", "subsidy_to_subordinate_amount", "total_amount"],
    "final_gpb_expenditure_by_function": ["basic_amount", "project_amount", "total_amount"],
    "final_basic_expenditure_by_economic": ["gov_econ_code", "gov_econ_name", "personnel_amount",
                                            "public_amount", "total_amount"],
    "final_revenue_by_source": ["fund_source", "fund_source_name", "amount"],
    "carryover_by_department": ["fund_scope", "beginning_amount", "income_amount", "expenditure_amount",
                                "ending_amount", "ending_prev_year"],
    "execution_by_function": ["scope", "budget_basic", "budget_project", "budget_total", "final_basic",
                              "final_project", "final_total", "variance", "execution_rate",
                              "no_initial_budget", "not_executed"],
    "execution_rollup": ["name", "departments", "budget_total", "final_total", "variance", "execution_rate",
                         "departments_under_90", "departments_over_100"],
    "department_execution": ["budget_total", "final_total", "execution_rate", "budget_basic", "final_basic",
                             "basic_rate", "budget_project", "final_project", "project_rate",
                             "carryover_begin", "carryover_end", "checks_failed_final"],
    "three_public_execution": [c + s for c in ("outbound_travel", "vehicle_purchase", "vehicle_operation",
                                               "official_reception", "total")
                               for s in ("_budget", "_budget_in_final", "_final")] +
                              ["execution_rate", "over_budget", "final_prev_year", "yoy_change"],
    "economic_execution": ["budget_personnel", "budget_public", "final_personnel", "final_public",
                           "execution_rate"],
}
KEYS = ["fiscal_year", "region", "dept_code", "dept_name"]
FUNC_KEYS = ["class_code", "class_name", "section_code", "section_name", "item_code", "item_name"]
ECON_KEYS = ["econ_class_code", "econ_class_name", "econ_code", "econ_name"]
COLUMNS = {
    "final_expenditure_by_function": KEYS + FUNC_KEYS,
    "final_gpb_expenditure_by_function": KEYS + FUNC_KEYS,
    "final_basic_expenditure_by_economic": KEYS + ECON_KEYS,
    "final_revenue_by_source": KEYS,
    "carryover_by_department": KEYS,
    "execution_by_function": KEYS + FUNC_KEYS,
    "execution_rollup": ["fiscal_year", "region", "level", "code", "scope"],
    "department_execution": KEYS,
    "three_public_execution": KEYS,
    "economic_execution": KEYS + ECON_KEYS,
}
COLUMNS = {v: COLUMNS[v] + [c for c in FINAL_VIEWS[v] if c not in COLUMNS[v]] for v in FINAL_VIEWS}
ROLLUP_COLUMNS = {
    "function_rollup": ["fiscal_year", "region", "level", "code", "departments", "basic_amount",
                        "project_amount", "total_amount"],
    "function_yoy": ["fiscal_year", "region", "level", "code", "total_amount", "prior_amount",
                     "change_amount", "change_pct"],
}

# fund_source -> name (CONTRACT.md, FINAL_ACCOUNTS.md "New measures")
SOURCE_NAME = dict(codes.FUND_SOURCES)
SOURCE_NAME.update({"fiscal_appropriation": "财政拨款收入", "carryover": "上年结转结余",
                    "carryover_begin": "年初结转和结余", "non_fiscal_surplus_used": "使用非财政拨款结余"})
FINAL_SOURCES = ["general_budget", "gov_fund", "state_capital", "fiscal_appropriation", "superior_subsidy",
                 "business", "operating", "subordinate_remit", "other"]
FUNDS = ["general_budget", "gov_fund", "state_capital"]
CATS = [("outbound_travel", "outbound"), ("vehicle_purchase", "vehicle_purchase"),
        ("vehicle_operation", "vehicle_operation"), ("official_reception", "reception"), ("total", "total")]


def yuan(fen):
    if fen is None:
        return ""
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


def rate(num, den, places=4):
    """round(num / den, places) half up (away from zero) on the exact
    quotient, as text with that many decimals; '' when den is 0 or null."""
    if num is None or den is None or den == 0:
        return ""
    neg = (num < 0) != (den < 0)
    n, d = abs(num) * 10 ** places, abs(den)
    q = (2 * n + d) // (2 * d)
    ip, fp = divmod(q, 10 ** places)
    return "%s%d.%0*d" % ("-" if neg and q else "", ip, places, fp)


def rate_value(num, den):
    """The same rounded rate as an exact integer in 1/10000 (for comparisons)."""
    if not den:
        return None
    n, d = abs(num) * 10000, abs(den)
    return (2 * n + d) // (2 * d)


def boolean(v):
    return "" if v is None else ("t" if v else "f")


def fkeys(item, year):
    return [item[:3], codes.fname(item[:3], year), item[:5], codes.fname(item[:5], year), item,
            codes.fname(item, year)]


def ekeys(code):
    return [code[:3], codes.ECON[code[:3]], code, codes.ECON[code]]


def counted(e, stage, kind, loaded):
    """The unit rule of the cross-department aggregates: a table of a unit
    (its title says 单位/预算单位) counts only when its parent has no loaded
    table of the same year, stage and kind."""
    if e["scope"].get(stage) != "unit":
        return True
    return not (e["parent"] and (e["year"], e["parent"], stage, kind) in loaded)


def loaded_tables(entities):
    """(year, code, stage, kind) of every loaded table that the rules look at."""
    out = set()
    for e in entities:
        if "b3" in e:
            out.update((e["year"], e["code"], "budget", k) for k in (3, 5))
        if "f3" in e:
            out.update((e["year"], e["code"], "final", k) for k in (3, 5))
    return out


def function_rollup(entities):
    """mart.function_rollup: table 3 of the budget summed per year, region,
    level and code over the departments, units by the unit rule."""
    loaded = loaded_tables(entities)
    agg = {}
    for e in entities:
        if "b3" not in e or not counted(e, "budget", 3, loaded):
            continue
        for item, a in e["b3"].items():
            for lvl, code in (("类", item[:3]), ("款", item[:5]), ("项", item)):
                x = agg.setdefault((str(e["year"]), e["region"], lvl, code), [set(), 0, 0, 0])
                if a["basic"] or a["project"] or a["total"]:
                    x[0].add(e["code"])
                x[1] += a["basic"]
                x[2] += a["project"]
                x[3] += a["total"]
    return [[y, r, lvl, c, str(len(x[0])), yuan(x[1]), yuan(x[2]), yuan(x[3])]
            for (y, r, lvl, c), x in agg.items() if x[1] or x[2] or x[3]]


def function_yoy(rollup):
    """mart.function_yoy from function_rollup: prior_amount null when the
    region has no rollup row in the previous year, 0 when it has but not for
    this code; change_pct = round(change * 100 / prior, 2)."""
    cur = {}
    for y, r, lvl, c, _, _, _, t in rollup:
        cur[(int(y), r, lvl, c)] = to_fen(t)
    years = {(y, r) for (y, r, _, _) in cur}
    keys = set(cur) | {(y + 1, r, lvl, c) for (y, r, lvl, c) in cur}
    out = []
    for (y, r, lvl, c) in keys:
        if (y, r) not in years:
            continue
        t = cur.get((y, r, lvl, c), 0)
        pt = cur.get((y - 1, r, lvl, c), 0)
        if not t and not pt:
            continue
        prior = pt if (y - 1, r) in years else None
        change = t - prior if prior is not None else None
        pct = rate(change * 100, prior, 2) if prior else ""
        out.append([str(y), r, lvl, c, yuan(t), yuan(prior), yuan(change), pct])
    return out


def to_fen(text):
    neg = text.startswith("-")
    ip, _, fp = text.lstrip("-").partition(".")
    v = int(ip) * 100 + int((fp + "00")[:2])
    return -v if neg else v


def final_views(entities, crosswalk):
    """Rows of every view of FINAL_ACCOUNTS.md "Views"; crosswalk(unit_type,
    econ_code) -> (gov_econ_code, gov_econ_name) or ('', '')."""
    v = {k: [] for k in FINAL_VIEWS}
    by_key = {(e["year"], e["code"]): e for e in entities}
    loaded = loaded_tables(entities)
    for e in entities:
        y = e["year"]
        keys = [str(y), e["region"], e["code"], e["name"]]
        fin = "f3" in e
        bud = "b3" in e
        prev = by_key.get((y - 1, e["code"]))
        prev_fin = prev is not None and "f3" in prev
        if fin:
            for item, a in e["f3"].items():
                if any(a.values()):
                    v["final_expenditure_by_function"].append(keys + fkeys(item, y) + [yuan(a[k]) for k in (
                        "basic", "project", "remit", "operating", "subsidy", "total")])
            for item, a in e["f5"].items():
                if any(a.values()):
                    v["final_gpb_expenditure_by_function"].append(
                        keys + fkeys(item, y) + [yuan(a["basic"]), yuan(a["project"]), yuan(a["total"])])
            for code, amt in e["f6"].items():
                if amt:
                    pers = code[:3] in codes.ECON_PERSONNEL_CLASSES
                    v["final_basic_expenditure_by_economic"].append(
                        keys + ekeys(code) + list(crosswalk(e["unit_type"], code)) +
                        [yuan(amt if pers else 0), yuan(0 if pers else amt), yuan(amt)])
            f1 = e["f1"]
            src = dict(f1["income"])
            src["carryover_begin"] = f1["begin"]
            src["non_fiscal_surplus_used"] = f1["surplus_used"]
            for k, amt in src.items():
                if amt:
                    v["final_revenue_by_source"].append(keys + [k, SOURCE_NAME[k], yuan(amt)])
            scopes = {"all": (f1["begin"], f1["income_total"] + f1["surplus_used"],
                              f1["exp_total"] + f1["surplus_dist"], f1["end"])}
            for f in FUNDS:
                f4 = e["f4"]
                scopes[f] = (f4["begin"].get(f, 0), f4["income"].get(f, 0), f4["exp"].get(f, 0),
                             f4["end"].get(f, 0))
            for sc, vals in scopes.items():
                if any(vals):
                    pe = None
                    if prev_fin:
                        pe = prev["f1"]["end"] if sc == "all" else prev["f4"]["end"].get(sc, 0)
                    v["carryover_by_department"].append(keys + [sc] + [yuan(x) for x in vals] + [yuan(pe)])
        # execution by function, both scopes
        for scope, bt, ft in (("general_budget", "b5", "f5"), ("all_funds", "b3", "f3")):
            bs = e.get(bt)
            fs = e.get(ft)
            items = set()
            for side in (bs, fs):
                if side:
                    items.update(i for i, a in side.items() if any(a.values()))
            for item in items:
                b = None
                f = None
                if bs is not None:
                    a = bs.get(item, {})
                    b = (a.get("basic", 0), a.get("project", 0), a.get("total", 0))
                if fs is not None:
                    a = fs.get(item, {})
                    f = (a.get("basic", 0), a.get("project", 0), a.get("total", 0))
                both = b is not None and f is not None
                v["execution_by_function"].append(
                    keys + fkeys(item, y) + [scope] + [yuan(x) for x in (b or (None,) * 3)] +
                    [yuan(x) for x in (f or (None,) * 3)] +
                    [yuan(f[2] - b[2]) if both else "", rate(f[2], b[2]) if both else "",
                     boolean(b[2] == 0 and f[2] > 0) if both else "",
                     boolean(b[2] > 0 and f[2] == 0) if both else ""])
        # department totals (general budget, the 合计 rows of table 5)
        bt = e.get("b5tot")
        ft = e.get("f5tot")
        g = (lambda d, k: d[k] if d is not None else None)
        v["department_execution"].append(keys + [
            yuan(g(bt, "total")), yuan(g(ft, "total")), rate(g(ft, "total"), g(bt, "total")),
            yuan(g(bt, "basic")), yuan(g(ft, "basic")), rate(g(ft, "basic"), g(bt, "basic")),
            yuan(g(bt, "project")), yuan(g(ft, "project")), rate(g(ft, "project"), g(bt, "project")),
            yuan(e["f1"]["begin"] if fin else None), yuan(e["f1"]["end"] if fin else None),
            "0" if fin else ""])
        # 三公
        row = []
        for cat, k in CATS:
            row += [yuan(e["b7"][k] if bud else None),
                    yuan(e["f7"][k][0] if fin else None), yuan(e["f7"][k][1] if fin else None)]
        tf = e["f7"]["total"][1] if fin else None
        pf = prev["f7"]["total"][1] if prev_fin else None
        over = None
        if fin:
            over = any(e["f7"][k][1] > e["f7"][k][0] for _, k in CATS[:4])
        row += [rate(tf, e["f7"]["total"][0]) if fin else "", boolean(over), yuan(pf),
                yuan(tf - pf) if tf is not None and pf is not None else ""]
        v["three_public_execution"].append(keys + row)
        # economic execution (table 6 of both stages)
        bs = e.get("b6")
        fs = e.get("f6")
        econs = set()
        if bs:
            econs.update(c for c, a in bs.items() if a["personnel"] or a["public"])
        if fs:
            econs.update(c for c, a in fs.items() if a)
        for code in econs:
            b = f = None
            if bs is not None:
                a = bs.get(code, {})
                b = (a.get("personnel", 0), a.get("public", 0))
            if fs is not None:
                amt = fs.get(code, 0)
                pers = code[:3] in codes.ECON_PERSONNEL_CLASSES
                f = (amt if pers else 0, 0 if pers else amt)
            v["economic_execution"].append(
                keys + ekeys(code) + [yuan(x) for x in (b or (None, None))] +
                [yuan(x) for x in (f or (None, None))] +
                [rate(sum(f), sum(b)) if b is not None and f is not None else ""])
    # execution_rollup: entities with both stages loaded, units by the unit rule
    agg = {}
    for e in entities:
        if "b3" not in e or "f3" not in e:
            continue
        y = e["year"]
        for scope, bt, ft, kind in (("general_budget", "b5", "f5", 5), ("all_funds", "b3", "f3", 3)):
            if not (counted(e, "budget", kind, loaded) and counted(e, "final", kind, loaded)):
                continue
            per = {}
            for side, tab in ((0, bt), (1, ft)):
                for item, a in e[tab].items():
                    for lvl, code in (("类", item[:3]), ("款", item[:5]), ("项", item)):
                        x = per.setdefault((lvl, code), [0, 0])
                        x[side] += a["total"]
            for (lvl, code), (b, f) in per.items():
                x = agg.setdefault((str(y), e["region"], lvl, code, scope), [0, 0, 0, 0, 0])
                if b or f:
                    x[0] += 1
                x[1] += b
                x[2] += f
                r = rate_value(f, b)
                if r is not None and r < 9000:
                    x[3] += 1
                if r is not None and r > 10000:
                    x[4] += 1
    for (y, r, lvl, code, scope), (n, b, f, u90, o100) in agg.items():
        if b or f:
            v["execution_rollup"].append([y, r, lvl, code, scope, codes.fname(code, int(y)), str(n), yuan(b),
                                          yuan(f), yuan(f - b), rate(f, b), str(u90), str(o100)])
    return v
