#!/usr/bin/env python3
"""Generate config/classifications/<year>/*.csv and their .meta sidecars.

    python3 config/classifications/tools/build.py

Reads function.src, econ_dept.src, econ_gov.src, crosswalk.src,
changes.src, references.src, sources.src and old_names.src beside this
script (formats in their headers) and writes, for every fiscal year in
YEARS:

    ../<year>/function.csv, econ_dept.csv, econ_gov.csv   code,name,level,parent_code
    ../<year>/econ_crosswalk.csv                          unit_type,dept_code,gov_code
    ../<year>/<file>.meta                                 complete/source/method/lacks
    ../changes.csv                                        checked against the lists
    ../references.csv                                     the sources cited
    ../sources.csv                                        code -> source, checked
    ../old_names.csv                                      earlier names of codes

It checks what the ETL checks (level against code length, parent present, no
duplicates, crosswalk codes present, change codes present), that every line
of sources.src names a listed code, known reference ids and a known basis,
that every code added after a source has its sources.src line, and that
old_names.src agrees with the lists' own renames; it refuses to write
anything when a check fails.  The ETL reads only the generated CSVs;
this script is kept so that the per-year lists stay reproducible from one
base list plus per-year differences.  Run it again after editing a .src
file; never edit the generated CSVs by hand (a user's additions go to
../local/, an official edition replaces a CSV and its .meta).  A CSV whose
.meta says complete = true (an official edition) is never overwritten.
"""

import csv
import io
import os
import sys

YEARS = list(range(2018, 2027))
CARRIED = 2026  # no edition found: the 2025 list carried forward
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
FUNC_LEN = {3: 1, 5: 2, 7: 3}
ECON_LEN = {3: 1, 5: 2}
UNIT_TYPES = ("行政", "参公", "事业")


class SrcError(Exception):
    pass


def parse_years(spec, where):
    """Expand "2019-", "-2020", "2020-2022", "2020" (or None) into a set."""
    if spec is None:
        return set(YEARS)
    lo, sep, hi = spec.partition("-")
    try:
        a = int(lo) if lo else YEARS[0]
        b = int(hi) if hi else (YEARS[-1] if sep else a)
    except ValueError:
        raise SrcError("%s: bad years %r" % (where, spec))
    if a > b or a < YEARS[0] or b > YEARS[-1]:
        raise SrcError("%s: years %r outside %d-%d" % (where, spec, YEARS[0], YEARS[-1]))
    return set(range(a, b + 1))


def src_lines(name):
    """(line number, fields) of a .src file, comments and blanks skipped."""
    path = os.path.join(HERE, name)
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if line and not line.startswith("#"):
                yield "%s:%d" % (name, no), line


def read_codes(name, lengths):
    """{year: {code: name}} from a code list source."""
    per_year = {y: {} for y in YEARS}
    for where, line in src_lines(name):
        parts = line.split()
        if len(parts) not in (2, 3):
            raise SrcError("%s: expected 'code name [years]'" % where)
        code, cname = parts[0], parts[1]
        if not code.isdigit() or len(code) not in lengths:
            raise SrcError("%s: bad code %r" % (where, code))
        for y in parse_years(parts[2] if len(parts) == 3 else None, where):
            if code in per_year[y]:
                raise SrcError("%s: %s listed twice for %d" % (where, code, y))
            per_year[y][code] = cname
    return per_year


def check_tree(codes, lengths, what):
    """Every code's parent (its prefix) is present."""
    for code in codes:
        if lengths[len(code)] > 1 and code[:-2] not in codes:
            raise SrcError("%s: %s has no parent %s" % (what, code, code[:-2]))


def rows_of(codes, lengths):
    out = []
    for code in sorted(codes):
        lv = lengths[len(code)]
        out.append([code, codes[code], str(lv), code[:-2] if lv > 1 else ""])
    return out


def read_crosswalk(dept, gov):
    """{year: [(unit_type, dept_code, gov_code)]}, checked against the lists."""
    per_year = {y: {} for y in YEARS}
    for where, line in src_lines("crosswalk.src"):
        parts = line.split()
        if len(parts) not in (3, 4):
            raise SrcError("%s: expected 'unit_types dept gov [years]'" % where)
        units = parts[0].split(",")
        for y in parse_years(parts[3] if len(parts) == 4 else None, where):
            for u in units:
                if u not in UNIT_TYPES:
                    raise SrcError("%s: unknown unit type %r" % (where, u))
                if parts[1] not in dept[y] or len(parts[1]) != 5:
                    raise SrcError("%s: %s not a 款 of econ_dept %d" % (where, parts[1], y))
                if parts[2] not in gov[y] or len(parts[2]) != 5:
                    raise SrcError("%s: %s not a 款 of econ_gov %d" % (where, parts[2], y))
                key = (u, parts[1])
                if key in per_year[y]:
                    raise SrcError("%s: %s %s mapped twice" % (where, u, parts[1]))
                per_year[y][key] = parts[2]
    order = {u: i for i, u in enumerate(UNIT_TYPES)}
    return {
        y: [(u, d, g) for (u, d), g in sorted(m.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))]
        for y, m in per_year.items()
    }


def read_changes(lists):
    """Rows of changes.src, each checked against the generated lists."""
    rows = []
    for where, line in src_lines("changes.src"):
        row = next(csv.reader([line]))
        if len(row) != 7:
            raise SrcError("%s: expected 7 columns" % where)
        scheme, fy, fc, ty, tc, change, _note = row
        if scheme not in lists:
            raise SrcError("%s: unknown scheme %r" % (where, scheme))
        fy, ty = int(fy), int(ty)
        if ty != fy + 1:
            raise SrcError("%s: editions must be consecutive" % where)
        src, dst = lists[scheme][fy], lists[scheme][ty]
        if fc not in src:
            raise SrcError("%s: %s not in %s %d" % (where, fc, scheme, fy))
        if change == "retired":
            if tc or fc in dst:
                raise SrcError("%s: retired code must be absent, to_code empty" % where)
        elif change in ("renamed", "moved", "split", "merged"):
            if tc not in dst:
                raise SrcError("%s: %s not in %s %d" % (where, tc, scheme, ty))
            if change == "renamed" and (tc != fc or src[fc] == dst[tc]):
                raise SrcError("%s: renamed needs same code, other name" % where)
        else:
            raise SrcError("%s: unknown change %r" % (where, change))
        rows.append(row)
    return rows


def csv_text(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def meta_text(pairs):
    return "".join("%s = %s\n" % kv for kv in pairs)


def csv_src(name):
    """(where, row) of a CSV .src file, comments, blanks and the header skipped."""
    first = True
    for where, line in src_lines(name):
        row = next(csv.reader([line]))
        if first:
            first = False
            continue
        yield where, row


REF_KINDS = ("budget", "final", "notice", "issue", "list")


def read_references():
    """Rows of references.src; ids unique."""
    rows, ids = [], set()
    for where, row in csv_src("references.src"):
        if len(row) != 6:
            raise SrcError("%s: expected 6 columns" % where)
        if not row[0] or row[0] in ids:
            raise SrcError("%s: empty or repeated id %r" % (where, row[0]))
        if row[4] not in REF_KINDS:
            raise SrcError("%s: unknown kind %r" % (where, row[4]))
        if row[3] and not (row[3].isdigit() and len(row[3]) == 4):
            raise SrcError("%s: bad fiscal_year %r" % (where, row[3]))
        ids.add(row[0])
        rows.append(row)
    return rows, ids


BASES = ("two_publications", "ministry_notice", "other_item", "confirmed")
ADDED = ("two_publications", "ministry_notice", "other_item")


def closed_years(spec, where):
    """"2023-2026" or "2025" (closed ranges only) as a sorted list."""
    lo, sep, hi = spec.partition("-")
    if not lo or (sep and not hi):
        raise SrcError("%s: years must be closed, e.g. 2023-2026, not %r" % (where, spec))
    return sorted(parse_years(spec, where))


def read_sources(lists, ref_ids):
    """Rows of sources.src, each checked against the lists and reference ids."""
    rows, seen = [], {}
    for where, row in csv_src("sources.src"):
        if len(row) != 7:
            raise SrcError("%s: expected 7 columns" % where)
        scheme, code, name, years, basis, evidence, _note = row
        if scheme not in lists:
            raise SrcError("%s: unknown scheme %r" % (where, scheme))
        if basis not in BASES:
            raise SrcError("%s: unknown basis %r" % (where, basis))
        ids = evidence.split(";") if evidence else []
        if not ids or any(i not in ref_ids for i in ids):
            raise SrcError("%s: evidence must be reference ids of references.src" % where)
        for y in closed_years(years, where):
            if lists[scheme][y].get(code) != name:
                raise SrcError("%s: %s %s is not in %s %d" % (where, code, name, scheme, y))
            key = (scheme, code, y)
            if key in seen:
                raise SrcError("%s: %s %d already given at %s" % (where, code, y, seen[key]))
            seen[key] = where
        rows.append(row)
    return rows


def check_added_have_sources(lists, sources):
    """A code listed for the first time from 2024 on must cite a source.

    The lists repeated the stable 2023 codes for 2024 and 2025 (no edition
    was available), so any code absent from 2023 and present later was
    added from a source and needs its sources.src line (the same for a code
    first listed in 2023 that the 2023 list did not carry before: those are
    checked through their lines, not here)."""
    cited = {(r[0], r[1], y) for r in sources if r[4] in ADDED
             for y in parse_years(r[3], "sources.src")}
    for scheme, per_year in lists.items():
        for y in range(2024, YEARS[-1] + 1):
            for code in per_year[y]:
                if code not in per_year[2023] and (scheme, code, y) not in cited:
                    raise SrcError("%s %s (%d) is not in the 2023 list and cites no source "
                                   "in sources.src" % (scheme, code, y))


def renames(func):
    """{(code, old name): last year} for every code the lists give several names."""
    names = {}
    for y in YEARS:
        for code, name in func[y].items():
            names.setdefault(code, {}).setdefault(name, []).append(y)
    out = {}
    for code, by_name in names.items():
        if len(by_name) < 2:
            continue
        last = max(max(ys) for ys in by_name.values())
        for name, ys in by_name.items():
            if last not in ys:
                out[(code, name)] = max(ys)
    return out


def read_old_names(func, changes, ref_ids):
    """Rows of ../old_names.csv: the lists' renames plus old_names.src."""
    derived = renames(func)
    renamed = {(r[0], r[2], r[1]): r[6] for r in changes if r[5] == "renamed"}
    rows = {}
    for (code, name), until in sorted(derived.items()):
        how = "changes.csv" if ("function", code, str(until)) in renamed else \
            "tools/function.src; the year of the rename is the compilers' assumption"
        rows[(code, name)] = [code, name, str(until),
                              "the lists up to %d (%s)" % (until, how)]
    for where, row in csv_src("old_names.src"):
        if len(row) != 4:
            raise SrcError("%s: expected 4 columns" % where)
        code, name, until, source = row
        if not code.isdigit() or len(code) not in FUNC_LEN:
            raise SrcError("%s: bad code %r" % (where, code))
        if until and not (until.isdigit() and int(until) in YEARS):
            raise SrcError("%s: until_year %r not a list year" % (where, until))
        if not any(i in source for i in ref_ids):
            raise SrcError("%s: source names no reference id of references.src" % where)
        if not any(code in func[y] for y in YEARS):
            raise SrcError("%s: %s is in no function list" % (where, code))
        if any(func[y].get(code) == name for y in YEARS if not until or y > int(until)):
            raise SrcError("%s: %s %s is a current name, not an old one" % (where, code, name))
        if (code, name) in rows:
            if rows[(code, name)][2] != until:
                raise SrcError("%s: until_year %r, but the lists use %s until %s" %
                               (where, until, name, rows[(code, name)][2]))
            rows[(code, name)][3] += "; " + source
        else:
            if until:
                raise SrcError("%s: %s %s until %s is not a rename of the lists" %
                               (where, code, name, until))
            rows[(code, name)] = [code, name, until, source]
    return [rows[k] for k in sorted(rows)]


SOURCE_FUNC = (
    "budget-etl project list, compiled by the developers from their knowledge of the "
    "Ministry of Finance's yearly 《政府收支分类科目》 (支出功能分类科目) and checked against "
    "published department budgets (samples/2023) and the pre-2011 list in "
    "shared/reference for code structure; no official machine-readable edition was available; "
    "codes added or confirmed from a cited source (government publications, Ministry of "
    "Finance notices, issue 12 point 9) are listed in ../sources.csv, the sources in "
    "../references.csv"
)
SOURCE_CARRIED = (
    "budget-etl project list: the 2025 list carried forward, because 《2026年政府收支分类科目》 "
    "(and any 2026 notice of the Ministry of Finance) could not be found; the 2025 list is "
    "compiled as described in ../2025/function.csv.meta; codes confirmed by 2026 publications "
    "are listed in ../sources.csv"
)
SOURCE_ECON = (
    "budget-etl project list, compiled by the developers from the 2018 reform of the "
    "expenditure economic classification (财预〔2017〕98号, 部门预算支出经济分类科目 and "
    "政府预算支出经济分类科目) and checked against shared/reference "
    "(economic_classification_*_2020_partial.csv) and samples/2023; codes added or confirmed "
    "from cited publications are listed in ../sources.csv"
)
SOURCE_XWALK = (
    "budget-etl project list, after 「两套支出经济分类科目对照表」 (财预〔2017〕98号); "
    "checked against shared/reference/economic_dept_to_gov_2020_partial.csv"
)
METHOD = (
    "generated by config/classifications/tools/build.py from one base list plus per-year "
    "differences (tools/*.src); only codes the compiler was sure exist in that year's "
    "edition, or that a cited source establishes (tools/sources.src: printed with the same "
    "code and name by two independent government publications, created by a Ministry "
    "notice, or an 其他 item named by a publication); level and parent checked by the script "
    "and again by the loader"
)
METHOD_CARRIED = (
    "; 2026: every code of the 2025 list kept (none is known to be retired) and none added "
    "beyond it: no 2026 change is printed by two independent 2026 publications (the "
    "counts below include the 2025 additions carried forward)"
)

LACKS_FUNC_ALL = (
    "most 项 of the official edition (an edition has well over a thousand; this list "
    "carries the common ones: every 款's 行政运行/一般行政管理事务/机关服务/事业运行/其他 where "
    "sure, and the items departments use most); 款 not shipped for lack of certainty: "
    "social-insurance-fund 款 of 209, several government-fund 款 (专项债券 and "
    "对应专项债务收入安排的支出 款 of 207, 208, 212, 213, 214, 229), 20208, 20411, 21404, "
    "22202, 22904, 230 款 beyond 23001-23006; 其他 items whose names no source prints "
    "(e.g. 2119999, 2149999, 2159999, 2169999, 2179999, 2209999, 2249999 under their 99 款, "
    "and the 99 项 of most 款); "
)
LACKS_FUNC_YEAR = {
    2018: "the 2018 edition predates the 2018 机构改革; 款 retired in 2019 are included "
    "only where sure (20110, 20115, 20117, 20124, 21010, 21506, 22002-22004, 20815, 21306); "
    "21304 南水北调 and 2010307 法制建设 (retired in 2019, not confirmed for 2018) not shipped; "
    "2109999 (其他医疗卫生与计划生育支出 by the 2018 name of its 款) not shipped",
    2019: "new 款 of the 2019 edition not shipped: 22403 森林消防事务, 22404 煤矿安全 (names not confirmed); "
    "215 name assumed 资源勘探信息等支出 until 2019 (rename year not confirmed)",
    2020: "234 抗疫特别国债安排的支出 shipped as 类 only (its 款 not shipped); "
    "20830 财政代缴社会保险费支出 not shipped; 215 rename to 资源勘探工业信息等支出 assumed from 2020",
    2021: "234 not shipped (its presence in 2021 not confirmed); 20830 not shipped; "
    "new 项 of 21305 巩固脱贫衔接乡村振兴 not shipped",
    2022: "20805 renamed 行政事业单位养老支出 from 2022 (confirmed for 2022, 2021 not); "
    "20830 and 20805's newer 项 not shipped",
    2023: "20830 财政代缴社会保险费支出 not shipped",
    2024: "the 2024 edition (and its September 2024 amendment) is not reflected beyond the codes "
    "in ../sources.csv: this list repeats the 2023 codes that are stable across editions "
    "(2023-only items dropped); new 款 after the 2023 机构改革 not shipped (20139 社会工作事务 with "
    "2013901, 2013950, 2013999 其他社会工作事务支出 is printed by one publication only, "
    "PT-SGB-2024F), nor the 超长期特别国债安排的支出 款 of the September 2024 amendment; "
    "the 项 of 22006 (财预〔2024〕22号) are not named",
    2025: "the 2025 edition is not reflected beyond the codes in ../sources.csv: this list "
    "repeats the 2023 codes that are stable across editions (2023-only items dropped); 22006 and "
    "2300412 (added to the 2024 edition by 财预〔2024〕22号) not shipped for want of a 2025 source; "
    "printed by one publisher only and so not shipped: 2070113 旅游宣传, 2070114 文化和旅游管理事务, "
    "20709 旅游发展基金支出 and 2070904 地方旅游开发项目补助, 21219 "
    "国有土地使用权出让收入对应专项债务收入安排的支出 and 2121999 (PT-WLJ-2025F); 2110104 "
    "生态环境保护宣传, 2110105 环境保护法规、规划及标准, 2110107 生态环境保护行政许可, 2111101 "
    "生态环境监测与信息, 2111102 生态环境执法监察 (PT-STHJ-2025F; PT-SQ-2025F prints 2111101 as "
    "减排专项支出, which the lists carry as 2111103, as PT-YC-2025F prints it); the 项 of 22911 "
    "and 23107 (财预〔2025〕41号) are not named",
    2026: "the 2026 edition was not found: the 2025 list carried forward, so whatever the 2026 "
    "edition adds, retires or renames is missing; printed by one 2026 publication only and so "
    "not shipped: 2040613 信息化建设 (PT-SFJ-2026B), 2070113 旅游宣传 and 2070114 "
    "文化和旅游管理事务 (PT-WLJ-2026B, the publisher of PT-WLJ-2025F); PT-SQ-2026B prints 22198 "
    "as 其他住房保障支出 (the list keeps 超长期特别国债安排的支出, see ../sources.csv)",
}
METHOD_FUNC_YEAR = {
    2023: "; checked: every code of samples/2023 (tables 2, 3, 5, 6 and 8) is present with the "
    "printed name; 2300409 and 2296011 taken from a 2023 budget-system record",
}
LACKS_DEPT = (
    "30219-30223 (军队 items present in one third-party copy, not confirmed for the 2018 "
    "list), 31304 对机关事业单位职业年金的补助 (later addition, year not confirmed), "
    "39909/39910 赠与 split (not confirmed); 39906 赠与 shipped for 2018 only"
)
LACKS_DEPT_YEAR = {
    y: "; 30311 代缴社会保险费 (shipped from 2024, where publications print it; its first "
    "year is not established)" for y in range(2018, 2024)
}
LACKS_GOV = (
    "51004 对机关事业单位职业年金的补助 and other later additions (year not confirmed); "
    "599 赠与 items after 2018 (59906 shipped for 2018 only)"
)
LACKS_XWALK = (
    "mappings not certain are left out: 事业 units' 303/307/311/312/313/399 款; 机关's "
    "30303, 30307, 30309, 30311, 30907, 30908, 30919, 30921, 30922, 31007-31012, 31019, 31021, "
    "31022, 31101, 31199, 31201, 31203; a missing mapping leaves gov_econ_code empty"
)
CARRIED_NOTE = "; 2026: the 2025 list carried forward (no 2026 edition was found)"


def year_method(year, scheme, sources):
    """What sources.csv says about this year's list, as a method suffix."""
    counts = {}
    for r in sources:
        if r[0] == scheme and year in parse_years(r[3], "sources.src"):
            counts[r[4]] = counts.get(r[4], 0) + 1
    if not counts:
        return ""
    return "; from sources (../sources.csv): " + ", ".join(
        "%d %s" % (counts[b], b) for b in BASES if b in counts)


def func_meta(year, sources):
    return meta_text([
        ("complete", "false"),
        ("source", SOURCE_CARRIED if year == CARRIED else SOURCE_FUNC),
        ("method", METHOD + METHOD_FUNC_YEAR.get(year, "") +
         (METHOD_CARRIED if year == CARRIED else "") + year_method(year, "function", sources)),
        ("lacks", LACKS_FUNC_ALL + LACKS_FUNC_YEAR[year]),
    ])


def econ_meta(year, scheme, lacks, sources):
    return meta_text([
        ("complete", "false"),
        ("source", SOURCE_ECON + (CARRIED_NOTE if year == CARRIED else "")),
        ("method", METHOD + year_method(year, scheme, sources)),
        ("lacks", lacks),
    ])


def xwalk_meta(year):
    return meta_text([
        ("complete", "false"),
        ("source", SOURCE_XWALK + (CARRIED_NOTE if year == CARRIED else "")),
        ("method", "generated by config/classifications/tools/build.py from tools/crosswalk.src; "
         "行政 and 参公 map alike (机关 column of the table), 事业 to 505/506"),
        ("lacks", LACKS_XWALK),
    ])


def is_official(csv_path):
    """True when csv_path's sidecar says complete = true (a dropped-in edition)."""
    try:
        with open(csv_path + ".meta", encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.partition("=")
                if sep and key.strip() == "complete" and value.strip() == "true":
                    return True
    except FileNotFoundError:
        pass
    return False


def build():
    func = read_codes("function.src", FUNC_LEN)
    dept = read_codes("econ_dept.src", ECON_LEN)
    gov = read_codes("econ_gov.src", ECON_LEN)
    for y in YEARS:
        check_tree(func[y], FUNC_LEN, "function %d" % y)
        check_tree(dept[y], ECON_LEN, "econ_dept %d" % y)
        check_tree(gov[y], ECON_LEN, "econ_gov %d" % y)
    lists = {"function": func, "econ_dept": dept, "econ_gov": gov}
    xwalk = read_crosswalk(dept, gov)
    changes = read_changes(lists)
    refs, ref_ids = read_references()
    sources = read_sources(lists, ref_ids)
    check_added_have_sources(lists, sources)
    old_names = read_old_names(func, changes, ref_ids)

    files = {}
    hdr = ["code", "name", "level", "parent_code"]
    for y in YEARS:
        d = os.path.join(OUT, str(y))
        files[os.path.join(d, "function.csv")] = csv_text(hdr, rows_of(func[y], FUNC_LEN))
        files[os.path.join(d, "function.csv.meta")] = func_meta(y, sources)
        files[os.path.join(d, "econ_dept.csv")] = csv_text(hdr, rows_of(dept[y], ECON_LEN))
        files[os.path.join(d, "econ_dept.csv.meta")] = econ_meta(
            y, "econ_dept", LACKS_DEPT + LACKS_DEPT_YEAR.get(y, ""),
            sources)
        files[os.path.join(d, "econ_gov.csv")] = csv_text(hdr, rows_of(gov[y], ECON_LEN))
        files[os.path.join(d, "econ_gov.csv.meta")] = econ_meta(y, "econ_gov", LACKS_GOV, sources)
        files[os.path.join(d, "econ_crosswalk.csv")] = csv_text(
            ["unit_type", "dept_code", "gov_code"], xwalk[y])
        files[os.path.join(d, "econ_crosswalk.csv.meta")] = xwalk_meta(y)
    files[os.path.join(OUT, "changes.csv")] = csv_text(
        ["scheme", "from_year", "from_code", "to_year", "to_code", "change", "note"], changes)
    files[os.path.join(OUT, "references.csv")] = csv_text(
        ["id", "publisher", "document", "fiscal_year", "kind", "location"], refs)
    files[os.path.join(OUT, "sources.csv")] = csv_text(
        ["scheme", "code", "name", "years", "basis", "evidence", "note"], sources)
    files[os.path.join(OUT, "old_names.csv")] = csv_text(
        ["code", "name", "until_year", "source"], old_names)

    for path, text in list(files.items()):
        if path.endswith(".csv") and is_official(path):
            print("kept official edition %s (its .meta says complete = true)" % path)
            del files[path]
            files.pop(path + ".meta", None)
    for path, text in files.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    for y in YEARS:
        counts = []
        for name, lst, lens in (("function", func[y], FUNC_LEN), ("econ_dept", dept[y], ECON_LEN),
                                ("econ_gov", gov[y], ECON_LEN)):
            by = [sum(1 for c in lst if lens[len(c)] == lv) for lv in (1, 2, 3)]
            counts.append("%s %d/%d/%d" % (name, by[0], by[1], by[2]))
        counts.append("crosswalk %d" % len(xwalk[y]))
        print("%d: %s" % (y, ", ".join(counts)))
    print("changes: %d, references: %d, sources: %d, old names: %d" %
          (len(changes), len(refs), len(sources), len(old_names)))


def main():
    try:
        build()
    except SrcError as e:
        sys.stderr.write("build.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
