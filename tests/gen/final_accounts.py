"""Final accounts (部门决算公开表) consistent with a generated budget.

build_final(s, seed, prev) derives the 决算 of one department-year from its
budget model s (gen_submissions.Sub): per-item execution factors, a
mid-year addition (a 项 the budget lacks), a project not executed (budget >
0, final 0), spending of the year's opening balances (年初结转和结余, fiscal
and non-fiscal), unspent appropriations carried to the year end,
non-fiscal spending (table 3 > table 5), 上缴上级 / 经营 / 对附属单位补助
spending, 使用非财政拨款结余 and 结余分配, and 三公 spending over its 预算数
in some category.  prev: the end balances of the entity's final accounts
of the year before, when generated (年初 = last year's 年末, per fund and,
for the fund tables, per 项); else the opening balances are drawn.

Every identity of shared/reference/final-accounts.md §2.1 (F1.1-F9.1) and
§2.2 (X1-X8) holds exactly in fen on the figures; with round_cell the
printed cells are their roundings to 0.01 万元 (each within half a unit).
Balances (年初/年末, carried or drawn) are multiples of 0.01 万元 so that a
year printed in 元 chains exactly into one printed in 万元.

render_final(F, out, files_rows, seed) writes the nine tables (kinds 1-8
and 10, the budget kind each pairs with) in the layouts of §1.2-§1.3 and
§5.2, plus (fextra) a provincial extra table that a loader skips;
final_facts(F) gives the printed figures the views read (views.py).
"""

import os
import random

import codes
from codes import FUNCTION, ECON

GB, GF, SC = "general_budget", "gov_fund", "state_capital"
FISCAL = (GB, GF, SC)
NONFISCAL = ("superior_subsidy", "business", "operating", "subordinate_remit", "other")
# budget fund -> final fund source (财政专户管理资金 is 事业收入 in a 决算)
FUND_MAP = {GB: GB, GF: GF, SC: SC, "fiscal_special": "business", "business": "business",
            "operating": "operating", "superior_subsidy": "superior_subsidy",
            "subordinate_remit": "subordinate_remit", "other": "other", "carryover": GB}
Q = 10000  # balances: multiples of 0.01 万元
# expense types of table 3
TYPES = ("basic", "project", "remit", "operating", "subsidy")

# The 类 rows every table 1 and 4 prints, filled or not (2024 template, 24 rows).
FIXED_CLASSES = [("201", "一般公共服务支出"), ("202", "外交支出"), ("203", "国防支出"), ("204", "公共安全支出"),
                 ("205", "教育支出"), ("206", "科学技术支出"), ("207", "文化旅游体育与传媒支出"),
                 ("208", "社会保障和就业支出"), ("210", "卫生健康支出"), ("211", "节能环保支出"),
                 ("212", "城乡社区支出"), ("213", "农林水支出"), ("214", "交通运输支出"),
                 ("215", "资源勘探工业信息等支出"), ("216", "商业服务业等支出"), ("217", "金融支出"),
                 ("219", "援助其他地区支出"), ("220", "自然资源海洋气象等支出"), ("221", "住房保障支出"),
                 ("222", "粮油物资储备支出"), ("223", "国有资本经营预算支出"), ("224", "灾害防治及应急管理支出"),
                 ("229", "其他支出"), ("234", "抗疫特别国债安排的支出")]
CN = "一二三四五六七八九十"


def cn_num(i):
    """1 -> 一, 10 -> 十, 11 -> 十一, 24 -> 二十四."""
    if i <= 10:
        return CN[i - 1]
    t, u = divmod(i, 10)
    return ("" if t == 1 else CN[t - 1]) + "十" + (CN[u - 1] if u else "")


FINAL_TITLES = {
    1: ["收入支出决算总表", "收入支出决算表", "部门收支决算总表"],
    2: ["收入决算表", "收入决算总表", "部门收入决算表"],
    3: ["支出决算表", "支出决算总表", "部门支出决算表"],
    4: ["财政拨款收入支出决算总表", "财政拨款收入支出决算表", "财政拨款收支决算总表"],
    5: ["一般公共预算财政拨款支出决算表"],
    6: ["一般公共预算财政拨款基本支出决算表", "一般公共预算财政拨款基本支出决算明细表"],
    7: ["财政拨款“三公”经费支出决算表", "一般公共预算财政拨款“三公”经费支出决算表"],
    8: ["政府性基金预算财政拨款收入支出决算表"],
}
PUBLIC_NO = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 10: 9}
EXTRA_TITLES = {"fx_project": "一般公共预算财政拨款项目支出决算表", "fx_detail": "财政拨款支出决算明细表",
                "fx_assets": "国有资产使用情况表"}
FINAL_NOTES = {
    1: "注：本表反映部门本年度的总收支和年末结转结余情况。",
    2: "注：本表反映部门本年度取得的各项收入情况。",
    3: "注：本表反映部门本年度各项支出情况。",
    4: "注：本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。",
    5: "注：本表反映部门本年度一般公共预算财政拨款实际支出情况。",
    6: "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
    7: "注：本表反映部门本年度“三公”经费支出预决算情况。",
    8: "注：本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。",
    10: "注：本表反映部门本年度国有资本经营预算财政拨款收入支出及结转和结余情况。",
}


class Final:
    pass


def build_final(s, seed, prev):
    """The final accounts of budget model s; prev: end balances of the year before, or None."""
    rng = random.Random("%s/final/%s/%d" % (seed, s.dept.idx, s.year))
    F = Final()
    F.s = s
    F.year = s.year
    q = s.q

    def rq(x):
        """x (fen, a float) as a figure: a positive multiple of q."""
        return max(q, int(x) // q * q)

    def rQ(x):
        return int(x) // Q * Q

    exp = {}  # item -> fund -> [personnel, public, project, remit, operating, subsidy]
    inc = {}  # item -> fund -> income of the year
    carry = {GF: {}, SC: {}}  # fund -> item -> [begin, end]

    def spend(item, fund, k, v):
        if v:
            exp.setdefault(item, {}).setdefault(fund, [0] * 6)[k] += v

    def earn(item, fund, v):
        if v:
            f = inc.setdefault(item, {})
            f[fund] = f.get(fund, 0) + v

    total_budget = sum(sum(v) for fs in s.alloc.values() for v in fs.values())
    scale = max(total_budget, 100000)
    # A project not executed: an item with project money only, none of it spent.
    proj_only = sorted(i for i, fs in s.alloc.items()
                       if i not in s.dept.run_items and all(v[0] == 0 and v[1] == 0 for v in fs.values())
                       and not any(f in fs for f in ("carryover",)))
    skip = rng.choice(proj_only) if proj_only and rng.random() < 0.35 else None
    begin_used_gb = 0
    carry_spend = []  # (item, amount) of the budget's carryover money
    for item in sorted(s.alloc):
        if item == skip:
            continue
        for fund in sorted(s.alloc[item]):
            pers, pub, proj = s.alloc[item][fund]
            ff = FUND_MAP[fund]
            pf = rq(pers * rng.uniform(0.95, 1.0)) if pers else 0
            uf = rq(pub * rng.uniform(0.9, 1.12)) if pub else 0
            jf = rq(proj * rng.uniform(0.8, 1.03)) if proj else 0
            if fund == "carryover":
                carry_spend.append((item, max(Q, rQ(proj * rng.uniform(0.8, 1.0)))))
                continue
            if fund == "operating":
                spend(item, ff, 4, pf + uf + jf)
            else:
                spend(item, ff, 0, pf)
                spend(item, ff, 1, uf)
                spend(item, ff, 2, jf)
            earn(item, ff, pf + uf + jf)
    # Fiscal general budget: opening balance, its use, unspent money carried.
    if prev is not None:
        begin_gb = prev["gb"]
    else:
        begin_gb = rQ(scale * rng.uniform(0.002, 0.03)) if rng.random() < 0.6 else 0
    avail = begin_gb
    for item, v in carry_spend:
        v = min(v, avail)
        if v:
            spend(item, GB, 2, v)
            avail -= v
            begin_used_gb += v
    gb_proj_items = sorted(i for i in exp if exp[i].get(GB, [0] * 6)[2])
    if avail >= Q and rng.random() < 0.7:
        item = rng.choice(gb_proj_items) if gb_proj_items else s.dept.run_items[0]
        v = rQ(avail * rng.uniform(0.3, 1.0))
        if v:
            spend(item, GB, 2, v)
            begin_used_gb += v
            avail -= v
    kept_gb = begin_gb - begin_used_gb
    end_gb = kept_gb
    if gb_proj_items and rng.random() < 0.6:
        item = rng.choice(gb_proj_items)
        v = rQ(exp[item][GB][2] * rng.uniform(0.02, 0.15))
        if v:
            earn(item, GB, v)  # appropriated, not spent: carried to next year
            end_gb += v
    # A mid-year addition: a 项 the budget does not have.
    cands = [c for c in s.dept.proj_items + [s.dept.run_items[0][:5] + "02"]
             if c in FUNCTION and c not in s.alloc and codes.exists(c, s.year)
             and c not in codes.GOV_FUND_ITEMS and c not in codes.STATE_CAPITAL_ITEMS]
    F.addition = None
    if cands and rng.random() < 0.6:
        item = rng.choice(sorted(set(cands)))
        v = rq(scale * rng.uniform(0.005, 0.04))
        spend(item, GB, 2, v)
        earn(item, GB, v)
        F.addition = (item, v)
    run = s.dept.run_items[0]
    # Non-fiscal money: other income spent on the running item (table 3 > table 5).
    if rng.random() < 0.5:
        v = rq(scale * rng.uniform(0.001, 0.01))
        spend(run, "other", 1, v)
        earn(run, "other", v)
    # 上缴上级支出 (from 事业收入), 对附属单位补助支出 (from 其他收入), 经营支出 (经营收入).
    unit = s.dept.scope == "unit"
    if rng.random() < (0.35 if unit else 0.12):
        v = rq(scale * rng.uniform(0.002, 0.02))
        spend(run, "business", 3, v)
        earn(run, "business", v)
    if rng.random() < (0.05 if unit else 0.15):
        v = rq(scale * rng.uniform(0.002, 0.02))
        spend(run, "other", 5, v)
        earn(run, "other", v)
    if unit and rng.random() < 0.2:
        v = rq(scale * rng.uniform(0.002, 0.02))
        spend(run, "operating", 4, v)
        earn(run, "operating", v)
    # Non-fiscal balances: opening, used, 使用非财政拨款结余, 结余分配, carried.
    if prev is not None:
        begin_nf = prev["nf"]
    else:
        begin_nf = rQ(scale * rng.uniform(0.001, 0.01)) if rng.random() < 0.4 else 0
    used_nf = rQ(begin_nf * rng.uniform(0.2, 1.0)) if begin_nf and rng.random() < 0.6 else 0
    if used_nf:
        spend(run, "other", 1, used_nf)
    surplus_used = rQ(scale * rng.uniform(0.001, 0.005)) if rng.random() < 0.2 else 0
    if surplus_used:
        spend(run, "other", 1, surplus_used)
    nf_to_end = 0
    if rng.random() < 0.4:
        nf_to_end = max(Q, rQ(scale * rng.uniform(0.0005, 0.005)))
        earn(run, "other", nf_to_end)
    avail_nf = begin_nf - used_nf + nf_to_end
    dist = rQ(avail_nf * rng.uniform(0.1, 0.5)) if avail_nf >= Q and rng.random() < 0.3 else 0
    end_nf = avail_nf - dist
    # Fund tables (8 and 10): per-item opening balances, use, carried.
    F.fund_begin = {}
    F.fund_end = {}
    for fund in (GF, SC):
        items = {i for i in exp if fund in exp[i]}
        begins = dict(prev[fund]) if prev is not None else {}
        if prev is None:
            for i in sorted(items):
                if rng.random() < 0.4:
                    begins[i] = max(Q, rQ(exp[i][fund][2] * rng.uniform(0.05, 0.3)))
        for i in sorted(set(items) | set(begins)):
            b = begins.get(i, 0)
            used = rQ(b * rng.uniform(0.3, 1.0)) if b else 0
            if used:
                spend(i, fund, 2, used)
            to_end = rQ(exp[i][fund][2] * rng.uniform(0.02, 0.2)) if i in items and rng.random() < 0.4 else 0
            earn(i, fund, to_end)
            e = b - used + to_end
            if b or e or i in items:
                carry[fund][i] = [b, e]
        F.fund_begin[fund] = sum(v[0] for v in carry[fund].values())
        F.fund_end[fund] = sum(v[1] for v in carry[fund].values())
    F.exp, F.inc, F.carry = exp, inc, carry
    F.begin = {GB: begin_gb, GF: F.fund_begin[GF], SC: F.fund_begin[SC]}
    F.end = {GB: end_gb, GF: F.fund_end[GF], SC: F.fund_end[SC]}
    F.begin_nf, F.end_nf = begin_nf, end_nf
    F.surplus_used, F.dist = surplus_used, dist
    F.end_state = {"gb": end_gb, "nf": end_nf, GF: {i: v[1] for i, v in carry[GF].items() if v[1]},
                   SC: {i: v[1] for i, v in carry[SC].items() if v[1]}}
    # 三公: 预算数 (the budget's, or its full-year adjustment) and 决算数.
    cats = ["outbound", "vehicle_purchase", "vehicle_operation", "reception"]
    t3 = {}
    over = rng.random() < 0.35
    for k, b in zip(cats, s.three):
        bif = b + (rQ(b * rng.uniform(0.05, 0.3)) if b and rng.random() < 0.4 else 0)
        if bif:
            fin = rq(bif * rng.uniform(0.5, 1.0))
        else:
            fin = rq(scale * rng.uniform(0.0005, 0.002)) if k == "reception" and rng.random() < 0.1 else 0
        t3[k] = [bif, fin]
    pos = [k for k in cats if t3[k][0]]
    if over and pos:
        k = rng.choice(pos)
        t3[k][1] = rq(t3[k][0] * rng.uniform(1.02, 1.2))
    F.three = t3
    # Table 6: the general-budget basic spending by economic 款.
    econ_final(F, rng)
    return F


def econ_final(F, rng):
    s = F.s
    q = s.q

    def gbv(item, k):
        return F.exp.get(item, {}).get(GB, [0] * 6)[k]

    P = sum(fs.get(GB, [0] * 6)[0] for fs in F.exp.values())
    anchored = {"30108": gbv("2080505", 0), "30109": gbv("2080506", 0),
                "30110": gbv("2101101", 0) + gbv("2101102", 0), "30111": gbv("2101103", 0),
                "30113": gbv("2210201", 0) + gbv("2210202", 0), "30302": gbv("2080501", 0) + gbv("2080502", 0)}
    econ = {k: v for k, v in anchored.items() if v}
    rest = P - sum(anchored.values())
    pool = sorted(c for c, (a, b) in s.econ.items() if a and c not in anchored)
    if rest and not pool:
        pool = ["30101"]
    for code, v in zip(pool, safe_split(rest, [s.econ.get(c, [1, 0])[0] * rng.uniform(0.9, 1.1) + 1
                                               for c in pool], q, rng, s.rounding)):
        if v:
            econ[code] = econ.get(code, 0) + v
    U = sum(fs.get(GB, [0] * 6)[1] for fs in F.exp.values())
    t = F.three
    pub_anch = {"30212": t["outbound"][1], "30217": t["reception"][1], "30231": t["vehicle_operation"][1]}
    need = sum(pub_anch.values())
    if U and need + q > U or (not U and need):
        # the three public expenses come out of the public funds: top them up
        add = need + 10 * q - U
        F.exp.setdefault(s.dept.run_items[0], {}).setdefault(GB, [0] * 6)[1] += add
        F.inc.setdefault(s.dept.run_items[0], {})[GB] = F.inc.get(s.dept.run_items[0], {}).get(GB, 0) + add
        U += add
    for k, v in pub_anch.items():
        if v:
            econ[k] = econ.get(k, 0) + v
    rest = U - need
    pool = sorted(c for c, (a, b) in s.econ.items() if b and c not in pub_anch) or ["30201"]
    for code, v in zip(pool, safe_split(rest, [s.econ.get(c, [0, 1])[1] * rng.uniform(0.8, 1.2) + 1
                                               for c in pool], q, rng, s.rounding)):
        if v:
            econ[code] = econ.get(code, 0) + v
    F.econ = econ


def safe_split(total, weights, q, rng, rounding):
    from gen_submissions import split_amount
    parts = split_amount(total, weights, q, rng)
    if rounding and parts:
        # no figure below 50 yuan: it would print as 0.00 万元
        big = parts.index(max(parts))
        for i, v in enumerate(parts):
            if 0 < v < 10000 and i != big:
                parts[big] += v
                parts[i] = 0
    return parts


# --------------------------------------------------------------------------
# Figures of the tables (true fen; printed as F.s.R of each)

def t3_values(F):
    out = {}
    for item, fs in F.exp.items():
        b = sum(v[0] + v[1] for v in fs.values())
        p = sum(v[2] for v in fs.values())
        r, o, u = (sum(v[k] for v in fs.values()) for k in (3, 4, 5))
        if b or p or r or o or u:
            out[item] = [b + p + r + o + u, b, p, r, o, u]
    return out


def t5_values(F):
    out = {}
    for item, fs in F.exp.items():
        v = fs.get(GB)
        if v and (v[0] or v[1] or v[2]):
            out[item] = [v[0] + v[1] + v[2], v[0] + v[1], v[2]]
    return out


def t2_values(F):
    out = {}
    for item, fs in F.inc.items():
        row = [sum(fs.get(f, 0) for f in FISCAL)] + [fs.get(f, 0) for f in NONFISCAL]
        if any(row):
            out[item] = [sum(row)] + row
    return out


def fund_values(F, fund):
    """item -> [begin, income, spent, basic, project, end] of a fund table."""
    out = {}
    for item, (b, e) in F.carry[fund].items():
        v = F.exp.get(item, {}).get(fund, [0] * 6)
        basic, proj = v[0] + v[1], v[2]
        i = F.inc.get(item, {}).get(fund, 0)
        if b or e or i or basic or proj:
            out[item] = [b, i, basic + proj, basic, proj, e]
    for item, fs in F.exp.items():
        if fund in fs and item not in out:
            v = fs[fund]
            i = F.inc.get(item, {}).get(fund, 0)
            out[item] = [0, i, v[0] + v[1] + v[2], v[0] + v[1], v[2], 0]
    return out


def income_by_source(F):
    src = {}
    for fs in F.inc.values():
        for f, v in fs.items():
            src[f] = src.get(f, 0) + v
    return src


def sums(values, n):
    tot = [0] * n
    for v in values.values():
        for i in range(n):
            tot[i] += v[i]
    return tot


def class_sums(values, k=0):
    out = {}
    for item, v in values.items():
        out[item[:3]] = out.get(item[:3], 0) + v[k]
    return out


def final_facts(F):
    """The printed figures the views read (views.py), fen."""
    R = F.s.R
    t3 = t3_values(F)
    f3 = {i: {"total": R(v[0]), "basic": R(v[1]), "project": R(v[2]), "remit": R(v[3]), "operating": R(v[4]),
              "subsidy": R(v[5])} for i, v in t3.items()}
    t5 = t5_values(F)
    f5 = {i: {"total": R(v[0]), "basic": R(v[1]), "project": R(v[2])} for i, v in t5.items()}
    tot5 = sums(t5, 3)
    src = income_by_source(F)
    fiscal_merged = F.s.prof["funds"] == "funds_fiscal"
    income = {}
    if fiscal_merged:
        income["fiscal_appropriation"] = R(sum(src.get(f, 0) for f in FISCAL))
    else:
        for f in FISCAL:
            income[f] = R(src.get(f, 0))
    for f in NONFISCAL:
        income[f] = R(src.get(f, 0))
    inc_total = sum(src.values())
    exp_total = sum(v[0] for v in t3.values())
    begin = sum(F.begin.values()) + F.begin_nf
    end = sum(F.end.values()) + F.end_nf
    f1 = {"income": income, "income_total": R(inc_total), "surplus_used": R(F.surplus_used), "begin": R(begin),
          "exp_total": R(exp_total), "surplus_dist": R(F.dist), "end": R(end)}
    fexp = {GB: sum(v[0] for v in t5.values())}
    for fund in (GF, SC):
        fexp[fund] = sum(v[2] for v in fund_values(F, fund).values())
    f4 = {"income": {f: R(src.get(f, 0)) for f in FISCAL}, "begin": {f: R(F.begin[f]) for f in FISCAL},
          "exp": {f: R(fexp[f]) for f in FISCAL}, "end": {f: R(F.end[f]) for f in FISCAL}}
    f6 = {c: R(v) for c, v in F.econ.items()}
    t = F.three
    veh = [t["vehicle_purchase"][0] + t["vehicle_operation"][0], t["vehicle_purchase"][1] + t["vehicle_operation"][1]]
    tot = [sum(t[k][0] for k in t), sum(t[k][1] for k in t)]
    f7 = {k: (R(t[k][0]), R(t[k][1])) for k in t}
    f7["total"] = (R(tot[0]), R(tot[1]))
    f7["vehicle_total"] = (R(veh[0]), R(veh[1]))
    return {"f1": f1, "f3": f3, "f4": f4, "f5": f5,
            "f5tot": {"total": R(tot5[0]), "basic": R(tot5[1]), "project": R(tot5[2])}, "f6": f6, "f7": f7}


# --------------------------------------------------------------------------
# Rendering

def render_final(F, out_root, files_rows, seed):
    from gen_submissions import Writer, header_rows, tree_rows, scope_title, empty_body
    s = F.s
    p = s.prof
    d = os.path.join(out_root, str(s.year), s.dept.code)
    os.makedirs(d, exist_ok=True)
    w = Writer(s, d, files_rows, None, seed)
    f = w.f
    R = s.R
    year = s.year
    tw = p.get("tword", "tw_std")
    ti = 0 if tw == "tw_std" else int(tw[3:])
    split = p["codes"] == "code_split"
    esplit = p["econ"] == "econ_split"
    hang = p.get("fhang") == "fh_hangci"
    notes_on = p.get("notes") == "notes_after"

    def title(kind):
        if kind == 10:
            t = "国有资本经营预算财政拨款%s决算表" % ("收入支出" if p["f10"] == "f10_shouzhi" else "支出")
        else:
            ws = FINAL_TITLES[kind]
            t = ws[ti % len(ws)]
        return scope_title(t, s.dept)

    def emit(kind, header, body, unit=True, t=None, number=None):
        t = t or title(kind)
        n = number or PUBLIC_NO[kind]
        numline = {"fnum_gongkai": "公开%02d表" % n, "fnum_biao": "表%d" % n, "fnum_none": ""}[p["fnum"]]
        ttext = {"fy_niandu": "%d年度%s" % (year, t), "fy_nian": "%d年%s" % (year, t), "fy_none": t}[p["fyear"]]
        name = {"ffn_gongkai": "公开%02d表 %s.csv" % (n, t), "ffn_num": "%02d%s.csv" % (n, t),
                "ffn_cn": "%s、%s.csv" % (cn_num(n), t), "ffn_sheet": "决算sheet%d.csv" % n}[p["ffname"]]
        notes = []
        if notes_on and kind in FINAL_NOTES:
            notes.append([FINAL_NOTES[kind]])
        # the stage is the title's word: 国有资产使用情况表 says none (budget)
        w.write(kind if isinstance(kind, int) else 0, header, body, notes=notes, unit=unit, title=t,
                stage="final" if "决算" in t else "budget",
                numline=numline, name=name, meta_name=p["fmeta"] == "fm_dept", title_text=ttext,
                table_kind=None if isinstance(kind, int) else "extra")

    def code_hdr():
        if split:
            return [["项目", "功能分类科目编码", "类"], ["项目", "功能分类科目编码", "款"], ["项目", "功能分类科目编码", "项"],
                    ["项目", "科目名称"]]
        return [["项目", "功能分类科目编码"], ["项目", "科目名称"]]

    def code_row(code):
        name = codes.fname(code, year)
        if split:
            return [code[:3], code[3:5], code[5:7], name]
        return [code, name]

    def tot_cells():
        return w.total_cells("split" if split else "column", 4 if split else 2)

    def classified(kind, amt_cols, values, n, top=True):
        header = header_rows(code_hdr() + amt_cols)
        if not values:
            body = empty_body(p["efund"], kind, tot_cells(), len(amt_cols),
                              "本部门没有%s财政拨款收入支出" % ("政府性基金预算" if kind == 8 else "国有资本经营预算"),
                              final_year=year)
            w.effects.update([p["efund"], p["efunit"]])
            emit(kind, header, body, unit=p["efunit"] != "ef_nounit")
            return
        tot = sums(values, n)
        body = []
        if top:
            body.append(tot_cells() + [f.amount(x) for x in tot])
        for lvl, code, v in tree_rows(values, 3, False):
            body.append(code_row(code) + [f.amount(x) for x in v])
        if not top:
            body.append(tot_cells() + [f.amount(x) for x in tot])
        emit(kind, header, body)

    # 表1 收入支出决算总表 -----------------------------------------------------
    src = income_by_source(F)
    if p["funds"] == "funds_fiscal":
        inc = [("财政拨款收入", sum(src.get(k, 0) for k in FISCAL))]
    else:
        inc = [("一般公共预算财政拨款收入", src.get(GB, 0)), ("政府性基金预算财政拨款收入", src.get(GF, 0)),
               ("国有资本经营预算财政拨款收入", src.get(SC, 0))]
    inc += [("上级补助收入", src.get("superior_subsidy", 0)), ("事业收入", src.get("business", 0)),
            ("经营收入", src.get("operating", 0)), ("附属单位上缴收入", src.get("subordinate_remit", 0)),
            ("其他收入", src.get("other", 0))]
    t3 = t3_values(F)
    cls3 = class_sums(t3)
    fixed = [(c, codes.fname(c, year) if c in FUNCTION else n) for c, n in FIXED_CLASSES]
    inc_total = sum(v for _, v in inc)
    exp_total = sum(cls3.values())
    begin_all = sum(F.begin.values()) + F.begin_nf
    end_all = sum(F.end.values()) + F.end_nf
    used_label = "使用非财政拨款结余" + ("（含专用结余）" if p["tword"] == "tw_2" else "")
    left = [("%s、%s" % (cn_num(i + 1), n), v) for i, (n, v) in enumerate(inc)]
    right = [("%s、%s" % (cn_num(i + 1), n), cls3.get(c, 0)) for i, (c, n) in enumerate(fixed)]
    tail = [("本年收入合计", inc_total, "本年支出合计", exp_total),
            (used_label, F.surplus_used, "结余分配", F.dist),
            ("年初结转和结余", begin_all, "年末结转和结余", end_all),
            ("总计", inc_total + F.surplus_used + begin_all, "总计", exp_total + F.dist + end_all)]
    assert tail[3][1] == tail[3][3], (tail, s.dept.code, year)
    body = []
    for i in range(max(len(left), len(right))):
        ln, lv = left[i] if i < len(left) else ("", None)
        rn, rv = right[i] if i < len(right) else ("", None)
        lc = [ln, "" if lv is None else f.amount(lv)]
        rc = [rn, "" if rv is None else f.amount(rv)]
        if hang:
            lc.insert(1, str(i + 1) if ln else "")
            rc.insert(1, str(i + 1 + len(left) + len(tail)) if rn else "")
        body.append(lc + rc)
    for j, (a, av, b, bv) in enumerate(tail):
        lc, rc = [a, f.amount(av)], [b, f.amount(bv)]
        if hang:
            lc.insert(1, str(len(left) + j + 1))
            rc.insert(1, str(len(left) + len(tail) + len(right) + j + 1))
        body.append(lc + rc)
    if hang:
        header = [["收入", "", "", "支出", "", ""], ["项目", "行次", "决算数", "项目", "行次", "决算数"],
                  ["栏次", "", "1", "栏次", "", "2"]]
    else:
        header = [["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"]]
    emit(1, header, body)

    # 表2 收入决算表 ------------------------------------------------------------
    classified(2, [["本年收入合计"], ["财政拨款收入"], ["上级补助收入"], ["事业收入"], ["经营收入"], ["附属单位上缴收入"],
                   ["其他收入"]], t2_values(F), 7)
    # 表3 支出决算表 ------------------------------------------------------------
    classified(3, [["本年支出合计"], ["基本支出"], ["项目支出"], ["上缴上级支出"], ["经营支出"], ["对附属单位补助支出"]],
               t3, 6)

    # 表4 财政拨款收入支出决算总表 ------------------------------------------------
    t5 = t5_values(F)
    fv = {GF: fund_values(F, GF), SC: fund_values(F, SC)}
    by_cls = {GB: class_sums(t5), GF: class_sums(fv[GF], 2), SC: class_sums(fv[SC], 2)}
    fexp = {GB: sum(v[0] for v in t5.values()), GF: sum(v[2] for v in fv[GF].values()),
            SC: sum(v[2] for v in fv[SC].values())}
    inc4 = [("一、一般公共预算财政拨款", src.get(GB, 0)), ("二、政府性基金预算财政拨款", src.get(GF, 0)),
            ("三、国有资本经营预算财政拨款", src.get(SC, 0))]
    body = []
    for i in range(max(3, len(fixed))):
        ln, lv = inc4[i] if i < 3 else ("", None)
        c, n = fixed[i]
        vals = [by_cls[k].get(c, 0) for k in FISCAL]
        lc = [ln, "" if lv is None else f.amount(lv)]
        rc = ["%s、%s" % (cn_num(i + 1), n), f.amount(sum(vals))] + [f.amount(x) for x in vals]
        if hang:
            lc.insert(1, str(i + 1) if ln else "")
            rc.insert(1, str(i + 30))
        body.append(lc + rc)
    inc_f = sum(v for _, v in inc4)
    exp_f = sum(fexp.values())
    beg_f = sum(F.begin[k] for k in FISCAL)
    end_f = sum(F.end[k] for k in FISCAL)
    rows = [("本年收入合计", inc_f, "本年支出合计", [exp_f] + [fexp[k] for k in FISCAL]),
            ("年初财政拨款结转和结余", beg_f, "年末财政拨款结转和结余", [end_f] + [F.end[k] for k in FISCAL]),
            ("一、一般公共预算财政拨款", F.begin[GB], "", None),
            ("二、政府性基金预算财政拨款", F.begin[GF], "", None),
            ("三、国有资本经营预算财政拨款", F.begin[SC], "", None),
            ("总计", inc_f + beg_f, "总计", [exp_f + end_f] + [fexp[k] + F.end[k] for k in FISCAL])]
    for j, (a, av, b, bv) in enumerate(rows):
        lc = [a, f.amount(av)]
        rc = [b] + ([f.amount(x) for x in bv] if bv else ["", "", "", ""])
        if hang:
            lc.insert(1, str(j + 4))
            rc.insert(1, str(j + 60) if b else "")
        body.append(lc + rc)
    fc = ["合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]
    if hang:
        header = [["收入", "", "", "支出", "", "", "", "", ""], ["项目", "行次", "决算数", "项目", "行次"] + fc,
                  ["栏次", "", "1", "栏次", "", "2", "3", "4", "5"]]
    else:
        header = [["收入", "", "支出", "", "", "", ""], ["项目", "决算数", "项目"] + fc]
    emit(4, header, body)

    # 表5 一般公共预算财政拨款支出决算表 (合计 at the bottom) ---------------------------
    classified(5, [["合计"], ["基本支出"], ["项目支出"]], t5, 3, top=False)

    # 表6 基本支出决算表: two (code, name, 决算数) blocks per line --------------------
    full = p["f6"] == "f6_full"
    econ = F.econ

    def block(classes):
        out = []
        for cls in classes:
            kids = sorted(c for c in ECON if len(c) == 5 and c[:3] == cls)
            ct = sum(econ.get(c, 0) for c in kids)
            if not full and not ct:
                continue
            out.append((cls, ct))
            out.extend((c, econ.get(c, 0)) for c in kids if full or econ.get(c, 0))
        return out

    lb = block(["301", "303"])
    rb = block(["302", "310"])

    def ecells(item):
        if item is None:
            return ["", "", "", ""] if esplit else ["", "", ""]
        code, v = item
        if esplit:
            return [code[:3], code[3:5], ECON[code], f.amount(v)]
        return [code, ECON[code], f.amount(v)]

    body = []
    for i in range(max(len(lb), len(rb))):
        body.append(ecells(lb[i] if i < len(lb) else None) + ecells(rb[i] if i < len(rb) else None))
    pers = sum(v for c, v in econ.items() if c[:3] in codes.ECON_PERSONNEL_CLASSES)
    pub = sum(v for c, v in econ.items() if c[:3] not in codes.ECON_PERSONNEL_CLASSES)
    pad = [""] * (2 if esplit else 1)
    body.append(["人员经费合计"] + pad + [f.amount(pers), "公用经费合计"] + pad + [f.amount(pub)])
    if esplit:
        header = [["经济分类", "", "科目名称", "决算数"] * 2, ["科目编码", "", "", ""] * 2, ["类", "款", "", ""] * 2]
    else:
        header = [["经济分类科目编码", "科目名称", "决算数"] * 2]
    emit(6, header, body)

    # 表7 财政拨款“三公”经费支出决算表 -------------------------------------------------
    t = F.three
    veh = "公务用车购置及运行维护费" if p["f7words"] == "f7w_weihu" else "公务用车购置及运行费"
    run_l = "公务用车运行维护费" if p["f7words"] == "f7w_weihu" else "公务用车运行费"
    cats = [("合计", None), ("因公出国（境）费", None), (veh, "小计"), (veh, "公务用车购置费"), (veh, run_l),
            ("公务接待费", None)]
    vals = [(sum(t[k][0] for k in t), sum(t[k][1] for k in t)), tuple(t["outbound"]),
            (t["vehicle_purchase"][0] + t["vehicle_operation"][0], t["vehicle_purchase"][1] + t["vehicle_operation"][1]),
            tuple(t["vehicle_purchase"]), tuple(t["vehicle_operation"]), tuple(t["reception"])]
    g = "财政拨款“三公”经费"
    if p["f7"] == "f7_grouped":
        r1 = ["合计", "因公出国（境）费", veh, "", "", "公务接待费"]
        r2 = ["", "", "小计", "公务用车购置费", run_l, ""]
        header = [[g] + [""] * 11, ["预算数"] + [""] * 5 + ["决算数"] + [""] * 5, r1 + r1, r2 + r2]
        data = [f.amount(v[0]) for v in vals] + [f.amount(v[1]) for v in vals]
    else:
        r1, r2 = [], []
        for i, (a, b) in enumerate(cats):
            show_a = a if (i == 0 or cats[i - 1][0] != a) else ""
            r1 += [show_a, ""]
            r2 += [b or "", ""]
        header = [[g] + [""] * 11, r1, r2]
        if p["f7"] == "f7_blankrow":
            header.append([""] * 12)
        header.append(["预算数", "决算数"] * 6)
        data = [f.amount(x) for v in vals for x in v]
    emit(7, header, [data])

    # 表8 / 表9 (kind 10): the fund tables ---------------------------------------
    amt = [["年初结转和结余"], ["本年收入"], ["本年支出", "小计"], ["本年支出", "基本支出"], ["本年支出", "项目支出"],
           ["年末结转和结余"]]
    classified(8, amt, fv[GF], 6)
    if p["f10"] == "f10_zhichu":
        vals10 = {i: v[2:5] for i, v in fv[SC].items() if any(v[2:5])}  # spending only
        classified(10, [["本年支出", "合计"], ["本年支出", "基本支出"], ["本年支出", "项目支出"]], vals10, 3)
    else:
        classified(10, amt, fv[SC], 6)

    # A provincial extra (skipped by the loader, with a warning) ----------------------------
    x = p["fextra"]
    if x != "fx_none":
        t = scope_title(EXTRA_TITLES[x], s.dept) if x != "fx_assets" else EXTRA_TITLES[x]
        if x == "fx_project":
            vals = {i: [v[2]] for i, v in t5.items() if v[2]}
            header = header_rows(code_hdr() + [["项目支出"]])
            body = [tot_cells() + [f.amount(sum(v[0] for v in vals.values()))]]
            body += [code_row(i) + [f.amount(v[0])] for i, v in sorted(vals.items())]
        elif x == "fx_detail":
            header = header_rows(code_hdr() + [["合计"], ["基本支出"], ["项目支出"]])
            body = [code_row(i) + [f.amount(a) for a in v] for i, v in sorted(t5.items())]
        else:
            header = [["项目", "金额"]]
            body = [["资产总额", f.amount(end_all * 7 + 100 * Q)], ["其中：房屋", f.amount(end_all * 4 + 50 * Q)],
                    ["车辆", f.amount(12 * Q)]]
        emit("extra", header, body, t=t, number=10)
        w.effects.add(x)
    return w
