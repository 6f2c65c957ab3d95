#!/usr/bin/env python3
"""Write bench/out/report.txt from the benchmark's results and print it.

    report.py OUT_DIR

Reads OUT_DIR/results.tsv (bench.sh, historical.sh and review.sh: name, rep, seconds,
max RSS kB, exit code), OUT_DIR/sets.tsv (input sizes, counts, dialect
shares, the callgrind count) and OUT_DIR/historical.tsv.  Every figure is a
median over the repetitions; targets are printed beside the figures with
"met" or "MISSED".  Nothing is asserted: a slow machine gives a report, not
a failure.
"""
import os
import statistics
import sys
import time
from collections import defaultdict


# normalize's instructions on bench.sh's fixed input before issue 17 (commit
# 075801f, measured with the same callgrind command): the baseline of its
# 40 % target.
NORMALIZE_IR_BEFORE = 455218109


def load(out):
    runs = defaultdict(list)
    path = os.path.join(out, "results.tsv")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            p = line.rstrip("\n").split("\t")
            if len(p) >= 5:
                runs[p[0]].append((float(p[2]), int(p[3] or 0), int(p[4] or 0)))
    sets = defaultdict(dict)
    path = os.path.join(out, "sets.tsv")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            p = line.rstrip("\n").split("\t")
            sets[p[0]][p[1]] = p[2:]
    hist = {}
    path = os.path.join(out, "historical.tsv")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            p = line.rstrip("\n").split("\t")
            if len(p) == 2:
                hist[p[0]] = p[1]
    machine = ""
    path = os.path.join(out, "machine.tsv")
    if os.path.exists(path):
        machine = open(path, encoding="utf-8").read().strip().split("\t", 1)[-1]
    return runs, sets, hist, machine


def med(runs, name, i=0):
    v = [r[i] for r in runs.get(name, [])]
    return statistics.median(v) if v else None


def failed(runs, name):
    return [r[2] for r in runs.get(name, []) if r[2] not in (0,)]


def fmt(v, unit="", nd=1):
    if v is None:
        return "n/a"
    if abs(v) >= 1000:
        return "{:,.0f}{}".format(v, unit)
    return "{:.{}f}{}".format(v, nd, unit)


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    runs, sets, hist, machine = load(out)
    L = []
    w = L.append
    w("budget-etl throughput benchmark  (%s)" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    w("machine: %s" % machine)
    w("PostgreSQL 15 throwaway cluster (tests/lib/pgcluster.sh: fsync=off, Unix socket); "
      "medians of %d repetitions" % max([len(v) for v in runs.values()] or [0]))
    w("")

    def inp(s):
        v = sets.get(s, {}).get("input")
        return (int(v[0]), int(v[1])) if v else (0, 0)

    def counts(s):
        v = sets.get(s, {}).get("counts")
        # facts, files_seen, rows_loaded, exit, checks
        return [int(x) if x.isdigit() else 0 for x in v] if v else [0, 0, 0, 0, 0]

    targets = []
    for s, title in (("large", "large workload (provincial departments, thousands of rows a table)"),
                     ("district", "district workload (30-60 rows a table)")):
        nfiles, nbytes = inp(s)
        facts, files_seen, rows, ex, checks = (counts(s) + [0] * 5)[:5]
        sh = sets.get(s, {}).get("shares")
        w("== %s ==" % title)
        w("input: %s table files, %.1f MB on disk%s; loaded: %s facts from %s rows, %s checks"
          % ("{:,}".format(nfiles), nbytes / 1e6,
             ", %.0f%% GB18030, %.0f%% gzip (per file)" % (float(sh[1]) * 100, float(sh[2]) * 100) if sh else "",
             "{:,}".format(facts), "{:,}".format(rows), "{:,}".format(checks)))
        w("%-26s %9s %9s %11s %11s %9s %9s" % ("", "seconds", "MB/s", "rows/s", "facts/s", "files/s", "peak RSS"))
        for st, label in (("extract", "extract alone"), ("normalize", "normalize alone"),
                          ("load", "load alone (from stream)"), ("e2e", "end to end, --jobs 1"),
                          ("e2e_jobs2", "end to end, --jobs 2"), ("psql_copy", "limit: psql \\copy facts"),
                          ("server_copy", "limit: server-side COPY"), ("pgloader", "peer: pgloader facts")):
            t = med(runs, "%s.%s" % (s, st))
            rss = med(runs, "%s.%s" % (s, st), 1)
            if t is None:
                continue
            is_copy = st in ("psql_copy", "server_copy", "pgloader")
            mb = None if is_copy else nbytes / 1e6 / t
            w("%-26s %9.3f %9s %11s %11s %9s %8.1fM%s" % (
                label, t, fmt(mb), "" if is_copy else fmt(rows / t), fmt(facts / t),
                "" if is_copy else fmt(nfiles / t), rss / 1024.0,
                "  (exit %s)" % ",".join(map(str, sorted(set(failed(runs, "%s.%s" % (s, st)))))) if failed(runs, "%s.%s" % (s, st)) and st not in ("e2e", "e2e_jobs2", "load") else ""))
        e2e = min([x for x in (med(runs, s + ".e2e"), med(runs, s + ".e2e_jobs2")) if x] or [0])
        cp = med(runs, s + ".psql_copy")
        pl = med(runs, s + ".pgloader")
        if e2e and cp and pl:
            li = sets.get(s, {}).get("limit_indexes")
            w("ratios (facts/s, best end to end): ours/\\copy = %.2f, ours/pgloader = %.2f"
              "  (\\copy into a table like core.fact_amount: %s indexes, core.fact_amount %s)"
              % (cp / e2e, pl / e2e, li[0] if li else "?", li[1] if li else "?"))
            if s == "large":
                targets.append(("large end to end >= 0.5 x a fair \\copy (facts/s)", "%.2f x" % (cp / e2e), cp / e2e >= 0.5))
                targets.append(("large end to end >= 2 x pgloader", "%.2f x" % (pl / e2e), pl / e2e >= 2))
        j2 = med(runs, s + ".e2e_jobs2")
        if s == "district" and j2:
            targets.append(("district --jobs 2 >= 2,500 table files/s", fmt(nfiles / j2) + " files/s",
                            nfiles / j2 >= 2500))
        w("")

    w("== a nightly run: one department beside a growing database ==")
    for n in ("1e4", "1e5", "1e6"):
        te = med(runs, "nightly.%s.empty" % n)
        tb = med(runs, "nightly.%s.beside" % n)
        base = sets.get("nightly." + n, {}).get("base_facts")
        if te and tb:
            w("beside %9s facts: %6.3f s (into an empty database %6.3f s): %.2f x"
              % ("{:,}".format(int(base[0])) if base else "?", tb, te, tb / te))
            if n == "1e6":
                targets.append(("nightly beside 10^6 facts <= 2 x into an empty db", "%.2f x" % (tb / te), tb / te <= 2))
    w("")

    w("== extract + normalize alone, by encoding (large tables, no gzip) ==")
    for s, goal in (("utf8", 250), ("gb18030", 150)):
        nfiles, nbytes = inp(s)
        t = med(runs, s + ".extract_normalize")
        te = med(runs, s + ".extract")
        if t:
            w("%-8s %6.1f MB in %3d files: extract | normalize %6.3f s = %6.1f MB/s; extract alone %6.1f MB/s"
              % (s, nbytes / 1e6, nfiles, t, nbytes / 1e6 / t, nbytes / 1e6 / te if te else 0))
            targets.append(("extract + normalize >= %d MB/s on %s" % (goal, "UTF-8" if s == "utf8" else "GB18030"),
                            "%.1f MB/s" % (nbytes / 1e6 / t), nbytes / 1e6 / t >= goal))
    w("")

    w("== peak RSS, end to end (max over load, extract, normalize) ==")
    rs = []
    for s in ("rss100", "rss1000", "rss10000"):
        nfiles, nbytes = inp(s)
        r = med(runs, s + ".e2e", 1)
        re_ = med(runs, s + ".extract", 1)
        rn = med(runs, s + ".normalize", 1)
        t = med(runs, s + ".e2e")
        if r is None:
            continue
        rs.append(r)
        w("%6s files: %6.1f MB peak (extract %.1f, normalize %.1f); %s files/s"
          % ("{:,}".format(nfiles), r / 1024.0, (re_ or 0) / 1024.0, (rn or 0) / 1024.0, fmt(nfiles / t)))
    if rs:
        targets.append(("peak RSS <= 32 MB at every size", "%.1f MB max" % (max(rs) / 1024.0), max(rs) / 1024.0 <= 32))
        targets.append(("peak RSS flat from 100 to 10,000+ files", "%.1f -> %.1f MB" % (rs[0] / 1024.0, rs[-1] / 1024.0),
                        rs[-1] <= rs[0] * 1.25 + 2048))
    w("")

    cg = sets.get("callgrind", {})
    if cg.get("extract"):
        w("== instructions (callgrind, no timing noise) ==")
        for prog in ("extract", "normalize"):
            c = cg.get(prog)
            if not c:
                continue
            w("%-9s on a fixed input (%s files, %.2f MB; gen seed 15): %s instructions (Ir), %.0f per input byte"
              % (prog, c[1], int(c[2]) / 1e6, "{:,}".format(int(c[0])), int(c[0]) / max(1, int(c[2]))))
        # normalize before issue 17 (commit 075801f, the same input): its target is 40 % of that
        before = NORMALIZE_IR_BEFORE
        if cg.get("normalize") and before:
            r = int(cg["normalize"][0]) / before
            targets.append(("normalize <= 40 % of its instructions before (fixed input)",
                            "%.0f %% of %s" % (r * 100, "{:,}".format(before)), r <= 0.40))
        w("")

    if hist:
        w("== historical import (bench/historical.sh) ==")
        for k in ("set", "full", "killed", "rerun", "final"):
            if k in hist:
                w("%-7s %s" % (k + ":", hist[k]))
        if "files_per_s" in hist:
            targets.append(("historical: rerun after kill -9 reloads nothing done", hist.get("resume_ok", "?"),
                            hist.get("resume_ok") == "yes"))
        w("")

    review = sorted((int(k[len("review"):]), v["site"]) for k, v in sets.items()
                    if k.startswith("review") and k[len("review"):].isdigit() and "site" in v)
    if review:
        w("== review report (bench/review.sh: build/report, one year with its 决算) ==")
        w("%12s %9s %10s %7s %10s %12s %12s" % ("departments", "seconds", "peak RSS", "files", "site MB",
                                                "index.html", "largest sheet"))
        for n, v in review:
            t = med(runs, "review.%d" % n)
            rss = med(runs, "review.%d" % n, 1)
            if t is None:
                continue
            w("%12s %9.2f %9.1fM %7s %10.2f %11.0fK %11.0fK%s" % (
                "{:,}".format(int(v[0]) if v[0].isdigit() else n), t, (rss or 0) / 1024.0, v[1],
                int(v[2]) / 1e6, int(v[3]) / 1e3, int(v[4] or 0) / 1e3,
                "  (exit %s)" % ",".join(map(str, sorted(set(failed(runs, "review.%d" % n)))))
                if failed(runs, "review.%d" % n) else ""))
        w("")

    w("== targets ==")
    for name, got, ok in targets:
        w("%-52s %-22s %s" % (name, got, verdict(ok)))
    text = "\n".join(L) + "\n"
    with open(os.path.join(out, "report.txt"), "w", encoding="utf-8") as fh:
        fh.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
