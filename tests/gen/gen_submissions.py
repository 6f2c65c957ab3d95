#!/usr/bin/env python3
"""Generate department budget submissions (部门预算公开表), their final
accounts (部门决算公开表) and a few mid-year adjustments (调整预算), whose
figures reconcile, in the export dialects of SUBMISSIONS.md and the layouts
of FINAL_ACCOUNTS.md, with the expected contents of the mart views
(CONTRACT.md, FINAL_ACCOUNTS.md "Views").

    gen_submissions.py --out DIR --departments N --years 2019-2023 --seed S
        [--rows-per-table K [--codes-dir config/classifications]]
        [--dialects all|clean|LIST] [--mix gb18030=0.34,gzip=0.34]
        [--final auto|on|off]

--dialects all: every option of DIMS occurs among the first 12 departments of
the first year, the rest is drawn at random; clean: one plain profile (like
sample 109001); LIST: comma-separated options (enc=gb18030 or just gb18030)
forced, the rest clean.  --mix sets the probability of options in random
draws.  --rows-per-table K makes every department large (about K rows in the
function tables, as far as the code list goes, and in table 9); --codes-dir
adds the 项 of the project's classification lists whose names agree in every
requested year (about 780 function rows per table instead of about 190).
--final (auto: on with --dialects all, off otherwise) adds the final
accounts: every department-year of the range but the last has its 决算; in
the last year (when there is more than one) about half the departments have
published theirs (the others show a budget without a 决算); about a third of
the departments also have the 决算 of the year before the first (a 决算
without a budget, and the previous year's figures the first year's views
compare with).  Its dialect dimensions (FINAL_ONLY) are forced clean when
off, so --dialects clean --final off writes the bytes it always wrote.

Dimensions added for the classes real publications showed (issue 12), each
clean by default: stripzero (sz_strip: 款/项 cells of split code columns
printed 3 / 1 for 03 / 01, in some rows; each listed in code_repaired.csv),
totcode (totcode_code: the 合计/总计 label in the code column or the 类
cell, the name cell empty), efund (an empty fund table 8 / 10 as a line
本部门没有…, a 合计 row blank / 0 / -, one row 无, blank rows, a note
注：本部门没有…故本表无数据。, or a blank 合计 row and that note) and efunit
(ef_nounit: the empty table without a unit in its meta line), rounding
(round_cell, 万元 only: whole-yuan figures printed cell by cell to 0.01
万元, so totals and their addends disagree by up to 0.01 万元 per addend,
always within the loader's k x h allowance), notes (注：本表反映… /
说明：… lines after the data), hdrvar (hv_year: 2023年“三公”经费预算数 and
2023年机关运行经费预算数 in table 7; hv_layer: 本年支出/预算数 above the
amounts of tables 3 and 5; hv_break: "事业单位\\n经营收入" in table 2), tword
(titles by meaning from TITLE_WORDS; the 决算 and unit titles likewise),
unitpub (unit_sibling / unit_sibling_ys: a unit publishes its own set,
titles 单位… / 预算单位…, beside its department; unit_only: the unit
publishes and its department does not that year), adj (adj_yes: tables 1, 3
and 5 of a 调整预算, stage adjusted, figures that differ from the budget).
The 决算 layouts: fnum (公开0N表 / 表N / no number line), fyear (2023年度 /
none / 2023年), fhang (行次 column and 栏次 row in tables 1 and 4), f6
(table 6's two blocks listing every 款 or only those spent), f7 (table 7's
预算数/决算数 interleaved, with an empty header row, or grouped), f7words
(…运行维护费 / …运行费), f10 (table 9 in its 收入支出 or national 支出
form), fmeta (department and unit, or the unit alone), ffname (公开01表 X /
01X / 一、X / 决算sheet1), fextra (a provincial extra: 项目支出决算表,
支出决算明细表, 国有资产使用情况表, which the loader skips).  Shared
dimensions (encoding, gzip, line ends, unit, amounts, zero forms, totals)
apply to the 决算 as to the budget; codes gives split 类|款|项 columns for
code_split (and econ_split for table 6), joined codes otherwise.  Every
option in expected/dialects.csv took effect in that department-year.

Writes
    DIR/<year>/<dept_code>/<file>.csv[.gz]   budget tables 1-9, sometimes 10,
                                             调整预算 1, 3, 5, and the nine
                                             决算 tables (+ an extra)
    DIR/departments.csv                      the registry (config/departments.csv),
                                             with parent_code for units
    DIR/expected/<view>.csv                  expected mart views, sorted, yuan
    DIR/expected/dialects.csv                dialect tags of every entity-year
    DIR/expected/files.csv                   every file: kind (extra for a
                                             skipped table), encoding, unit (none
                                             without a unit line), header rows (a
                                             栏次 row counts), CSV records, stage,
                                             publication_scope (from the title)
    DIR/expected/code_repaired.csv           one line per row whose split code
                                             lost its zeros: fiscal_year, dept_code,
                                             table_kind, subject (201|3|1 → 2010301;
                                             trailing empty cells left out: 201|3 →
                                             20103; economic 301|2 → 30102); budget
                                             stage only
    DIR/expected/function_codes.csv          with --codes-dir: the codes added

The expected views (their columns: VIEWS; the new ones: views.COLUMNS) are
the printed figures, in yuan with 2 decimals; rates have 4 decimals, null is
an empty field, booleans t / f.  Readings chosen where the spec is open:

  - The unit rule of the cross-department aggregates (function_rollup,
    function_yoy, execution_rollup): a table of a unit (its title says 单位 /
    预算单位) counts only when its parent (departments.csv parent_code) has
    no loaded table of the same year, stage and kind; in execution_rollup an
    entity counts when both its stages count.  Per-department views show
    every department and unit.
  - A figure's expected value is what the cell prints: a function row's
    total_amount is its printed 合计 (under round_cell not always basic +
    project); department totals (department_year, department_execution,
    three_public_execution totals) are the printed 合计 rows, not sums of
    the rounded leaves.
  - final_revenue_by_source: table 1's income rows (fiscal_appropriation
    where table 1 prints one 财政拨款收入 row), plus carryover_begin (年初结转和
    结余) and non_fiscal_surplus_used, non-zero only; fund_source_name is
    CONTRACT.md's name of the code (事业单位经营收入 for operating), not the
    决算 wording.  财政专户管理资金 money of a budget is 事业收入 in its 决算.
  - carryover_by_department: one row per fund scope whose four amounts are
    not all zero (all from table 1; general_budget, gov_fund, state_capital
    from table 4); ending_prev_year is the previous year's ending_amount of
    that scope when that 决算 is loaded (0 if it had no such row), else null.
  - department_execution: checks_failed_final is 0 when the 决算 is loaded
    (every generated identity holds), null when it is not; carryover_begin /
    carryover_end null without a 决算.
  - three_public_execution: over_budget compares the four categories
    (outbound, purchase, operation, reception) and is f, not null, when the
    决算 is loaded and nothing is over; execution_rate null when the total
    预算数 is 0; final_prev_year / yoy_change null without last year's 决算.
  - execution_rollup: name from the year's classification; departments
    counts entities with either side non-zero at that code; a department's
    rate for departments_under_90 / over_100 is its own rounded rate at that
    code (sum of its 项 totals), strictly below 0.9000 / above 1.0000.
  - function_yoy: prior_amount null when the region has no function_rollup
    row in the year before, 0 when it has one but not for the code; change_pct
    = round(change * 100 / prior, 2) half away from zero.
  - 三公 预算数 in a 决算 is the budget's figure or (about 4 in 10 categories)
    a full-year figure above it; the budget stage's table 7 keeps its own.
  - The 决算's balances chain: 年初结转和结余 (total, per fund, per 项 of the
    fund tables) equals the 年末 of the entity's 决算 of the year before when
    that one is generated; otherwise it is drawn.
  - An extra table's stage follows its title (国有资产使用情况表 has no 决算
    in it: stage budget in files.csv); its table_kind is extra.

Names follow each year's edition (codes.fname); an agency whose running 项
did not exist yet (退役军人事务局, 应急管理局 before 2019) has no submission
that year.

Python 3 standard library only; the output is a function of the arguments
(the same seed gives the same bytes).  A department's figures do not depend
on how many departments are generated: department i (and its unit) is the
same in a set of 12 and in a set of 300.

Money is held as integer fen.  A department printing 万元 gets amounts that
are multiples of 0.01 万元 (10000 fen), so every printed figure is exact,
unless it prints round_cell: then its figures are whole yuan and each cell
prints their rounding (half up) to 0.01 万元.
"""

import argparse
import csv
import gzip
import io
import os
import random
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.modules.setdefault("gen_submissions", sys.modules[__name__])  # final_accounts imports it back
import codes  # noqa: E402
import views  # noqa: E402
import final_accounts  # noqa: E402
from codes import FUNCTION, ECON, FUND_SOURCES  # noqa: E402

# --------------------------------------------------------------------------
# Departments and regions

REGIONS = [
    ("江西省", "南昌市", "西湖区"), ("江西省", "南昌市", "东湖区"), ("上海市", "上海市", "黄浦区"),
    ("江西省", "九江市", "浔阳区"), ("江西省", "南昌市", "青山湖区"), ("上海市", "上海市", "徐汇区"),
    ("江西省", "南昌市", "南昌县"), ("江西省", "南昌市", "青云谱区"), ("江西省", "南昌市", "新建区"),
    ("江西省", "南昌市", "红谷滩区"), ("江西省", "南昌市", "进贤县"), ("江西省", "南昌市", "安义县"),
    ("江西省", "九江市", "濂溪区"), ("江西省", "九江市", "柴桑区"), ("江西省", "赣州市", "章贡区"),
    ("江西省", "赣州市", "南康区"), ("上海市", "上海市", "长宁区"), ("上海市", "上海市", "静安区"),
    ("上海市", "上海市", "普陀区"), ("上海市", "上海市", "虹口区"), ("上海市", "上海市", "杨浦区"),
    ("上海市", "上海市", "闵行区"), ("上海市", "上海市", "宝山区"), ("上海市", "上海市", "嘉定区"),
    ("上海市", "上海市", "浦东新区"), ("上海市", "上海市", "金山区"), ("上海市", "上海市", "松江区"),
    ("上海市", "上海市", "青浦区"), ("上海市", "上海市", "奉贤区"), ("上海市", "上海市", "崇明区"),
]

# name template ({p}: city + district), unit type, basic (运行) items,
# project items, probability of a government-fund budget.
AGENCIES = [
    ("{p}人大常委会办公室", "行政", ["2010101", "2010150"], ["2010102", "2010104", "2010199", "2010103"], 0.05),
    ("政协{p}委员会办公室", "行政", ["2010201", "2010250"], ["2010202", "2010204"], 0.05),
    ("{p}人民政府办公室", "行政", ["2010301", "2010350"], ["2010302", "2010303", "2010399"], 0.1),
    ("{p}发展和改革委员会", "行政", ["2010401"], ["2010402"], 0.2),
    ("{p}统计局", "行政", ["2010501"], ["2010502", "2010505", "2010507"], 0.05),
    ("{p}财政局", "行政", ["2010601", "2010650"], ["2010602", "2010603", "2010607", "2010699"], 0.8),
    ("{p}审计局", "行政", ["2010801"], ["2010802", "2010804"], 0.05),
    ("中共{p}纪律检查委员会", "行政", ["2011101"], ["2011102", "2011104"], 0.05),
    ("{p}商务局", "行政", ["2011301"], ["2011302", "2011308"], 0.1),
    ("{p}档案馆", "参公", ["2012601"], ["2012602", "2012604"], 0.05),
    ("{p}总工会", "参公", ["2012901"], ["2012902", "2012906"], 0.05),
    ("中共{p}委办公室", "行政", ["2013101", "2013150"], ["2013102"], 0.05),
    ("中共{p}委组织部", "行政", ["2013201"], ["2013202"], 0.05),
    ("中共{p}委宣传部", "行政", ["2013301"], ["2013302"], 0.05),
    ("中共{p}委统一战线工作部", "行政", ["2013401"], ["2013402"], 0.05),
    ("{p}教育体育局", "行政", ["2050101"],
     ["2050102", "2050199", "2050201", "2050202", "2050203", "2050204", "2050299", "2050701",
      "2050801", "2050803", "2070308"], 0.3),
    ("{p}科学技术局", "行政", ["2060101"], ["2060102", "2060199"], 0.1),
    ("{p}科学技术协会", "参公", ["2060701"], ["2060702"], 0.05),
    ("{p}文化和旅游局", "行政", ["2070101"], ["2070102", "2070105", "2070108", "2070109"], 0.1),
    ("{p}图书馆", "事业", ["2070104"], ["2070104", "2070108"], 0.05),
    ("{p}人力资源和社会保障局", "行政", ["2080101", "2080109"], ["2080102"], 0.05),
    ("{p}民政局", "行政", ["2080201"],
     ["2080202", "2081001", "2081002", "2081006", "2081901", "2081902", "2080801"], 0.2),
    ("{p}残疾人联合会", "参公", ["2081101"], ["2081104", "2081107"], 0.1),
    ("{p}退役军人事务局", "行政", ["2082801"], ["2082802", "2080802"], 0.05),
    ("{p}卫生健康委员会", "行政", ["2100101"], ["2100102", "2100408", "2100717"], 0.1),
    ("{p}疾病预防控制中心", "事业", ["2100401"], ["2100401", "2100408"], 0.05),
    ("{p}妇幼保健院", "事业", ["2100403"], ["2100408"], 0.05),
    ("{p}生态环境局", "行政", ["2110101"], ["2110102", "2110301", "2110302"], 0.2),
    ("{p}城市管理和综合执法局", "行政", ["2120101"],
     ["2120102", "2120104", "2120501", "2120303", "2120399"], 0.7),
    ("{p}水利局", "行政", ["2130301"], ["2130302", "2130305", "2130306"], 0.2),
    ("{p}交通运输局", "行政", ["2140101"], ["2140102", "2140106"], 0.2),
    ("{p}应急管理局", "行政", ["2240101"], ["2240102"], 0.05),
    ("{p}住房和城乡建设局", "行政", ["2120101"], ["2120102", "2210103", "2120303"], 0.6),
    ("{p}机关事务服务中心", "事业", ["2010350"], ["2010303"], 0.05),
    ("{p}政务服务数据管理局", "行政", ["2010301"], ["2010302", "2010399"], 0.05),
]

GENERAL_ITEMS = sorted(c for c in FUNCTION if len(c) == 7
                       and c not in codes.GOV_FUND_ITEMS and c not in codes.STATE_CAPITAL_ITEMS)


# Items that carry projects in a large department: not the social-insurance
# and housing items, whose amounts the economic table anchors.
LARGE_ITEMS = [c for c in GENERAL_ITEMS if c[:5] not in ("20805", "21011", "22102")]


class Dept:
    __slots__ = ("idx", "code", "name", "province", "city", "district", "unit_type", "agency",
                 "run_items", "proj_items", "scale", "gf_prob", "scope", "parent", "unit_prefix")


def make_departments(n, seed):
    """Department i: region and agency from i alone (given the region count),
    its own random stream for its standing structure."""
    na = len(AGENCIES)
    cap = len(REGIONS) * na
    if n > cap:
        raise SystemExit("gen_submissions: at most %d departments (%d regions x %d agencies)"
                         % (cap, len(REGIONS), na))
    block = 3 * na  # departments fill three regions at a time
    out = []
    for i in range(n):
        g, k = divmod(i, block)
        r = 3 * g + k % 3
        a = (k // 3 + 5 * (k % 3)) % na
        prov, city, dist = REGIONS[r]
        tmpl, unit_type, run, proj, gfp = AGENCIES[a]
        p = dist if dist.endswith("县") else city + dist
        d = Dept()
        d.idx = i
        d.code = "2%02d%03d" % (r + 1, a + 1)
        d.name = tmpl.format(p=p)
        d.province, d.city, d.district = prov, city, dist
        d.unit_type = unit_type
        d.agency = a
        rng = random.Random("%s/dept/%d" % (seed, i))
        d.run_items = [run[0]] + [c for c in run[1:] if rng.random() < 0.4]
        d.proj_items = list(proj)
        d.scale = rng.choice([1, 1, 1, 2, 3, 5, 8, 15]) * rng.uniform(2e6, 6e6)
        d.gf_prob = gfp
        d.scope, d.parent, d.unit_prefix = "department", "", ""
        out.append(d)
    return out


UNIT_SUFFIX = ["信息中心", "服务中心", "事务中心", "保障中心"]


def make_unit(d, seed):
    """The unit (单位) of department d that publishes its own set beside the
    department's (unitpub): code = the department's code + 1, a 事业 unit
    running the department's 事业运行 item where it has one.  From d alone."""
    rng = random.Random("%s/unit/%d" % (seed, d.idx))
    u = Dept()
    u.idx = "u%d" % d.idx
    u.code = d.code + "1"
    u.name = d.name + rng.choice(UNIT_SUFFIX)
    u.province, u.city, u.district = d.province, d.city, d.district
    u.unit_type = "事业"
    u.agency = d.agency
    _, _, run, proj, _ = AGENCIES[d.agency]
    own = [c for c in run + proj if FUNCTION.get(c) == "事业运行"]
    u.run_items = own[:1] or d.run_items[:1]
    u.proj_items = list(d.proj_items)
    u.scale = d.scale * rng.uniform(0.1, 0.3)
    u.gf_prob = 0.0
    u.scope, u.parent, u.unit_prefix = "unit", d.code, "单位"
    return u


# --------------------------------------------------------------------------
# Dialects: every submission draws one option per dimension.
# (dimension, options, weights of a random draw, the clean option)

DIMS = [
    ("enc", ["utf8", "utf8bom", "gb18030"], [0.4, 0.25, 0.35], "utf8"),
    ("gz", ["plain", "gzip"], [0.8, 0.2], "plain"),
    ("eol", ["lf", "crlf"], [0.5, 0.5], "lf"),
    ("trail", ["notrail", "trail"], [0.7, 0.3], "notrail"),
    ("unit", ["wan", "yuan"], [0.6, 0.4], "wan"),
    ("unitfmt", ["unit_fullcolon", "unit_halfcolon", "unit_jine"], [0.7, 0.15, 0.15], "unit_fullcolon"),
    ("meta", ["meta_bumen", "meta_danweimingcheng", "meta_bianzhidanwei", "meta_bumenmingcheng"],
     [0.4, 0.2, 0.25, 0.15], "meta_bumen"),
    ("tabline", ["notab", "tab_biao", "tab_fubiao"], [0.4, 0.4, 0.2], "tab_biao"),
    ("numbering", ["num_std", "num_alt"], [0.85, 0.15], "num_std"),
    ("fname", ["fn_biao", "fn_fubiao", "fn_sheet"], [0.4, 0.3, 0.3], "fn_biao"),
    ("amt", ["amt_plain", "amt_thousands"], [0.6, 0.4], "amt_plain"),
    ("fullwidth", ["nofullwidth", "fullwidth"], [0.97, 0.03], "nofullwidth"),
    ("zero", ["zero_empty", "zero_0.00", "zero_0", "zero_dash", "zero_emdash"],
     [0.3, 0.3, 0.1, 0.2, 0.1], "zero_empty"),
    ("codes", ["code_column", "code_split", "code_spaced", "code_combined", "code_bracket",
               "code_none"], [0.4, 0.2, 0.1, 0.1, 0.1, 0.1], "code_column"),
    ("indent", ["noindent", "indent"], [0.6, 0.4], "noindent"),
    ("leafonly", ["subtotals", "leafonly"], [0.85, 0.15], "subtotals"),
    ("totpos", ["total_top", "total_bottom"], [0.6, 0.4], "total_top"),
    ("totlabel", ["total_heji", "total_zongji"], [0.8, 0.2], "total_heji"),
    ("hdr", ["hdr_min", "hdr_nat", "hdr_extra"], [0.2, 0.6, 0.2], "hdr_nat"),
    ("econ", ["econ_column", "econ_split", "econ_spaced", "econ_combined", "econ_none"],
     [0.5, 0.2, 0.1, 0.1, 0.1], "econ_column"),
    ("t7order", ["t7_std", "t7_reception_first"], [0.8, 0.2], "t7_std"),
    ("t7admin", ["t7_noadmin", "t7_admin"], [0.8, 0.2], "t7_noadmin"),
    ("titles", ["titles_std", "titles_sh"], [0.8, 0.2], "titles_std"),
    ("codehdr", ["codehdr_kmbm", "codehdr_gnfl", "codehdr_kmdm"], [0.6, 0.2, 0.2], "codehdr_kmbm"),
    ("words", ["words_jingfei", "words_zhichu"], [0.7, 0.3], "words_jingfei"),
    ("tothdr", ["tothdr_heji", "tothdr_zongji"], [0.8, 0.2], "tothdr_heji"),
    ("funds", ["funds_split", "funds_fiscal"], [0.85, 0.15], "funds_split"),
    ("t3extra", ["t3_plain", "t3_extra"], [0.85, 0.15], "t3_plain"),
    ("t8", ["gf_yes", "gf_none"], None, None),  # weights from the agency
    ("t10", ["sc_absent", "sc_noneline", "sc_yes"], [0.7, 0.25, 0.05], "sc_absent"),
    ("xfund", ["xf_none", "xf_fiscal_special", "xf_business", "xf_operating", "xf_superior_subsidy",
               "xf_subordinate_remit", "xf_other", "xf_carryover"],
     [0.45, 0.1, 0.1, 0.03, 0.05, 0.03, 0.12, 0.12], "xf_none"),
    # Issue 12: classes the real publications showed.  The order places
    # sz_strip on the econ_split slot, totcode_code on a code_column slot and
    # round_cell on a 万元 slot of --dialects all, where they take effect.
    ("stripzero", ["sz_keep", "sz_strip"], [0.85, 0.15], "sz_keep"),
    ("totcode", ["totcode_name", "totcode_code"], [0.8, 0.2], "totcode_name"),
    ("efund", ["ef_line", "ef_total_blank", "ef_total_zero", "ef_total_dash", "ef_wu", "ef_blank_rows",
               "ef_note", "ef_total_note"], [0.3, 0.15, 0.1, 0.05, 0.1, 0.1, 0.1, 0.1], "ef_line"),
    ("efunit", ["ef_unit", "ef_nounit"], [0.7, 0.3], "ef_unit"),
    ("rounding", ["round_exact", "round_cell"], [0.7, 0.3], "round_exact"),
    ("notes", ["notes_none", "notes_after"], [0.6, 0.4], "notes_none"),
    ("hdrvar", ["hv_plain", "hv_year", "hv_layer", "hv_break"], [0.6, 0.15, 0.1, 0.15], "hv_plain"),
    ("tword", ["tw_std", "tw_1", "tw_2", "tw_3"], [0.5, 0.2, 0.15, 0.15], "tw_std"),
    ("unitpub", ["unit_none", "unit_sibling", "unit_sibling_ys", "unit_only"], [0.8, 0.08, 0.07, 0.05],
     "unit_none"),
    ("adj", ["adj_none", "adj_yes"], [0.9, 0.1], "adj_none"),
    # Issue 13: the layouts of the final accounts (决算) written beside the budget.
    ("fnum", ["fnum_gongkai", "fnum_none", "fnum_biao"], [0.5, 0.3, 0.2], "fnum_gongkai"),
    ("fyear", ["fy_niandu", "fy_none", "fy_nian"], [0.5, 0.35, 0.15], "fy_niandu"),
    ("fhang", ["fh_none", "fh_hangci"], [0.8, 0.2], "fh_none"),
    ("f6", ["f6_full", "f6_used"], [0.5, 0.5], "f6_full"),
    ("f7", ["f7_interleaved", "f7_blankrow", "f7_grouped"], [0.6, 0.2, 0.2], "f7_interleaved"),
    ("f7words", ["f7w_weihu", "f7w_yunxing"], [0.6, 0.4], "f7w_weihu"),
    ("f10", ["f10_shouzhi", "f10_zhichu"], [0.7, 0.3], "f10_shouzhi"),
    ("fmeta", ["fm_dept", "fm_unitonly"], [0.6, 0.4], "fm_dept"),
    ("ffname", ["ffn_gongkai", "ffn_num", "ffn_cn", "ffn_sheet"], [0.4, 0.3, 0.15, 0.15], "ffn_gongkai"),
    ("fextra", ["fx_none", "fx_project", "fx_detail", "fx_assets"], [0.7, 0.1, 0.1, 0.1], "fx_none"),
]
# Dimensions that only the budget tables show, and those only the final
# accounts show; the others apply to both.  A submission is tagged (in
# expected/dialects.csv) only with the options that took effect in it.
BUDGET_ONLY = {"leafonly", "indent", "t7order", "t7admin", "titles", "t3extra", "t8", "t10", "xfund",
               "stripzero", "hdrvar", "adj", "hdr", "codehdr", "words", "tothdr", "numbering", "fname",
               "tabline", "totpos", "fullwidth", "codes", "econ"}
FINAL_ONLY = {"fnum", "fyear", "fhang", "f6", "f7", "f7words", "f10", "fmeta", "ffname", "fextra"}
DIM_INDEX = {d[0]: i for i, d in enumerate(DIMS)}
OPTION_DIM = {o: d[0] for d in DIMS for o in d[1]}
COVER = 12  # with --dialects all, every option occurs among the first 12 departments


def parse_mix(text):
    mix = {}
    if not text:
        return mix
    for part in text.split(","):
        k, _, v = part.partition("=")
        k = k.strip()
        if k == "gb18030":
            k = "gb18030"
        if k not in OPTION_DIM:
            raise SystemExit("gen_submissions: --mix: unknown option %r (options: %s)"
                             % (k, " ".join(sorted(OPTION_DIM))))
        mix[k] = float(v)
    return mix


def draw(rng, options, weights, mix):
    w = list(weights)
    fixed = [(i, mix[o]) for i, o in enumerate(options) if o in mix]
    if fixed:
        rest = 1.0 - sum(p for _, p in fixed)
        free = sum(w[i] for i in range(len(w)) if options[i] not in mix)
        for i in range(len(w)):
            if options[i] in mix:
                w[i] = mix[options[i]]
            else:
                w[i] = (w[i] / free * max(rest, 0.0)) if free > 0 else 0.0
    return rng.choices(options, weights=w)[0]


def choose_profile(dept, year, first_year, mode, forced, mix, seed):
    rng = random.Random("%s/prof/%d/%d" % (seed, dept.idx, year))
    prof = {}
    slot = dept.idx if (mode == "all" and year == first_year and dept.idx < COVER) else None
    for di, (dim, opts, weights, clean) in enumerate(DIMS):
        if dim == "t8":
            weights = [dept.gf_prob, 1 - dept.gf_prob]
        if dim == "titles" and dept.province == "上海市":
            weights = [0.3, 0.7]
        if dim == "unitfmt" and dept.province == "上海市":
            weights = [0.3, 0.6, 0.1]
        v = None
        if dim in forced:
            v = forced[dim]
        elif mode == "all":
            if slot is not None:
                k = (slot - 5 * di) % COVER
                if k < len(opts):
                    v = opts[k]
            if v is None:
                v = draw(rng, opts, weights, mix)
        else:  # clean, or a list: unforced dimensions are clean unless mixed
            if any(o in mix for o in opts):
                v = draw(rng, opts, weights, mix)
            elif dim == "t8":
                v = draw(rng, opts, weights, {})
            else:
                v = clean
        prof[dim] = v
    # Incompatible combinations.
    if prof["codes"] == "code_none":
        prof["leafonly"] = "subtotals"  # the 项 is found from its 款 row
    if prof["titles"] == "titles_sh":
        prof["t7admin"] = "t7_admin"  # 部门“三公”经费和机关运行经费预算表
    return prof


# --------------------------------------------------------------------------
# The budget model of one department-year

GOALS = ["保障项目顺利实施", "按期完成年度工作任务", "提升公共服务水平", "保障单位正常履职", "推动重点工作落实"]
THEMES = ["政务服务", "信息化建设", "档案管理", "业务培训", "宣传教育", "安全生产", "窗口服务", "调研课题",
          "会议保障", "设施维修", "志愿服务", "法律顾问", "绩效评价", "应急保障", "网络安全", "数据治理",
          "办公设备购置", "环境整治", "民生实事", "党建工作", "督查督办", "专项审计", "人才引进", "社区治理"]
KINDS = ["专项经费", "工作经费", "运行维护项目", "专项项目"]
QTY = [("完成事项数", "项"), ("培训人次", "人次"), ("购置设备数量", "台"), ("服务对象人数", "人"),
       ("覆盖社区数", "个"), ("维修面积", "㎡"), ("检查次数", "次"), ("宣传活动场次", "场"),
       ("出具报告数", "份"), ("系统建设数量", "套")]
QUAL = ["验收合格率", "服务达标率", "资金使用合规率", "任务完成率", "数据准确率"]
TIMELY = ["完成及时率", "资金支付及时率", "服务响应及时率"]
BENEFIT = [("社会效益指标", "服务效能"), ("社会效益指标", "公共服务水平"), ("经济效益指标", "资金使用效益"),
           ("可持续影响指标", "长效管理机制"), ("生态效益指标", "环境质量改善")]
BENEFIT_TEXT = ["显著提升", "有所提升", "平稳运行", "长期", "逐步完善"]


def dec_text(x):
    """A Decimal as plain canonical text: no exponent, no trailing zeros."""
    s = format(x, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


class Sub:
    """One submission: one department, one fiscal year."""

    def __init__(self, dept, year, prof):
        self.dept = dept
        self.year = year
        self.prof = prof
        self.wan = prof["unit"] == "wan"
        # pq: the printed quantum (0.01 万元 or 1 fen); q: the quantum of the
        # figures themselves.  round_cell: whole-yuan figures printed rounded
        # to 0.01 万元 cell by cell, as published.
        self.pq = 10000 if self.wan else 1
        self.rounding = self.wan and prof.get("rounding") == "round_cell"
        self.q = 100 if self.rounding else self.pq
        self.alloc = {}  # item -> fund -> [personnel, public, project] in fen
        self.econ = {}  # econ 款 -> [personnel, public]
        self.three = [0, 0, 0, 0]  # outbound, vehicle purchase, vehicle operation, reception
        self.admin_op = 0
        self.projects = []  # (name, amount, goal, [(l1, l2, l3, text, op, value, unit)])

    def R(self, fen):
        """The printed figure of a cell holding fen: rounded half up to pq."""
        if self.pq == 1:
            return fen
        neg = fen < 0
        v = (abs(fen) + self.pq // 2) // self.pq * self.pq
        return -v if neg else v

    def amt(self, rng, lo, hi):
        """A random amount in [lo, hi) yuan as fen, a positive multiple of q."""
        fen = int(rng.uniform(lo, hi) * 100)
        return max(self.q, fen // self.q * self.q)

    def add(self, item, fund, kind, fen):
        a = self.alloc.setdefault(item, {}).setdefault(fund, [0, 0, 0])
        a[kind] += fen


def split_amount(total, weights, q, rng):
    """Split total (a multiple of q) into len(weights) multiples of q >= 0,
    summing exactly to total."""
    units = total // q
    sw = sum(weights)
    parts = [int(units * w / sw) for w in weights]
    rest = units - sum(parts)
    i = 0
    while rest > 0:
        parts[i % len(parts)] += 1
        rest -= 1
        i += 1
    return [p * q for p in parts]


# Relative size of the personnel 款 that are not tied to a function item.
PERSONNEL_WEIGHT = {"30101": (1.0, 1.6), "30102": (1.2, 2.2), "30103": (0.1, 0.4), "30107": (0.6, 1.4),
                    "30112": (0.03, 0.1), "30199": (0.05, 0.4), "30305": (0.02, 0.2)}


def build_model(dept, year, prof, years, large_k, seed):
    rng = random.Random("%s/model/%s/%d" % (seed, dept.idx, year))
    s = Sub(dept, year, prof)
    growth = 1.0 + 0.04 * (year - years[0]) + rng.uniform(-0.05, 0.05)
    scale = dept.scale * growth * (20 if large_k else 1)
    gb = "general_budget"
    large_items = None
    if large_k:
        # A large (provincial) department: as many 项 as the code list has,
        # up to the row budget, each with projects.
        pool = [c for c in LARGE_ITEMS if codes.exists(c, year)]
        n_items = max(1, min(len(pool), large_k * 3 // 4))  # + 类/款 rows ~ K
        large_items = sorted(random.Random("%s/large/%s/%d" % (seed, dept.idx, year)).sample(pool, n_items))

    # Basic expenditure: personnel and public funds of the running items.
    run_pers = 0
    for item in dept.run_items:
        p = s.amt(rng, scale * 0.2, scale * 0.4)
        u = s.amt(rng, p / 100 * 0.08, p / 100 * 0.20)
        s.add(item, gb, 0, p)
        s.add(item, gb, 1, u)
        run_pers += p
    if large_items:
        for item in large_items[::7]:
            if item not in dept.run_items:
                s.add(item, gb, 0, s.amt(rng, scale * 0.01, scale * 0.03))
                s.add(item, gb, 1, s.amt(rng, scale * 0.002, scale * 0.006))
    # Social insurance and housing, personnel only (rp: yuan).
    jig = dept.unit_type != "事业"
    rp = run_pers / 100
    s.add("2080505", gb, 0, s.amt(rng, rp * 0.10, rp * 0.14))
    if rng.random() < 0.85:
        s.add("2080506", gb, 0, s.amt(rng, rp * 0.04, rp * 0.06))
    s.add("2101101" if jig else "2101102", gb, 0, s.amt(rng, rp * 0.05, rp * 0.08))
    if jig and rng.random() < 0.3:
        s.add("2101103", gb, 0, s.amt(rng, rp * 0.005, rp * 0.015))
    s.add("2210201", gb, 0, s.amt(rng, rp * 0.07, rp * 0.10))
    if rng.random() < 0.1:
        s.add("2210202", gb, 0, s.amt(rng, rp * 0.01, rp * 0.02))
    if rng.random() < 0.4:
        s.add("2080501" if jig else "2080502", gb, 0, s.amt(rng, rp * 0.05, rp * 0.15))

    # Projects (general budget): each belongs to one 项; the 项's project
    # amount is the sum of its projects.
    if large_items:
        proj_items = large_items
        n_proj = max(1, large_k // 5)
    else:
        avail = [c for c in dept.proj_items if codes.exists(c, year)] or dept.run_items[:1]
        k = rng.randint(1, min(4, len(avail)))
        proj_items = sorted(rng.sample(avail, k))
        n_proj = sum(rng.randint(1, 3) for _ in proj_items)
    used_names = set()
    themes = THEMES[:]
    rng.shuffle(themes)
    for j in range(n_proj):
        item = proj_items[j % len(proj_items)]
        amount = s.amt(rng, scale * 0.01, scale * 0.12) if not large_items \
            else s.amt(rng, scale * 0.0005, scale * 0.004)
        name = project_name(dept, item, j, themes, used_names)
        s.add(item, gb, 2, amount)
        s.projects.append((name, amount, rng.choice(GOALS), indicators(rng, s.R(amount), s.pq)))

    # Government-fund and state-capital budgets.
    if prof["t8"] == "gf_yes":
        for item in sorted(rng.sample(codes.GOV_FUND_ITEMS, rng.randint(1, 3))):
            s.add(item, "gov_fund", 2, s.amt(rng, scale * 0.2, scale * 1.5))
        if rng.random() < 0.2:
            s.add(codes.GOV_FUND_ITEMS[0], "gov_fund", 1, s.amt(rng, scale * 0.005, scale * 0.02))
    if prof["t10"] == "sc_yes":
        s.add(codes.STATE_CAPITAL_ITEMS[0], "state_capital", 2, s.amt(rng, scale * 0.05, scale * 0.3))

    # Money other than fiscal appropriations.
    xf = prof["xfund"]
    extra = [xf[3:]] if xf != "xf_none" else []
    if rng.random() < 0.1:
        extra.append(rng.choice(["other", "carryover", "business", "fiscal_special"]))
    for fund in extra:
        if fund in ("business", "subordinate_remit"):
            item = dept.run_items[0]
            if fund == "business":
                s.add(item, fund, 0, s.amt(rng, scale * 0.02, scale * 0.08))
            s.add(item, fund, 1, s.amt(rng, scale * 0.01, scale * 0.04))
        else:
            if fund == "carryover" and rng.random() < 0.5:
                spare = [c for c in dept.proj_items if c not in s.alloc and codes.exists(c, year)]
                item = rng.choice(spare) if spare else rng.choice(proj_items)
            else:
                item = rng.choice(proj_items)
            s.add(item, fund, 2, s.amt(rng, scale * 0.01, scale * 0.1))

    # Economic classification of the general-budget basic expenditure.
    pers = sum(f.get(gb, [0, 0, 0])[0] for f in s.alloc.values())
    pub = sum(f.get(gb, [0, 0, 0])[1] for f in s.alloc.values())

    def gbp(item):
        return s.alloc.get(item, {}).get(gb, [0, 0, 0])[0]

    anchored = {"30108": gbp("2080505"), "30109": gbp("2080506"),
                "30110": gbp("2101101") + gbp("2101102"), "30111": gbp("2101103"),
                "30113": gbp("2210201") + gbp("2210202"),
                "30302": gbp("2080501") + gbp("2080502")}
    rest = pers - sum(anchored.values())
    pool = ["30101", "30102", "30103", "30107", "30112", "30199", "30305"]
    if large_items:
        pool += ["30106", "30114", "30301", "30303", "30304", "30306", "30307", "30308", "30309", "30399"]
    weights = [rng.uniform(*PERSONNEL_WEIGHT.get(c, (0.02, 0.2))) for c in pool]
    econ = dict(anchored)
    for code, v in zip(pool, split_amount(rest, weights, s.q, rng)):
        econ[code] = econ.get(code, 0) + v
    for code, v in econ.items():
        if v:
            s.econ[code] = [v, 0]
    # Public funds, with the three public expenses where the budget has them.
    cap = pub // 12 // s.q * s.q  # fen; the three together stay under pub / 4
    if cap >= s.q:
        cy = cap / 100
        if rng.random() < 0.6:
            s.three[3] = min(cap, s.amt(rng, cy / 4, cy))  # 公务接待费 30217
        if rng.random() < 0.4:
            s.three[2] = min(cap, s.amt(rng, cy / 2, cy))  # 公务用车运行维护费 30231
        if rng.random() < 0.1:
            s.three[0] = min(cap, s.amt(rng, cy / 3, cy))  # 因公出国（境）费用 30212
    if rng.random() < 0.08:
        s.three[1] = s.amt(rng, 100000, 250000)  # 公务用车购置: project funds
    anchored_pub = {"30212": s.three[0], "30231": s.three[2], "30217": s.three[3]}
    rest = pub - sum(anchored_pub.values())
    pool = ["30201", "30205", "30206", "30207", "30209", "30211", "30213", "30215", "30216", "30228",
            "30229", "30239", "30299", "31002"]
    if large_items:
        pool += ["30202", "30203", "30204", "30208", "30214", "30218", "30226", "30227", "30240",
                 "31003", "31007"]
    else:
        pool = sorted(rng.sample(pool, rng.randint(4, len(pool))))
    weights = [rng.uniform(0.5, 3.0) for _ in pool]
    for code, v in list(anchored_pub.items()) + list(zip(pool, split_amount(rest, weights, s.q, rng))):
        if v:
            e = s.econ.setdefault(code, [0, 0])
            e[1] += v
    s.admin_op = pub if jig else 0
    return s


def project_name(dept, item, j, themes, used):
    iname = FUNCTION[item]
    generic = iname in ("行政运行", "一般行政管理事务", "机关服务", "事业运行") or iname.startswith("其他")
    cands = []
    if not generic:
        cands += [iname + k for k in KINDS]
    t = themes[j % len(themes)]
    cands += [t + k for k in KINDS]
    for c in cands:
        if c not in used:
            used.add(c)
            return c
    n = 2
    while True:
        c = "%s%s（第%d批）" % (t, KINDS[j % len(KINDS)], n)
        if c not in used:
            used.add(c)
            return c
        n += 1


def indicators(rng, amount, q):
    """Performance indicators of a project: (l1, l2, l3, text, op, value, unit);
    op, value and unit are None for a text target."""
    out = []
    wan = Decimal(amount) / Decimal(1000000)
    if q == 10000 or amount % 10000 == 0:
        text, val, unit = "=" + dec_text(wan) + "万元", dec_text(wan), "万元"
    else:
        y = Decimal(amount) / Decimal(100)
        text, val, unit = "≤" + dec_text(y) + "元", dec_text(y), "元"
    out.append(("成本指标", "经济成本指标", "总成本控制", text, text[0], val, unit))
    for name, u in rng.sample(QTY, rng.randint(1, 3)):
        n = rng.randint(2, 900)
        op = rng.choice(["=", "≥"])
        out.append(("产出指标", "数量指标", name, "%s%d%s" % (op, n, u), op, str(n), u))
    for name in rng.sample(QUAL, rng.randint(0, 2)):
        v = rng.choice(["95", "98", "100", "99.5", "90"])
        form = rng.random()
        if v == "100" and form < 0.3:
            out.append(("产出指标", "质量指标", name, "100%", "=", "100", "%"))
        else:
            op = "=" if v == "100" else "≥"
            out.append(("产出指标", "质量指标", name, op + v + "%", op, v, "%"))
    if rng.random() < 0.5:
        name = rng.choice(TIMELY)
        out.append(("产出指标", "时效指标", name, "=100%", "=", "100", "%"))
    if rng.random() < 0.3:
        d = rng.randint(5, 90)
        out.append(("产出指标", "时效指标", "完成时限", "≤%d天" % d, "≤", str(d), "天"))
    l2, name = rng.choice(BENEFIT)
    if rng.random() < 0.7:
        out.append(("效益指标", l2, name, rng.choice(BENEFIT_TEXT), None, None, None))
    else:
        v = rng.choice(["80", "85", "90"])
        out.append(("效益指标", l2, name, "≥" + v + "%", "≥", v, "%"))
    v = rng.choice(["90", "95", "98"])
    out.append(("满意度指标", "服务对象满意度指标", rng.choice(["群众满意度", "服务对象满意度"]),
                "≥" + v + "%", "≥", v, "%"))
    return out


# --------------------------------------------------------------------------
# Derived figures (what each table says)

def t3_rows(s):
    """item -> [basic, project], every fund."""
    out = {}
    for item, funds in s.alloc.items():
        b = sum(v[0] + v[1] for v in funds.values())
        p = sum(v[2] for v in funds.values())
        if b or p:
            out[item] = [b, p]
    return out


def fund_rows(s, fund):
    """item -> [personnel, public, project] of one fund."""
    out = {}
    for item, funds in s.alloc.items():
        v = funds.get(fund)
        if v and any(v):
            out[item] = list(v)
    return out


def revenue(s):
    """fund source -> amount (table 2's 合计 row), carryover included."""
    out = {}
    for funds in s.alloc.values():
        for f, v in funds.items():
            out[f] = out.get(f, 0) + sum(v)
    return out


# --------------------------------------------------------------------------
# Rendering

FW = str.maketrans("0123456789,", "０１２３４５６７８９，")
ZERO = {"zero_empty": "", "zero_0.00": "0.00", "zero_0": "0", "zero_dash": "-", "zero_emdash": "—"}
ORD = "一二三四五六七八九十"

TITLES = {
    1: ("部门收支总表", "部门财务收支预算总表"),
    2: ("部门收入总表", "部门收入预算总表"),
    3: ("部门支出总表", "部门支出总表"),
    4: ("财政拨款收支总表", "财政拨款收支总表"),
    5: ("一般公共预算支出表", "部门一般公共预算支出功能分类预算表"),
    6: ("一般公共预算基本支出表", "部门一般公共预算基本支出部门预算经济分类预算表"),
    7: ("一般公共预算“三公”经费支出表", "部门“三公”经费和机关运行经费预算表"),
    8: ("政府性基金预算支出表", "政府性基金预算支出表"),
    9: ("项目支出绩效目标表", "项目支出绩效目标表"),
    10: ("国有资本经营预算支出表", "国有资本经营预算支出表"),
}
NUM_ALT = {1: 1, 2: 2, 3: 3, 4: 5, 5: 6, 6: 7, 7: 9, 8: 8, 9: 10, 10: 4}


def ordinal(i):
    """0 -> 一, 9 -> 十, 10 -> 十一 ... 18 -> 十九."""
    if i < 10:
        return ORD[i]
    return "十" + ORD[i - 10]


class Fmt:
    def __init__(self, s):
        p = s.prof
        self.s = s
        self.wan = s.wan
        self.thousands = p["amt"] == "amt_thousands"
        self.fullwidth = p["fullwidth"] == "fullwidth"
        self.zero = ZERO[p["zero"]]
        self.fw_rows = 0

    def amount(self, fen, fw=False):
        if fen == 0:
            return self.zero
        if self.wan:
            pf = self.s.R(fen)
            # a figure is either exact or (round_cell) rounded, never rounded to nothing
            assert pf != 0 and (self.s.rounding or pf == fen), fen
            ip, fp = divmod(pf // 10000, 100)
        else:
            ip, fp = divmod(fen, 100)
        t = ("{:,}".format(ip) if self.thousands else str(ip)) + ".%02d" % fp
        if fw:
            t = t.translate(FW)
        return t

    def row(self, fens, idx):
        fw = self.fullwidth and idx % 3 == 1
        if fw and any(fens):
            self.fw_rows += 1
        return [self.amount(v, fw) for v in fens]


def header_rows(cols):
    """cols: one label path (top to bottom) per column.  Merged cells come
    out blank: to the right of a group label, below a short path."""
    depth = max(len(c) for c in cols)
    rows = []
    for lv in range(depth):
        row = []
        for j, c in enumerate(cols):
            if lv >= len(c):
                row.append("")
            elif j > 0 and lv < len(cols[j - 1]) and cols[j - 1][:lv + 1] == c[:lv + 1] \
                    and (len(c) > lv + 1 or cols[j - 1] == c):
                row.append("")  # a group label spans its children; equal paths are one merged cell
            else:
                row.append(c[lv])
        rows.append(row)
    return rows


def code_cols(p, econ):
    """Header paths of the code/name columns, and the layout."""
    lay = p["econ"][5:] if econ else p["codes"][5:]
    ch = {"codehdr_kmbm": "经济分类科目编码" if econ else "科目编码",
          "codehdr_gnfl": "经济分类科目编码" if econ else "功能分类科目编码",
          "codehdr_kmdm": "科目代码"}[p["codehdr"]]
    nh = "经济分类科目名称" if econ and p["codehdr"] != "codehdr_kmdm" else "科目名称"
    if lay in ("column", "spaced"):
        cols = [[ch], [nh]]
    elif lay == "split" and p["hdr"] == "hdr_min":
        # 科目编码 merged over the split columns, no 类/款/项 row (sample 110002, table 3)
        cols = [[ch], [ch]] + ([] if econ else [[ch]]) + [[nh]]
    elif lay == "split":
        cols = [[ch, "类"], [ch, "款"]] + ([] if econ else [[ch, "项"]]) + [[nh]]
    else:  # combined, bracket, none: one name cell
        cols = [[nh]]
    return lay, cols


def code_cells(lay, code, name, lvl, indent, econ):
    """The code/name cells of one row in layout lay."""
    ind = "\u3000" * (lvl - 1) if indent else ""
    if lay == "column":
        return [code, ind + name]
    if lay == "spaced":
        return [" ".join([code[:3], code[3:5], code[5:7]][:lvl]), ind + name]
    if lay == "split":
        cells = [code[:3], code[3:5], code[5:7]]
        return (cells[:2] if econ else cells) + [ind + name]
    if lay == "combined":
        return [ind + code + " " + name]
    if lay == "bracket":
        return [ind + "[" + code + "]" + name]
    return [ind + name]  # none


def tree_rows(values, nlev, leafonly):
    """values: leaf code -> list of amounts.  Rows (level, code, amounts)
    in code order, with the higher levels summed unless leafonly."""
    cut = [3, 5, 7][:nlev]
    agg = {}
    for code, v in values.items():
        for c in cut[:-1]:
            a = agg.setdefault(code[:c], [0] * len(v))
            for i, x in enumerate(v):
                a[i] += x
    rows = []
    for code in sorted(set(values) | (set() if leafonly else set(agg))):
        lvl = cut.index(len(code)) + 1
        rows.append((lvl, code, values[code] if lvl == nlev else agg[code]))
    return rows


# Title wordings by meaning, per kind, as departments print them; index 0 is
# the standard one.  tw_1..tw_3 pick the others (modulo the list's length).
# A unit's title puts 单位 or 预算单位 where a department's says 部门.
TITLE_WORDS = {
    1: ["部门收支总表", "部门财务收支预算总表", "收支预算总表", "部门收入支出预算总表"],
    2: ["部门收入总表", "部门收入预算总表", "收入预算总表"],
    3: ["部门支出总表", "部门支出预算总表"],
    4: ["财政拨款收支总表", "部门财政拨款收支预算总表", "财政拨款收入支出预算总表"],
    5: ["一般公共预算支出表", "部门一般公共预算支出功能分类预算表"],
    6: ["一般公共预算基本支出表", "部门一般公共预算基本支出部门预算经济分类预算表"],
    7: ["一般公共预算“三公”经费支出表", "一般公共预算“三公”经费支出预算表"],
    "7a": ["部门“三公”经费和机关运行经费预算表", "“三公”经费和机关运行经费预算表"],
    8: ["政府性基金预算支出表", "部门政府性基金预算支出功能分类预算表"],
    9: ["项目支出绩效目标表"],
    10: ["国有资本经营预算支出表", "部门国有资本经营预算支出功能分类预算表"],
}
# 调整预算 (stage adjusted): the budget kinds 1, 3 and 5 as a mid-year adjustment.
ADJ_TITLES = {1: "部门收支调整预算总表", 3: "部门支出调整预算总表", 5: "一般公共预算支出调整预算表"}
NOTE_TEXT = {
    1: "注：本表反映部门本年度的总收支预算情况。",
    2: "注：本表反映部门本年度各项收入预算情况。",
    3: "注：本表反映部门本年度各项支出预算情况。",
    4: "注：本表反映部门本年度财政拨款收支预算情况。",
    5: "注：本表反映部门本年度一般公共预算支出情况。",
    6: "注：本表反映部门本年度一般公共预算基本支出情况。",
    7: "说明：“三公”经费包括因公出国（境）费、公务用车购置及运行费和公务接待费。",
    8: "注：本表反映部门本年度政府性基金预算支出情况。",
    9: "注：本表反映部门本年度项目支出绩效目标情况。",
    10: "注：本表反映部门本年度国有资本经营预算支出情况。",
}
FUND_WORD = {8: "政府性基金预算", 10: "国有资本经营预算"}


def scope_title(title, dept):
    """A department's title as its unit prints it (单位 / 预算单位 for 部门)."""
    if getattr(dept, "scope", "department") != "unit":
        return title
    pre = dept.unit_prefix
    return pre + title[2:] if title.startswith("部门") else pre + title


def empty_body(variant, kind, tot_cells, namt, none_line, final_year=None):
    """The body of an empty fund table (8 or 10) in one of the printed variants."""
    fw = FUND_WORD[kind]
    if final_year:
        note = "注：本部门%d年度没有%s财政拨款收入和支出，故本表无数据。" % (final_year, fw)
    else:
        note = "注：本部门没有%s拨款收入，也没有使用%s拨款安排的支出，故本表无数据。" % (fw, fw)
    total = {"ef_total_blank": "", "ef_total_zero": "0", "ef_total_dash": "-",
             "ef_total_note": ""}.get(variant)
    if variant == "ef_line":
        return [[none_line]]
    if variant == "ef_wu":
        return [["无"]]
    if variant == "ef_blank_rows":
        return [[""], [""], [""]]
    if variant == "ef_note":
        return [[note]]
    body = [tot_cells + [total] * namt]
    if variant == "ef_total_note":
        body.append([note])
    return body


class Writer:
    def __init__(self, s, out_dir, files_rows, repaired=None, seed=""):
        self.s = s
        self.p = s.prof
        self.f = Fmt(s)
        self.dir = out_dir
        self.files_rows = files_rows
        self.repaired = repaired if repaired is not None else []
        self.seed = seed
        self.hdr_counts = set()
        self.effects = set()  # options of the new dimensions that took effect
        self.unit_text = self._unit_text()
        self.meta_prefix = {"meta_bumen": "部门：", "meta_danweimingcheng": "单位名称：",
                            "meta_bianzhidanwei": "编制单位：", "meta_bumenmingcheng": "部门名称："}[
            self.p["meta"]]

    def _unit_text(self):
        u = "万元" if self.s.wan else "元"
        return {"unit_fullcolon": "单位：", "unit_halfcolon": "单位:",
                "unit_jine": "金额单位："}[self.p["unitfmt"]] + u

    def title(self, kind):
        p = self.p
        if p.get("tword", "tw_std") == "tw_std":
            t = TITLES[kind][1 if p["titles"] == "titles_sh" else 0]
        else:
            words = TITLE_WORDS["7a" if kind == 7 and p["t7admin"] == "t7_admin" else kind]
            t = words[int(p["tword"][3:]) % len(words)]
        return scope_title(t, self.s.dept)

    def tothdr(self):
        return "总计" if self.p["tothdr"] == "tothdr_zongji" else "合计"

    def totlabel(self):
        return "总计" if self.p["totlabel"] == "total_zongji" else "合计"

    def words(self):
        return ("人员支出", "公用支出") if self.p["words"] == "words_zhichu" else ("人员经费", "公用经费")

    def extra(self, cols, ncode, group_code, group_amt="预算数"):
        """hdr_extra: one more header row, groups over code and amount columns."""
        return [[group_code] + c for c in cols[:ncode]] + [[group_amt] + c for c in cols[ncode:]]

    def notes(self, kind):
        return [[NOTE_TEXT[kind]]] if self.p.get("notes") == "notes_after" else []

    def write(self, kind, header, body, notes=(), unit=True, title=None, stage="budget", numline=None,
              name=None, meta_name=True, title_text=None, table_kind=None):
        """Assemble number, title, meta, header, body and note lines; encode;
        write; list the file in expected/files.csv.  The defaults are a budget
        table; the final accounts pass their own number line, title, name."""
        p = self.p
        s = self.s
        num = NUM_ALT.get(kind, kind) if p["numbering"] == "num_alt" else kind
        self.hdr_counts.add(len(header))
        notes = list(notes)
        width = max(len(r) for r in header + body) if (header or body) else 2
        width = max(width, 2)
        lines = []
        if numline is None:
            if p["tabline"] == "tab_biao":
                lines.append(["表%d" % num])
            elif p["tabline"] == "tab_fubiao":
                lines.append(["附表%d" % num])
        elif numline:
            lines.append([numline])
        title = title or self.title(kind)
        lines.append([title_text if title_text is not None else "%d年%s" % (s.year, title)])
        meta = [""] * width
        if meta_name:
            meta[0] = self.meta_prefix + s.dept.name
        if unit:
            meta[width - 1] = self.unit_text
        if any(meta):
            lines.append(meta)
        lines.extend(header)
        lines.extend(body)
        lines.extend(notes)
        pad = width + (3 if p["trail"] == "trail" else 0)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if p["eol"] == "crlf" else "\n")
        for r in lines:
            if len(r) < pad:
                r = r + [""] * (pad - len(r))
            w.writerow(r)
        text = buf.getvalue()
        enc = p["enc"]
        data = text.encode("gb18030") if enc == "gb18030" else \
            (b"\xef\xbb\xbf" if enc == "utf8bom" else b"") + text.encode("utf-8")
        if name is None:
            pre = "调整预算" if stage == "adjusted" else ""
            name = pre + {"fn_biao": "表%d %s.csv" % (num, title), "fn_fubiao": "附表%d-%s.csv" % (num, title),
                          "fn_sheet": "sheet%d.csv" % num}[p["fname"]]
        if p["gz"] == "gzip":
            data = gzip.compress(data, compresslevel=6, mtime=0)
            name += ".gz"
        rel = "%d/%s/%s" % (s.year, s.dept.code, name)
        path = os.path.join(self.dir, name)
        assert not os.path.exists(path), path
        with open(path, "wb") as fh:
            fh.write(data)
        scope = "unit" if "单位" in title else "department"
        self.files_rows.append([rel, str(s.year), s.dept.code, str(table_kind or kind),
                                {"utf8": "utf-8", "utf8bom": "utf-8-bom", "gb18030": "gb18030"}[enc],
                                "gzip" if p["gz"] == "gzip" else "none",
                                ("wan" if s.wan else "yuan") if unit else "none",
                                str(len(header)), str(len(lines)), stage, scope])

    # Function-classified tables: 2, 3, 5, 8, 10 ---------------------------

    def total_cells(self, lay, nc):
        """The code/name cells of a 合计 row: the label in the name cell, or
        (totcode_code) in the code column, or the 类 cell of split columns."""
        if self.p.get("totcode") == "totcode_code" and lay in ("column", "spaced", "split"):
            self.effects.add("totcode_code")
            return [self.totlabel()] + [""] * (nc - 1)
        return [""] * (nc - 1) + [self.totlabel()]

    def strip_zeros(self, kind, cells, code, econ, rng):
        """sz_strip: the spreadsheet dropped the leading zeros of some 款/项
        cells of split columns (03 -> 3); the row is listed in
        expected/code_repaired.csv."""
        n = 2 if econ else 3
        if rng.random() >= 0.5:
            return cells
        out = [cells[0]] + [c.lstrip("0") if c else c for c in cells[1:n]] + cells[n:]
        if out[:n] != cells[:n]:
            self.effects.add("sz_strip")
            printed = [c for c in out[:n]]
            while printed and not printed[-1]:
                printed.pop()
            self.repaired.append([str(self.s.year), self.s.dept.code, str(kind),
                                  "%s → %s" % ("|".join(printed), code)])
        return out

    def classified(self, kind, amount_cols, values, total, econ=False, none_line=None, stage="budget"):
        p = self.p
        lay, ccols = code_cols(p, econ)
        cols = ccols + amount_cols
        hdr_extra = p["hdr"] == "hdr_extra"
        if hdr_extra:
            cols = self.extra(cols, len(ccols), "经济分类科目" if econ else "功能分类科目")
        if p.get("hdrvar") == "hv_layer" and kind in (3, 5) and none_line is None:
            # a layer above the amounts, as merged cells export: 本年支出/预算数/基本支出/人员经费
            nc = len(ccols)
            layer = ["本年支出"] if hdr_extra else ["本年支出", "预算数"]
            cols = cols[:nc] + [layer + c for c in cols[nc:]]
        header = header_rows(cols)
        nc = len(ccols)
        body = []
        if none_line is not None:
            unit = p.get("efunit") != "ef_nounit"
            body = empty_body(p.get("efund", "ef_line"), kind, self.total_cells(lay, nc),
                              len(amount_cols), none_line)
            self.effects.update([p.get("efund", "ef_line"), p.get("efunit", "ef_unit")])
            self.write(kind, header, body, notes=self.notes(kind), unit=unit)
            return
        leafonly = p["leafonly"] == "leafonly" and lay != "none"
        year = self.s.year
        rows = tree_rows(values, 2 if econ else 3, leafonly)
        tot_cells = self.total_cells(lay, nc)
        indent = p["indent"] == "indent"
        top = p["totpos"] == "total_top"
        strip = lay == "split" and p.get("stripzero") == "sz_strip" and stage == "budget"
        srng = random.Random("%s/strip/%s/%d/%d" % (self.seed, self.s.dept.idx, year, kind))
        idx = 0
        if top:
            body.append(tot_cells + self.f.row(total, idx))
            idx += 1
        for lvl, code, v in rows:
            name = ECON[code] if econ else codes.fname(code, year)
            cells = code_cells(lay, code, name, lvl, indent, econ)
            if strip:
                cells = self.strip_zeros(kind, cells, code, econ, srng)
            body.append(cells + self.f.row(v, idx))
            idx += 1
        if not top:
            body.append(tot_cells + self.f.row(total, idx))
        if stage == "adjusted":
            self.write(kind, header, body, notes=self.notes(kind), title=scope_title(ADJ_TITLES[kind], self.s.dept),
                       stage="adjusted")
        else:
            self.write(kind, header, body, notes=self.notes(kind))

    def t2(self, items_fund, carry, funds_fiscal):
        if funds_fiscal:
            fcols = [("fiscal_appropriation", "财政拨款收入")] + FUND_SOURCES[3:]
        else:
            fcols = FUND_SOURCES
        # 本年收入 stays a merged group over 小计 and the fund columns whatever
        # the header style: a flattened "本年收入小计" is no documented wording.
        brk = self.p.get("hdrvar") == "hv_break"
        amt = [[self.tothdr()], ["本年收入", "小计"]] + \
            [["本年收入", "事业单位\n经营收入" if brk and n == "事业单位经营收入" else n] for _, n in fcols] + \
            [["上年结转结余"]]
        values = {}
        for item, byfund in items_fund.items():
            row = []
            for key, _ in fcols:
                if key == "fiscal_appropriation":
                    row.append(sum(byfund.get(f, 0) for f in codes.FISCAL_FUNDS))
                else:
                    row.append(byfund.get(key, 0))
            c = byfund.get("carryover", 0)
            values[item] = [sum(row) + c, sum(row)] + row + [c]
        total = [0] * (len(fcols) + 3)
        for v in values.values():
            for i, x in enumerate(v):
                total[i] += x
        self.classified(2, amt, values, total)

    def t3(self, rows, stage="budget"):
        p = self.p
        amt = [[self.tothdr()], ["基本支出"], ["项目支出"]]
        extra = p["t3extra"] == "t3_extra"
        if extra:
            amt += [["上缴上级支出"], ["事业单位经营支出"], ["对附属单位补助支出"]]
        values = {k: [b + pr, b, pr] + ([0, 0, 0] if extra else []) for k, (b, pr) in rows.items()}
        total = [sum(v[i] for v in values.values()) for i in range(len(amt))]
        self.classified(3, amt, values, total, stage=stage)

    def t5(self, rows, stage="budget"):
        pw, uw = self.words()
        if self.p["hdr"] == "hdr_min":
            amt = [[self.tothdr()], ["基本支出"], [pw], [uw], ["项目支出"]]
        else:
            amt = [[self.tothdr()], ["基本支出", "小计"], ["基本支出", pw], ["基本支出", uw], ["项目支出"]]
        values = {k: [a + b + c, a + b, a, b, c] for k, (a, b, c) in rows.items()}
        total = [sum(v[i] for v in values.values()) for i in range(5)]
        self.classified(5, amt, values, total, stage=stage)

    def t8_10(self, kind, rows, none_line):
        amt = [[self.tothdr()], ["基本支出"], ["项目支出"]]
        if none_line:
            self.classified(kind, amt, {}, None, none_line=none_line)
            return
        values = {k: [a + b + c, a + b, c] for k, (a, b, c) in rows.items()}
        total = [sum(v[i] for v in values.values()) for i in range(3)]
        self.classified(kind, amt, values, total)

    def t6(self, econ):
        pw, uw = self.words()
        amt = [[self.tothdr()], [pw], [uw]]
        values = {k: [a + b, a, b] for k, (a, b) in econ.items()}
        total = [sum(v[i] for v in values.values()) for i in range(3)]
        self.classified(6, amt, values, total, econ=True)

    # Two-sided tables 1 and 4 --------------------------------------------

    def two_sided(self, kind, income, carry, expense, stage="budget"):
        header = [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]]
        body = []
        n = max(len(income), len(expense))
        inc_total = sum(v for _, v in income)
        exp_total = sum(v for _, v in expense)
        for i in range(n):
            row = ["", "", "", ""]
            if i < len(income):
                row[0] = "%s、%s" % (ordinal(i), income[i][0])
                row[1] = self.f.amount(income[i][1])
            if i < len(expense):
                row[2] = "%s、%s" % (ordinal(i), expense[i][0])
                row[3] = self.f.amount(expense[i][1])
            body.append(row)
        body.append(["本年收入合计", self.f.amount(inc_total), "本年支出合计", self.f.amount(exp_total)])
        body.append(["上年结转结余", self.f.amount(carry), "结转下年", ""])
        body.append(["收入总计", self.f.amount(inc_total + carry), "支出总计", self.f.amount(exp_total)])
        if stage == "adjusted":
            self.write(kind, header, body, notes=self.notes(kind), title=scope_title(ADJ_TITLES[kind], self.s.dept),
                       stage="adjusted")
        else:
            self.write(kind, header, body, notes=self.notes(kind))

    # Table 7 ---------------------------------------------------------------

    def t7(self, three, admin_op):
        p = self.p
        out_, buy, run, rec = three
        veh = ["公务用车购置及运行费"]
        if p["hdr"] == "hdr_min":
            vcols = [veh, ["公务用车购置费"], ["公务用车运行费"]]
        else:
            vcols = [veh + ["小计"], veh + ["公务用车购置费"], veh + ["公务用车运行费"]]
        vvals = [buy + run, buy, run]
        cols = [[self.tothdr()], ["因公出国（境）费"]]
        vals = [out_ + buy + run + rec, out_]
        if p["t7order"] == "t7_reception_first":
            cols += [["公务接待费"]] + vcols
            vals += [rec] + vvals
        else:
            cols += vcols + [["公务接待费"]]
            vals += vvals + [rec]
        year_hdr = p.get("hdrvar") == "hv_year"
        if year_hdr:
            # Shanghai: 2023年“三公”经费预算数 over the 三公 columns, 2023年机关运行经费预算数
            cols = [["%d年“三公”经费预算数" % self.s.year] + c for c in cols]
        elif p["hdr"] == "hdr_extra":
            cols = [["“三公”经费"] + c for c in cols]
        if p["t7admin"] == "t7_admin":
            cols.append(["%d年机关运行经费预算数" % self.s.year] if year_hdr else ["机关运行经费"])
            vals.append(admin_op)
        self.write(7, header_rows(cols), [self.f.row(vals, 0)], notes=self.notes(7))

    # Table 9 ---------------------------------------------------------------

    def t9(self, projects):
        cols = [["项目名称"], ["主管部门"], ["资金总额"], ["年度绩效目标"]]
        ind = [["一级指标"], ["二级指标"], ["三级指标"], ["指标值"]]
        if self.p["hdr"] == "hdr_extra":
            ind = [["绩效指标"] + c for c in ind]
        body = []
        for name, amount, goal, inds in projects:
            for j, (l1, l2, l3, text, _, _, _) in enumerate(inds):
                if j == 0:
                    body.append([name, self.s.dept.name, self.f.amount(amount), goal, l1, l2, l3, text])
                else:
                    body.append(["", "", "", "", l1, l2, l3, text])
        self.write(9, header_rows(cols + ind), body, notes=self.notes(9))


def table1(w, s, stage="budget"):
    rev = revenue(s)
    carry = rev.get("carryover", 0)
    by_class = {}
    for item, (b, pr) in t3_rows(s).items():
        by_class[item[:3]] = by_class.get(item[:3], 0) + b + pr
    if s.prof["funds"] == "funds_fiscal":
        inc = [("财政拨款收入", sum(rev.get(f, 0) for f in codes.FISCAL_FUNDS))] + \
            [(n, rev.get(k, 0)) for k, n in FUND_SOURCES[3:]]
    else:
        inc = [(n, rev.get(k, 0)) for k, n in FUND_SOURCES]
    w.two_sided(1, inc, carry, [(codes.fname(c, s.year), v) for c, v in sorted(by_class.items())], stage=stage)


def render(s, out_root, files_rows, repaired=None, seed=""):
    """Write the budget tables of s; returns the Writer (its effects and
    header-row counts make the dialect tags)."""
    p = s.prof
    d = os.path.join(out_root, str(s.year), s.dept.code)
    os.makedirs(d, exist_ok=True)
    w = Writer(s, d, files_rows, repaired, seed)
    gb = fund_rows(s, "general_budget")
    gf = fund_rows(s, "gov_fund")
    sc = fund_rows(s, "state_capital")
    rev = revenue(s)
    carry = rev.get("carryover", 0)
    fiscal = p["funds"] == "funds_fiscal"

    table1(w, s)
    # Table 2.
    items_fund = {}
    for item, funds in s.alloc.items():
        items_fund[item] = {f: sum(v) for f, v in funds.items()}
    w.t2(items_fund, carry, fiscal)
    # Table 3.
    w.t3(t3_rows(s))
    # Table 4: fiscal appropriations only.
    fcls = {}
    for rows in (gb, gf, sc):
        for item, v in rows.items():
            fcls[item[:3]] = fcls.get(item[:3], 0) + sum(v)
    w.two_sided(4, [(n, rev.get(k, 0)) for k, n in FUND_SOURCES[:3]], 0,
                [(codes.fname(c, s.year), v) for c, v in sorted(fcls.items())])
    w.t5(gb)
    w.t6(s.econ)
    w.t7(s.three, s.admin_op)
    w.t8_10(8, gf, None if gf else "本部门没有政府性基金预算")
    w.t9(s.projects)
    if p["t10"] == "sc_yes":
        w.t8_10(10, sc, None)
    elif p["t10"] == "sc_noneline":
        w.t8_10(10, {}, "本部门没有国有资本经营预算")
    if p.get("adj") == "adj_yes":
        a = adjusted_model(s, seed)
        table1(w, a, "adjusted")
        w.t3(t3_rows(a), stage="adjusted")
        w.t5(fund_rows(a, "general_budget"), stage="adjusted")
        w.effects.add("adj_yes")
    return w


def adjusted_model(s, seed):
    """The 调整预算 of s (stage adjusted, tables 1, 3 and 5): the budget with
    a mid-year addition and one project cut, so that a loader that let it
    overwrite the budget would change the budget views."""
    rng = random.Random("%s/adj/%s/%d" % (seed, s.dept.idx, s.year))
    a = Sub(s.dept, s.year, s.prof)
    a.alloc = {i: {f: list(v) for f, v in fs.items()} for i, fs in s.alloc.items()}
    gb = "general_budget"
    proj = sorted(i for i, fs in a.alloc.items() if fs.get(gb, [0, 0, 0])[2] > a.q * 10)
    if proj:
        i = rng.choice(proj)
        v = a.alloc[i][gb]
        v[2] = max(a.q, v[2] - split_amount(v[2], [1, 3], a.q, rng)[0])
    cands = [c for c in s.dept.proj_items + s.dept.run_items if c not in a.alloc and codes.exists(c, s.year)]
    item = rng.choice(cands) if cands else s.dept.run_items[0]
    scale = max(1, sum(sum(v) for fs in s.alloc.values() for v in fs.values()) // 100)
    a.add(item, gb, 2, a.amt(rng, scale * 0.01, scale * 0.05))
    return a


def effective_tags(prof, budget_w, final_w, rounding):
    """The options that took effect in one entity-year (budget and/or final
    tables written): these are its expected/dialects.csv tags."""
    eff = set()
    hdr = set()
    for w in (budget_w, final_w):
        if w is not None:
            eff |= w.effects
            hdr |= w.hdr_counts
    tags = []
    for dim, opts, _, _ in DIMS:
        v = prof[dim]
        if dim in FINAL_ONLY and final_w is None:
            continue
        if dim in BUDGET_ONLY and budget_w is None:
            continue
        if dim in ("efund", "efunit") and v not in eff:
            continue
        if v in ("sz_strip", "totcode_code") and v not in eff:
            continue
        if dim == "rounding" and v == "round_cell" and not rounding:
            continue
        if v == "fullwidth" and (budget_w is None or budget_w.f.fw_rows == 0):
            v = "nofullwidth"
        tags.append(v)
    tags.append("hdr" + "".join(str(n) for n in sorted(hdr)))
    return tags


# --------------------------------------------------------------------------
# Expected mart views

def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


def budget_facts(s):
    """The printed figures of the budget tables the cross-stage views read:
    table 3 and 5 leaves and 合计 rows, table 6, table 7 (fen)."""
    R = s.R
    b3 = {i: {"basic": R(b), "project": R(p), "total": R(b + p)} for i, (b, p) in t3_rows(s).items()}
    b5 = {i: {"personnel": R(a), "public": R(b), "basic": R(a + b), "project": R(c), "total": R(a + b + c)}
          for i, (a, b, c) in fund_rows(s, "general_budget").items()}
    gb = fund_rows(s, "general_budget").values()
    b5tot = {"basic": R(sum(a + b for a, b, c in gb)), "project": R(sum(c for a, b, c in gb)),
             "total": R(sum(a + b + c for a, b, c in gb))}
    b6 = {c: {"personnel": R(a), "public": R(b), "total": R(a + b)} for c, (a, b) in s.econ.items() if a or b}
    o, b, r, c = s.three
    b7 = {"outbound": R(o), "vehicle_purchase": R(b), "vehicle_operation": R(r), "reception": R(c),
          "total": R(o + b + r + c)}
    return {"b3": b3, "b5": b5, "b5tot": b5tot, "b6": b6, "b7": b7}


class Expected:
    def __init__(self):
        self.v = {k: [] for k in VIEWS}

    def add(self, s):
        y, dc = str(s.year), s.dept.code
        R = s.R
        t3 = t3_rows(s)
        for item, (b, p) in t3.items():
            self.v["expenditure_by_function"].append([y, dc, item, yuan(R(b)), yuan(R(p)), yuan(R(b + p))])
        for item, (a, b, c) in fund_rows(s, "general_budget").items():
            self.v["gpb_expenditure_by_function"].append(
                [y, dc, item, yuan(R(a)), yuan(R(b)), yuan(R(a + b)), yuan(R(c)), yuan(R(a + b + c))])
        for view, fund in (("gov_fund_expenditure_by_function", "gov_fund"),
                           ("state_capital_expenditure_by_function", "state_capital")):
            for item, (a, b, c) in fund_rows(s, fund).items():
                self.v[view].append([y, dc, item, yuan(R(a + b)), yuan(R(c)), yuan(R(a + b + c))])
        for code, (a, b) in s.econ.items():
            if a or b:
                self.v["basic_expenditure_by_economic"].append([y, dc, code, yuan(R(a)), yuan(R(b)),
                                                                yuan(R(a + b))])
        rev = revenue(s)
        if s.prof["funds"] == "funds_fiscal":
            fa = sum(rev.pop(f, 0) for f in codes.FISCAL_FUNDS)
            rev["fiscal_appropriation"] = fa
        for f, v in rev.items():
            if v:
                self.v["revenue_by_source"].append([y, dc, f, yuan(R(v))])
        o, b, r, c = s.three
        self.v["three_public_expenses"].append([y, dc, yuan(R(o)), yuan(R(b)), yuan(R(r)), yuan(R(c)),
                                                yuan(R(o + b + r + c))])
        for name, amount, _, inds in s.projects:
            for l1, l2, l3, text, op, val, unit in inds:
                self.v["project_indicators"].append([y, dc, name, yuan(R(amount)), l3, op or "", val or "",
                                                     unit or ""])
        basic = sum(v[0] for v in t3.values())
        proj = sum(v[1] for v in t3.values())
        self.v["department_year"].append([y, dc, yuan(R(sum(revenue(s).values()))), yuan(R(basic + proj)),
                                          yuan(R(basic)), yuan(R(proj))])

    def write(self, out, final_views=True):
        """final_views False (--final off): the budget views only, the files a
        set without final accounts always had (plus function_yoy)."""
        d = os.path.join(out, "expected")
        os.makedirs(d, exist_ok=True)
        for view, cols in VIEWS.items():
            if view in FINAL_VIEW_NAMES and not final_views:
                continue
            write_csv(os.path.join(d, view + ".csv"), cols, sort_rows(view, self.v[view]))


def to_fen(text):
    neg = text.startswith("-")
    ip, _, fp = text.lstrip("-").partition(".")
    v = int(ip) * 100 + int((fp + "00")[:2])
    return -v if neg else v


# view -> columns; the sort is on the key columns (SORT_KEYS), compared as
# text in code-point order (PostgreSQL: ORDER BY ... COLLATE "C").
VIEWS = {
    "expenditure_by_function": ["fiscal_year", "dept_code", "item_code", "basic_amount",
                                "project_amount", "total_amount"],
    "gpb_expenditure_by_function": ["fiscal_year", "dept_code", "item_code", "personnel_amount",
                                    "public_amount", "basic_amount", "project_amount", "total_amount"],
    "gov_fund_expenditure_by_function": ["fiscal_year", "dept_code", "item_code", "basic_amount",
                                         "project_amount", "total_amount"],
    "state_capital_expenditure_by_function": ["fiscal_year", "dept_code", "item_code", "basic_amount",
                                              "project_amount", "total_amount"],
    "basic_expenditure_by_economic": ["fiscal_year", "dept_code", "econ_code", "personnel_amount",
                                      "public_amount", "total_amount"],
    "revenue_by_source": ["fiscal_year", "dept_code", "fund_source", "amount"],
    "three_public_expenses": ["fiscal_year", "dept_code", "outbound_travel", "vehicle_purchase",
                              "vehicle_operation", "official_reception", "total_amount"],
    "project_indicators": ["fiscal_year", "dept_code", "project_name", "project_amount", "level3",
                           "target_operator", "target_value", "target_unit"],
    "function_rollup": ["fiscal_year", "region", "level", "code", "departments", "basic_amount",
                        "project_amount", "total_amount"],
    "department_year": ["fiscal_year", "dept_code", "revenue_total", "expenditure_total",
                        "basic_total", "project_total"],
}
VIEWS["function_yoy"] = views.ROLLUP_COLUMNS["function_yoy"]
FINAL_VIEW_NAMES = list(views.COLUMNS)
VIEWS.update(views.COLUMNS)
SORT_KEYS = {
    "expenditure_by_function": 3, "gpb_expenditure_by_function": 3,
    "gov_fund_expenditure_by_function": 3, "state_capital_expenditure_by_function": 3,
    "basic_expenditure_by_economic": 3, "revenue_by_source": 3, "three_public_expenses": 2,
    "project_indicators": 5, "function_rollup": 4, "department_year": 2,
}


def sort_rows(view, rows):
    """Sort on every column as text (code points).  The key columns come first
    and are unique (project_indicators: name and level3 are unique within a
    department-year and project), so the order is that of the keys."""
    return sorted(rows)


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------

def extend_codes(cdir, years):
    """Add to FUNCTION and LARGE_ITEMS the codes of DIR/<year>/function.csv
    (for large departments) that have one name in every requested year, whose
    类 and 款 are known too, that are unique by name under their parent, and
    that are general-budget spending (no fund-specific 款).  Returns the added
    (code, name) rows, written to expected/function_codes.csv for the checker."""
    per_year = []
    for y in years:
        path = os.path.join(cdir, str(y), "function.csv")
        with open(path, encoding="utf-8-sig", newline="") as fh:
            per_year.append({r["code"]: r["name"] for r in csv.DictReader(fh)})
    common = {code: name for code, name in per_year[0].items()
              if code.isdigit() and len(code) in (3, 5, 7) and all(m.get(code) == name for m in per_year[1:])}
    fund_words = ("基金", "彩票", "国有土地", "专项债", "国有资本", "债务")
    # How many children of one parent carry a name, over both lists.
    seen = {}
    for code in set(common) | set(FUNCTION):
        key = (codes.parent(code), common.get(code) or FUNCTION[code])
        seen[key] = seen.get(key, 0) + 1
    added = []
    for code in sorted(common):  # a parent sorts before its children
        if code in FUNCTION or codes.SINCE.get(code[:3]) or codes.SINCE.get(code[:5]):
            continue
        chain = [code[:3], code[:5]][:len(code) // 2 - 1]
        if any(p not in FUNCTION for p in chain):
            continue  # its parent was left out
        names = [FUNCTION[p] for p in chain] + [common[code]]
        if code[:3] == "223" or any(w in n for n in names for w in fund_words):
            continue
        if seen[(codes.parent(code), common[code])] > 1:
            continue  # a name shared under one parent could not be resolved without its code
        FUNCTION[code] = common[code]
        added.append([code, common[code]])
    LARGE_ITEMS.extend(c for c, _ in added if len(c) == 7)
    LARGE_ITEMS.sort()
    return added


def parse_years(text):
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        a = int(a)
        b = int(b) if b else a
        out.extend(range(a, b + 1))
    return sorted(set(out))


def parse_dialects(text):
    if text in ("all", "clean"):
        return text, {}
    forced = {}
    for tok in text.split(","):
        tok = tok.strip()
        if not tok:
            continue
        if "=" in tok:
            dim, _, opt = tok.partition("=")
        else:
            dim, opt = OPTION_DIM.get(tok), tok
        if dim not in DIM_INDEX or opt not in DIMS[DIM_INDEX[dim]][1]:
            raise SystemExit("gen_submissions: --dialects: unknown option %r; options:\n  %s" % (
                tok, "\n  ".join("%s: %s" % (d[0], " ".join(d[1])) for d in DIMS)))
        forced[dim] = opt
    return "list", forced


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--departments", type=int, required=True)
    ap.add_argument("--years", required=True, help="2019-2023, or 2021,2023")
    ap.add_argument("--seed", required=True)
    ap.add_argument("--rows-per-table", type=int, default=0,
                    help="large departments: about K rows in the classified tables "
                         "(capped by the code list) and in table 9")
    ap.add_argument("--dialects", default="all", help="all | clean | comma list of options")
    ap.add_argument("--mix", default="", help="option=probability,... e.g. gb18030=0.34,gzip=0.34")
    ap.add_argument("--codes-dir", default="",
                    help="with --rows-per-table: also draw 项 from DIR/<year>/function.csv "
                         "(e.g. config/classifications), codes whose names agree in every year")
    ap.add_argument("--final", choices=("auto", "on", "off"), default="auto",
                    help="final accounts (决算) beside the budgets: auto = on with --dialects all")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.time()
    years = parse_years(a.years)
    if years[0] < 2018:
        sys.stderr.write("gen_submissions: warning: names follow the 2018 edition for years before 2018\n")
    extra_codes = []
    if a.codes_dir:
        if not a.rows_per_table:
            raise SystemExit("gen_submissions: --codes-dir is for --rows-per-table")
        extra_codes = extend_codes(a.codes_dir, years)
    mode, forced = parse_dialects(a.dialects)
    mix = parse_mix(a.mix)
    final_on = a.final == "on" or (a.final == "auto" and mode == "all")
    if not final_on:
        for dim in FINAL_ONLY:
            forced.setdefault(dim, DIMS[DIM_INDEX[dim]][3])
    depts = make_departments(a.departments, a.seed)
    units = {}
    os.makedirs(a.out, exist_ok=True)
    exp = Expected()
    dialect_rows = []
    files_rows = []
    repaired = []
    entities = []
    seen = set()
    skipped = 0
    prev_end = {}  # entity code -> (year, end balances of its last final accounts)
    # The year before the first: some departments' final accounts only (no budget loaded).
    prior = years[0] - 1
    run_years = ([prior] if final_on and prior >= 2018 else []) + years
    for year in run_years:
        for d in depts:
            if not all(codes.exists(c, year) for c in d.run_items):
                skipped += year in years  # the agency was set up later (e.g. 退役军人事务局 in 2019)
                continue
            if year == prior and random.Random("%s/prior/%d" % (a.seed, d.idx)).random() >= 0.35:
                continue
            prof = choose_profile(d, year, years[0], mode, forced, mix, a.seed)
            with_budget = year != prior
            with_final = final_on and (year < years[-1] or len(years) == 1 or
                                       random.Random("%s/lastfinal/%d" % (a.seed, d.idx)).random() < 0.5)
            ents = []
            if prof["unitpub"] != "unit_only":
                ents.append(d)
            if prof["unitpub"] != "unit_none":
                u = units.setdefault(d.idx, make_unit(d, a.seed))
                u.unit_prefix = "预算单位" if prof["unitpub"] == "unit_sibling_ys" else "单位"
                ents.append(u)
            for ent in ents:
                s = build_model(ent, year, prof, years, a.rows_per_table, a.seed)
                rec = {"year": year, "code": ent.code, "name": ent.name, "region": ent.district,
                       "unit_type": ent.unit_type, "parent": ent.parent, "scope": {}}
                bw = fw = None
                if with_budget:
                    bw = render(s, a.out, files_rows, repaired, a.seed)
                    exp.add(s)
                    rec.update(budget_facts(s))
                    rec["scope"]["budget"] = ent.scope
                if with_final:
                    pe = prev_end.get(ent.code)
                    f = final_accounts.build_final(s, a.seed, pe[1] if pe and pe[0] == year - 1 else None)
                    fw = final_accounts.render_final(f, a.out, files_rows, a.seed)
                    prev_end[ent.code] = (year, f.end_state)
                    rec.update(final_accounts.final_facts(f))
                    rec["scope"]["final"] = ent.scope
                entities.append(rec)
                tags = effective_tags(prof, bw, fw, s.rounding)
                dialect_rows.append([ent.code, str(year), ";".join(tags)])
                seen.update(tags)
    with open(os.path.join(a.out, "departments.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["dept_code", "dept_name", "province", "city", "district", "unit_type", "parent_code"])
        for d in depts:
            for e in [d] + ([units[d.idx]] if d.idx in units else []):
                w.writerow([e.code, e.name, e.province, e.city, e.district, e.unit_type, e.parent])
    exp.v["function_rollup"] = views.function_rollup(entities)
    exp.v["function_yoy"] = views.function_yoy(exp.v["function_rollup"])
    exp.v.update(views.final_views(entities, codes.crosswalk))
    exp.write(a.out, final_on)
    if extra_codes:
        write_csv(os.path.join(a.out, "expected", "function_codes.csv"), ["code", "name"], extra_codes)
    write_csv(os.path.join(a.out, "expected", "dialects.csv"), ["dept_code", "fiscal_year", "dialects"],
              sorted(dialect_rows))
    write_csv(os.path.join(a.out, "expected", "files.csv"),
              ["path", "fiscal_year", "dept_code", "table_kind", "encoding", "compression", "unit",
               "header_rows", "records", "stage", "publication_scope"], sorted(files_rows))
    write_csv(os.path.join(a.out, "expected", "code_repaired.csv"),
              ["fiscal_year", "dept_code", "table_kind", "subject"], sorted(repaired))
    if mode == "all" and a.departments >= COVER:
        want = {o for dd in DIMS for o in dd[1]} | {"hdr1", "hdr2", "hdr3"}
        if not final_on:
            want -= {o for dd in DIMS if dd[0] in FINAL_ONLY for o in dd[1]}
        have = set()
        for t in seen:
            if t.startswith("hdr") and t[3:].isdigit():
                have.update("hdr" + ch for ch in t[3:])
            else:
                have.add(t)
        missing = sorted(want - have)
        if missing:
            raise SystemExit("gen_submissions: dialects not covered: " + " ".join(missing))
    if not a.quiet:
        sys.stderr.write("gen_submissions: %d departments x %d years, %d files in %.1fs%s\n"
                         % (len(depts), len(years), len(files_rows), time.time() - t0,
                            " (%d department-years before the agency existed: none)" % skipped
                            if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
