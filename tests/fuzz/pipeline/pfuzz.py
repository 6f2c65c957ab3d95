#!/usr/bin/env python3
"""pfuzz: the whole-pipeline mutation fuzzer (issue 14).

Mutated real, sample and generated submissions run through the real
programs, `extract | normalize | load --dry-run`, and a sample of them
through a real load into a throwaway database beside two good departments.
See tests/fuzz/README.md ("The whole pipeline") and the docstrings of
check.py (dry-run invariants), db.py (real-load invariants) and mutate.py.

    pfuzz.py [options] ci --campaign C --dry N --real M    TAP: regressions, then N + M new cases
                                                            (exit 0: all passed, 1: a test failed,
                                                            3: the harness broke)
    pfuzz.py [options] fuzz --seconds S                     random campaigns, failures to --out
    pfuzz.py [options] replay CASE_DIR...                   TAP: kept cases, both modes
    pfuzz.py [options] one ID [--mode dry|real|both]        re-run one case (ID = CAMPAIGN:INDEX,
                                                            CAMPAIGN:rINDEX, or a case folder)
    pfuzz.py [options] save ID NAME [--mode M] [--no-minimize]
                                                            keep a failing case as
                                                            tests/fuzz/regress/pipeline/NAME
    pfuzz.py [options] baseline                             every seed, unmutated: no violation

options: --bin DIR (stage programs; default $ETL_BIN or build/), --dsn DSN
(a cluster for real-load mode; default $PFUZZ_DSN; without one, real-load
cases are skipped), --timeout S (the bound of each program run in dry-run
mode, default 6), --load-timeout S (of a real load, default twice that),
--work DIR (the generated seeds), --out DIR (tests/fuzz/out/pipeline: what
ci and fuzz keep), --regress DIR (tests/fuzz/regress/pipeline).

A case is a pure function of its ID: CAMPAIGN:INDEX draws its seed
submission and its mutations from random.Random("pfuzz:" + ID).
"""

import argparse
import atexit
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout (it is not ignored)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import ROOT, Seeds, load_case, save_case, show  # noqa: E402
from check import Bins, dry_run, key_line, tail  # noqa: E402
from mutate import KINDS, mutate, primary_kind  # noqa: E402
import minimize  # noqa: E402

REGRESS = os.path.join(ROOT, "tests", "fuzz", "regress", "pipeline")
OUT = os.path.join(ROOT, "tests", "fuzz", "out", "pipeline")
GROUPS = [("samples", 0.35), ("gen", 0.35), ("real", 0.30)]


# ---- cases from IDs ---------------------------------------------------------------------

ID_RE = re.compile(r"^([0-9]+):(r?)([0-9]+)(?:/([a-z_,]+))?$")


def make_case(seeds, case_id):
    """The case of an ID: CAMPAIGN:INDEX, CAMPAIGN:rINDEX (a real-load case), either
    with /KIND[,KIND...] to draw its mutations from those kinds only."""
    m = ID_RE.match(case_id)
    if not m:
        raise SystemExit("pfuzz: %s is not CAMPAIGN:INDEX[/KIND,...]" % case_id)
    kinds = m.group(4).split(",") if m.group(4) else None
    for k in kinds or []:
        if k not in KINDS:
            raise SystemExit("pfuzz: no mutation kind %s (kinds: %s)" % (k, " ".join(sorted(KINDS))))
    rng = random.Random("pfuzz:" + case_id)
    group = rng.choices([g for g, _ in GROUPS], [w for _, w in GROUPS])[0]
    labels = [l for l in seeds.labels if l.startswith(group + "/")] or seeds.labels
    label = labels[rng.randrange(len(labels))]
    case = mutate(seeds.case(label), rng, kinds=kinds)
    case.case_id = case_id
    return case


def get_case(seeds, ident):
    """A case by ID or by a kept case's folder: (Case, case.json or None)."""
    if os.path.isdir(ident):
        return load_case(ident)
    return make_case(seeds, ident), None


# ---- running ------------------------------------------------------------------------------

class Runner:
    def __init__(self, args, need_db=False, keep_tmp=False):
        self.args = args
        self.bins = Bins(args.bin)
        os.makedirs(args.work, exist_ok=True)
        self.seeds = Seeds(args.work)
        # Trees are written under /tmp/pfuzz-XXXXXXXX: a path of the same length
        # wherever the checkout is, so that a message cut at a byte count (512 for
        # a J message) is cut at the same character on every machine.
        self.tmp = tempfile.mkdtemp(prefix="pfuzz-", dir="/tmp")
        if not keep_tmp:
            atexit.register(lambda: subprocess.run(["rm", "-rf", "--", self.tmp]))
        self.real = None
        if args.dsn:
            from db import Cluster, RealLoad
            self.real = RealLoad(Cluster(args.dsn), self.bins, self.seeds, os.path.join(self.tmp, "r"),
                                 timeout=args.load_timeout or 2 * args.timeout)
        elif need_db:
            raise SystemExit("pfuzz: real-load mode needs --dsn (or PFUZZ_DSN)")

    def dry(self, case, pipe=False):
        out = dry_run(case, self.bins, os.path.join(self.tmp, "d"), self.args.timeout, pipe)
        fill_lines(out, case)
        return out

    def load(self, case):
        return self.real.run(case)

    def modes(self, case, mode):
        outs = []
        if mode in ("dry", "both"):
            outs.append(self.dry(case, pipe=True))
        if mode in ("real", "both") and self.real:
            outs.append(self.load(case))
        return outs


def mutation_names(m):
    return [n for n in [m.get("file"), m.get("now")] + list(m.get("copies", [])) if n]


def culprit(case, out):
    """The kind of the mutation a failure is about: the first whose file a violation
    names, else the case's first kind."""
    for m in case.mutations:
        if any(n in v.detail for v in out.violations for n in mutation_names(m)):
            return m["kind"]
    return primary_kind(case)


def fill_lines(out, case):
    """A stream violation has no stderr line of its own stage.  Give it the error of a
    stage that failed downstream (load's "E count -1 is not a number"), else a line
    about the file it names, else none: an unrelated reject would mislead."""
    names = [n for m in case.mutations for n in mutation_names(m)]
    for v in out.violations:
        if v.line:
            continue
        for st in ("load", "load-pipe", "normalize", "extract"):
            line = key_line(out.stderr.get(st, ""))
            if st in out.exits and out.exits[st] not in (0, 65) and line:
                v.line = "%s: %s" % (st, line)
                break
        else:
            hits = [n.lower() for n in names if n in v.detail]
            for st in ("load", "normalize", "extract"):
                for l in out.stderr.get(st, "").splitlines():
                    if any(h in l.lower() for h in hits) and not re.search(r": (loaded|would load|unchanged) ", l):
                        v.line = "%s: %s" % (st, l.strip()[:400])
                        break
                if v.line:
                    break


def report_lines(case, out, kept=None):
    """Diagnostic lines for a failing case."""
    lines = ["case %s %s" % (case.case_id, case.describe())]
    for v in out.violations:
        lines.append("  %s [%s] %s" % (v.invariant, v.stage, v.detail))
    v = out.first()
    if v and v.line:
        lines.append("  stderr: %s" % v.line)
    lines.append("  exits: %s (%.1fs)" % (", ".join("%s %s" % kv for kv in out.exits.items()), out.secs))
    if kept:
        lines.append("  kept: %s" % os.path.relpath(kept, ROOT))
    return lines


def keep_failure(case, out, dest_root, signature_counts=None, per_signature=3):
    """Save a failing case under dest_root for triage; returns its folder (or None when
    enough cases of that signature are kept already)."""
    v = out.first()
    if signature_counts is not None:
        sig = signature(out)
        signature_counts[sig] = signature_counts.get(sig, 0) + 1
        if signature_counts[sig] > per_signature:
            return None
    dest = os.path.join(dest_root, "%s-%s-%s_%s" % (out.mode, v.invariant, culprit(case, out),
                                                     case.case_id.replace(":", "_")))
    save_case(case, dest, info_for(case, out))
    return dest


def signature(out):
    """What tells one failure from another: mode, invariant, stage and the shape of
    the detail (numbers and file names taken out)."""
    v = out.first()
    text = v.detail
    if v.invariant in ("exit", "signal", "sanitizer"):  # "exit 70" says little: what did it say
        text += " | " + re.sub(r"^.*? load run \S+: ", "", v.line)
    shape = re.sub(r"<tree>\S*|\S+\.csv(\.gz)?|[^\x00-\x7f]+", "F", text)
    shape = re.sub(r"-?[0-9][0-9.]*|0x[0-9a-f]+", "N", shape)
    return "%s %s[%s] %s" % (out.mode, v.invariant, v.stage, shape[:110])


def info_for(case, out):
    v = out.first()
    return {"case_id": case.case_id, "mode": out.mode, "invariant": v.invariant, "stage": v.stage,
            "detail": v.detail, "stderr": v.line,
            "violations": [x.as_dict() for x in out.violations],
            "exits": {k: str(x) for k, x in out.exits.items()},
            "stderr_tail": tail(out.stderr.get(v.stage, "") or out.stderr.get("load", "")),
            "reproduce": "tests/fuzz/pipeline/pfuzz.py one %s --mode %s" % (case.case_id, "real" if out.mode == "real-load" else "dry")}


# ---- TAP ------------------------------------------------------------------------------------

class Tap:
    def __init__(self, start=0, plan=True):
        self.n = start  # tests numbered before ours (by the .t around us)
        self.failed = 0
        self.plan = plan  # False: the .t around us prints the plan (tap.sh's tap_from)

    def ok(self, good, name, diag=()):
        self.n += 1
        print("%s %d - %s" % ("ok" if good else "not ok", self.n, name))
        if not good:
            self.failed += 1
        for l in diag:
            print("#   " + l)
        sys.stdout.flush()

    def done(self):
        if self.plan:
            print("1..%d" % self.n)


def replay_cases(runner, tap, folders):
    for d in folders:
        name = os.path.basename(d.rstrip("/"))
        try:
            case, doc = load_case(d)
        except (OSError, ValueError, KeyError) as e:
            tap.ok(False, "regress %s: cannot read the case: %s" % (name, e))
            continue
        pins = doc.get("invariant", "?")
        for out in runner.modes(case, "both"):
            label = "dry-run" if out.mode == "dry-run" else "real load"
            tap.ok(out.ok, "regress %s (%s; pins %s)" % (name, label, pins),
                   [] if out.ok else report_lines(case, out))
        if not runner.real:
            tap.ok(True, "regress %s (real load) # SKIP no --dsn" % name)


def regress_folders(root):
    if not os.path.isdir(root):
        return []
    return [os.path.join(root, d) for d in sorted(os.listdir(root))
            if os.path.isfile(os.path.join(root, d, "case.json"))]


def cmd_ci(args):
    t0 = time.monotonic()
    runner = Runner(args)
    tap = Tap(args.tap_start, args.plan)
    seeds = runner.seeds
    n = {g: len([l for l in seeds.labels if l.startswith(g + "/")]) for g, _ in GROUPS}
    tap.ok(all(n.values()), "seeds: %d samples, %d real, %d generated submissions" % (n["samples"], n["real"], n["gen"]))
    # the harness itself: a few seeds, unmutated, break nothing
    base = seeds.samples() + [l for l in seeds.labels if l.startswith("gen/")][:2] + \
        [l for l in seeds.labels if l.startswith("real/")][:2]
    bad = []
    for l in base:
        c = seeds.case(l)
        c.case_id = "seed"
        out = runner.dry(c)
        if not out.ok:
            bad += report_lines(c, out)
    tap.ok(not bad, "unmutated seeds keep every dry-run invariant (%d submissions)" % len(base), bad)
    if runner.real:
        # the good departments' reference, before anything is compared with it
        goods = runner.real.goods_for(seeds.case(seeds.samples()[0]))
        snap, out = runner.real.reference(goods)
        facts = sum(v[0] for v in snap["facts"].values()) if snap else 0
        tap.ok(out.ok, "reference: %s load alone (exit 0, %d facts, rows in every mart view)"
               % (" + ".join(goods), facts), [str(v) for v in out.violations])
    replay_cases(runner, tap, regress_folders(args.regress))
    print("# regressions: %.0fs" % (time.monotonic() - t0))
    # new cases, grouped by the kind of their first mutation (of a failing case:
    # the mutation it is about)
    fails_dir = os.path.join(args.out, "failures")  # what the last run failed on, only
    subprocess.run(["rm", "-rf", "--", fails_dir])
    groups = {}
    for i in range(args.dry):
        case = make_case(seeds, "%d:%d" % (args.campaign, i))
        out = runner.dry(case)
        groups.setdefault(primary_kind(case) if out.ok else culprit(case, out), []).append((case, out))
    for kind in sorted(groups):
        res = groups[kind]
        failed = [(c, o) for c, o in res if not o.ok]
        diag = []
        for c, o in failed:
            diag += report_lines(c, o, keep_failure(c, o, fails_dir))
        name = ("dry-run %s: %d case%s" % (kind, len(res), "" if len(res) == 1 else "s") if not failed else
                "dry-run %s: %d of %d cases failed" % (kind, len(failed), len(res)))
        tap.ok(not failed, name, diag)
    print("# %d dry-run cases: %.0fs" % (args.dry, time.monotonic() - t0))
    for i in range(args.real):
        case = make_case(seeds, "%d:r%d" % (args.campaign, i))
        if not runner.real:
            tap.ok(True, "real load %s # SKIP no --dsn" % case.case_id)
            continue
        out = runner.load(case)
        tap.ok(out.ok, "real load %s %s" % (case.case_id, case.describe()[:160]),
               [] if out.ok else report_lines(case, out, keep_failure(case, out, fails_dir))[1:])
    if runner.real:
        for goods, out in runner.real.ref_outcomes[1:]:
            tap.ok(out.ok, "reference: %s load alone (exit 0)" % " + ".join(goods), [str(v) for v in out.violations])
    tap.done()
    print("# pfuzz ci: %.0fs, %d failed" % (time.monotonic() - t0, tap.failed))
    return 1 if tap.failed else 0


def cmd_replay(args):
    runner = Runner(args)
    tap = Tap(args.tap_start, args.plan)
    replay_cases(runner, tap, args.cases or regress_folders(args.regress))
    tap.done()
    return 1 if tap.failed else 0


def cmd_fuzz(args):
    runner = Runner(args)
    campaign = args.campaign if args.campaign is not None else int.from_bytes(os.urandom(4), "big")
    deadline = time.monotonic() + args.seconds
    dest = os.path.join(args.out, "found")
    counts, kinds = {}, {}
    n = nfail = 0
    print("pfuzz: campaign %d, %ds, %s, real load every %s cases, failures to %s"
          % (campaign, args.seconds, runner.bins.dir, args.real_every if runner.real else "no (no --dsn)",
             os.path.relpath(dest, ROOT)))
    while time.monotonic() < deadline:
        real = runner.real and args.real_every and n % args.real_every == args.real_every - 1
        case = make_case(runner.seeds, "%d:%s%d%s" % (campaign, "r" if real else "", n,
                                                       "/" + args.kinds if args.kinds else ""))
        out = runner.load(case) if real else runner.dry(case, pipe=(n % 4 == 0))
        k = primary_kind(case) if out.ok else culprit(case, out)
        kinds[k] = kinds.get(k, 0) + 1
        n += 1
        if not out.ok:
            nfail += 1
            kept = keep_failure(case, out, dest, counts)
            if kept:
                print("\n".join(report_lines(case, out, kept)))
                sys.stdout.flush()
    print("pfuzz: %d cases (%s), %d failed" % (n, ", ".join("%s %d" % kv for kv in sorted(kinds.items())), nfail))
    for sig, c in sorted(counts.items()):
        print("  %4d  %s" % (c, sig))
    return 1 if nfail else 0


def cmd_one(args):
    runner = Runner(args, need_db=args.mode == "real", keep_tmp=True)
    case, doc = get_case(runner.seeds, args.id)
    print("case %s %s" % (case.case_id, case.describe()))
    for e in case.entries:
        print("  %-6s %8d  %s" % (e.kind, len(e.data), show(e.name)))
    rc = 0
    for out in runner.modes(case, args.mode):
        print("== %s: %s (%.1fs)" % (out.mode, "ok" if out.ok else "FAILED", out.secs))
        for v in out.violations:
            print("  %s [%s] %s\n    stderr: %s" % (v.invariant, v.stage, v.detail, v.line))
        for st, text in out.stderr.items():
            print("  -- %s (exit %s), stderr tail:" % (st, out.exits.get(st)))
            for l in tail(text, args.tail).splitlines():
                print("     " + l)
        rc |= 0 if out.ok else 1
    print("(the trees and streams are kept in %s: d/ dry-run, r/ real load)" % runner.tmp)
    return rc


def cmd_save(args):
    runner = Runner(args, need_db=args.mode == "real")
    case, doc = get_case(runner.seeds, args.id)
    run1 = (lambda c: runner.dry(c, pipe=True)) if args.mode == "dry" else runner.load
    out = run1(case)
    if out.ok:
        raise SystemExit("pfuzz: %s keeps every invariant in %s mode: nothing to keep" % (args.id, args.mode))
    v = out.first()
    print("fails: %s [%s] %s" % (v.invariant, v.stage, v.detail))
    if args.minimize:
        def still(c):
            o = run1(c)
            return any(x.invariant == v.invariant and x.stage == v.stage for x in o.violations)
        before = case.size()
        case = minimize.minimize(case, still, max_seconds=args.budget)
        out = run1(case)
        print("minimized: %d -> %d bytes, %d entries" % (before, case.size(), len(case.entries)))
        v = out.first() or v
    dest = os.path.join(args.regress, args.name)
    info = info_for(case, out)
    info["found"] = "pfuzz case %s" % (args.id if not os.path.isdir(args.id) else (doc or {}).get("case_id", args.id))
    info["case_id"] = args.name
    info["reproduce"] = "tests/fuzz/pipeline/pfuzz.py one tests/fuzz/regress/pipeline/%s --mode %s" % (args.name, args.mode)
    if args.note:
        info["bug"] = args.note
    case.case_id = args.name
    save_case(case, dest, info)
    print("kept %s: %s [%s] %s\n  stderr: %s" % (os.path.relpath(dest, ROOT), v.invariant, v.stage, v.detail, v.line))
    return 0


def cmd_baseline(args):
    runner = Runner(args)
    tap = Tap()
    for l in runner.seeds.labels:
        c = runner.seeds.case(l)
        c.case_id = "seed"
        for out in runner.modes(c, "both"):
            tap.ok(out.ok, "%s %s" % (out.mode, l), [] if out.ok else report_lines(c, out))
    tap.done()
    return 1 if tap.failed else 0


def main():
    ap = argparse.ArgumentParser(description="whole-pipeline mutation fuzzer")
    ap.add_argument("--bin", default=os.environ.get("ETL_BIN") or os.path.join(ROOT, "build"))
    ap.add_argument("--dsn", default=os.environ.get("PFUZZ_DSN", ""))
    ap.add_argument("--timeout", type=int, default=6, help="seconds per program run in dry-run mode")
    ap.add_argument("--load-timeout", type=int, default=0, help="seconds per real load (default: twice --timeout)")
    ap.add_argument("--work", default=os.path.join(OUT, "work"))
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--regress", default=REGRESS)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ci")
    p.add_argument("--campaign", type=int, default=1)
    p.add_argument("--dry", type=int, default=150)
    p.add_argument("--real", type=int, default=6)
    p.add_argument("--tap-start", type=int, default=0, help="number of the tests printed before")
    p.add_argument("--no-plan", dest="plan", action="store_false", help="print no 1..N at the end")
    p = sub.add_parser("fuzz")
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--campaign", type=int)
    p.add_argument("--real-every", type=int, default=10)
    p.add_argument("--kinds", default="", help="only these mutation kinds (comma-separated)")
    p = sub.add_parser("replay")
    p.add_argument("cases", nargs="*")
    p.add_argument("--tap-start", type=int, default=0)
    p.add_argument("--no-plan", dest="plan", action="store_false")
    p = sub.add_parser("one")
    p.add_argument("id")
    p.add_argument("--mode", choices=["dry", "real", "both"], default="both")
    p.add_argument("--tail", type=int, default=8)
    p = sub.add_parser("save")
    p.add_argument("id")
    p.add_argument("name")
    p.add_argument("--mode", choices=["dry", "real"], default="dry")
    p.add_argument("--no-minimize", dest="minimize", action="store_false")
    p.add_argument("--budget", type=int, default=120, help="seconds of minimizing at most")
    p.add_argument("--note", default="", help="the bug it pins, for case.json")
    sub.add_parser("baseline")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    return {"ci": cmd_ci, "fuzz": cmd_fuzz, "replay": cmd_replay, "one": cmd_one, "save": cmd_save,
            "baseline": cmd_baseline}[args.cmd](args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit as e:
        if isinstance(e.code, str):  # raise SystemExit("pfuzz: ..."): the harness cannot run
            print(e.code, file=sys.stderr)
            sys.exit(3)
        raise
    except BaseException:  # a broken harness is not a failing case: exit 3, not 1
        import traceback
        traceback.print_exc()
        sys.exit(3)
