"""real-load mode: the case loaded beside two good departments into a
throwaway database, and what must hold afterwards.

The cluster is the caller's (tests/lib/pgcluster.sh: pgc_start gives a DSN).
One template database is migrated once (load --migrate); every load gets a
fresh copy of it (CREATE DATABASE ... TEMPLATE), dropped afterwards.  The
good departments are two sample submissions whose code is not the case's;
their reference is a clean load of just them, taken once per pair.

Invariants (beyond exit, signal, sanitizer, timeout of load):

  good_loaded     every file of the two good departments is loaded, their
                  facts (count and sum of core.fact_amount per department)
                  and every mart view row with their dept_code equal the
                  reference load's
  run_row         one etl.runs row, its files_seen = its etl.files rows, its
                  exit_code = load's exit code
  rejected_files  every etl.files row with status rejected has an etl.rejects row
  files_accounted the run saw every regular table file of the tree once
"""

import os
import re
import subprocess
import time

from cases import copy_tree, materialize
from check import Outcome, judge, run, tree_inventory, _clean, key_line

TEMPLATE = "pfuzz_template"
CASE_DB = "pfuzz_case"


class Cluster:
    def __init__(self, dsn):
        self.params = dict(re.findall(r"(\w+)=(\S+)", dsn))
        if "host" not in self.params:
            raise SystemExit("pfuzz: the DSN needs host= (a socket folder): %s" % dsn)

    def dsn(self, db):
        p = dict(self.params, dbname=db)
        return " ".join("%s=%s" % kv for kv in sorted(p.items()))

    def psql(self, db, sql):
        r = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", self.dsn(db), "-f", "-"],
                           input=sql.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode:
            raise RuntimeError("psql: %s" % r.stderr.decode("utf-8", "replace").strip())
        return r.stdout.decode("utf-8", "replace")

    def fresh(self, name, template):
        self.psql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE);\nCREATE DATABASE "%s" TEMPLATE "%s";'
                  % (name, name, template))

    def drop(self, name):
        self.psql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE);' % name)


def q(s):
    return "'" + s.replace("'", "''") + "'"


class RealLoad:
    def __init__(self, cluster, bins, seeds, work, timeout=30):
        self.c, self.bins, self.seeds, self.work, self.timeout = cluster, bins, seeds, work, timeout
        self.refs = {}
        self.ref_outcomes = []
        self.c.drop(TEMPLATE)
        self.c.psql("postgres", 'CREATE DATABASE "%s";' % TEMPLATE)
        os.makedirs(work, exist_ok=True)
        r = run(bins, ["load", "--dsn", self.c.dsn(TEMPLATE), "--migrate"], 120,
                stderr_path=os.path.join(work, "migrate.err"))
        if r.rc != 0:
            raise SystemExit("pfuzz: load --migrate of the template exits %s: %s"
                             % (r.rc, key_line(r.stderr.decode("utf-8", "replace"))))
        self.views = [v for v in self.c.psql(TEMPLATE, """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'dept_code' AND NOT a.attisdropped
            WHERE n.nspname = 'mart' AND c.relkind IN ('v', 'm') ORDER BY 1;""").split()]
        if not self.views:
            raise SystemExit("pfuzz: no mart view has a dept_code column")

    def goods_for(self, case):
        """Two sample departments whose code is not the case's: 110001 and 110002 (they
        pass every check) unless the case is one of them, so that few reference loads
        are needed."""
        samples = sorted(self.seeds.samples(), key=lambda l: (not l.endswith(("/110001", "/110002")), l))
        goods = [l for l in samples if l.split("/")[2] != case.dept]
        return tuple(sorted(goods[:2]))

    def _load(self, tree, out, db):
        err = os.path.join(self.work, "load.err")
        r = run(self.bins, ["load", "--dsn", self.c.dsn(db), tree], self.timeout, stderr_path=err)
        judge(out, "load", r, {0, 65}, self.timeout, tree)
        return r

    def snapshot(self, db, depts):
        """Facts, files and mart rows of depts, as comparable text."""
        inl = ", ".join(q(d) for d in depts)
        sql = ["SELECT 'F|' || dept_code || '|' || count(*) || '|' || sum(amount) FROM core.fact_amount"
               " WHERE dept_code IN (%s) GROUP BY dept_code;" % inl,
               "SELECT 'S|' || dept_code || '|' || status || '|' || count(*) FROM etl.files"
               " WHERE dept_code IN (%s) GROUP BY dept_code, status;" % inl]
        for v in self.views:
            sql.append("SELECT 'V|%s|' || replace(t::text, E'\\n', '\\n') FROM mart.%s t WHERE dept_code IN (%s) ORDER BY 1;"
                       % (v, v, inl))
        snap = {"facts": {}, "files": {}, "views": {v: [] for v in self.views}}
        for line in self.c.psql(db, "\n".join(sql)).splitlines():
            tag, _, rest = line.partition("|")
            if tag == "F":
                d, n, s = rest.split("|")
                snap["facts"][d] = (int(n), s)
            elif tag == "S":
                d, st, n = rest.split("|")
                snap["files"].setdefault(d, {})[st] = int(n)
            elif tag == "V":
                v, _, row = rest.partition("|")
                snap["views"][v].append(row)
        return snap

    def reference(self, goods):
        """The clean load of just the good departments (once per pair)."""
        if goods in self.refs:
            return self.refs[goods]
        out = Outcome("reference")
        tree = os.path.join(self.work, "tree")
        _clean(tree)
        for g in goods:
            copy_tree(self.seeds.paths[g], os.path.join(tree, g.split("/", 1)[1]))
        self.c.fresh(CASE_DB, TEMPLATE)
        r = self._load(tree, out, CASE_DB)
        snap = None
        if out.ok:
            if r.rc != 0:
                out.add("reference", "load", "the good departments alone exit %d, not 0" % r.rc)
            snap = self.snapshot(CASE_DB, [g.split("/")[2] for g in goods])
            for g in goods:
                d = g.split("/")[2]
                if not snap["facts"].get(d) or snap["facts"][d][0] == 0:
                    out.add("reference", "load", "the reference load has no facts of %s" % d)
            # a comparison with nothing compares nothing: the views every sample
            # department fills must have rows (the samples have no table 10, so
            # state_capital_expenditure_by_function stays empty)
            for v in ("expenditure_by_function", "gpb_expenditure_by_function", "basic_expenditure_by_economic",
                      "revenue_by_source", "three_public_expenses", "project_indicators", "department_year"):
                if v in snap["views"] and not snap["views"][v]:
                    out.add("reference", "load", "the reference load has no row of mart.%s" % v)
        self.c.drop(CASE_DB)
        self.refs[goods] = (snap, out)
        self.ref_outcomes.append((goods, out))
        return self.refs[goods]

    def run(self, case):
        out = Outcome("real-load")
        t0 = time.monotonic()
        goods = self.goods_for(case)
        ref, rout = self.reference(goods)
        if not rout.ok:
            out.violations.extend(rout.violations)
            return out
        tree = os.path.join(self.work, "tree")
        _clean(tree)
        materialize(case, tree)
        for g in goods:
            copy_tree(self.seeds.paths[g], os.path.join(tree, g.split("/", 1)[1]))
        self.c.fresh(CASE_DB, TEMPLATE)
        try:
            r = self._load(tree, out, CASE_DB)
            if not r.timed_out:
                self.after(out, r, tree, goods, ref)
        finally:
            self.c.drop(CASE_DB)
        for v in out.violations:
            if not v.line:  # a database check: load's own word on the run
                v.line = key_line(out.stderr.get("load", ""))
        out.secs = time.monotonic() - t0
        return out

    def after(self, out, r, tree, goods, ref):
        depts = [g.split("/")[2] for g in goods]
        snap = self.snapshot(CASE_DB, depts)
        for g, d in zip(goods, depts):
            nfiles = len([n for n in os.listdir(self.seeds.paths[g]) if n.lower().endswith((".csv", ".csv.gz"))])
            st = snap["files"].get(d, {})
            if st.get("loaded", 0) != nfiles or sum(st.values()) != nfiles:
                out.add("good_loaded", "load", "good department %s: files %s, want %d loaded"
                        % (d, ", ".join("%s %d" % kv for kv in sorted(st.items())) or "none", nfiles))
            if snap["facts"].get(d) != ref["facts"].get(d):
                out.add("good_loaded", "load", "good department %s: facts (count, sum) %s, reference %s"
                        % (d, snap["facts"].get(d), ref["facts"].get(d)))
        for v in self.views:
            got, want = snap["views"][v], ref["views"][v]
            if got != want:
                extra = [x for x in got if x not in want][:1]
                missing = [x for x in want if x not in got][:1]
                out.add("good_loaded", "load", "mart.%s rows of %s differ from the reference: %d rows, want %d%s%s"
                        % (v, "/".join(depts), len(got), len(want),
                           "; missing " + missing[0][:120] if missing else "", "; extra " + extra[0][:120] if extra else ""))
        runs = [l.split("|") for l in self.c.psql(CASE_DB, """
            SELECT r.run_id || '|' || r.files_seen || '|' || coalesce(r.exit_code::text, 'null') || '|' ||
                   (SELECT count(*) FROM etl.files f WHERE f.run_id = r.run_id) FROM etl.runs r ORDER BY r.run_id;""").split()]
        if len(runs) != 1:
            out.add("run_row", "load", "%d etl.runs rows, want 1" % len(runs))
        for run_id, seen, code, nfiles in runs:
            if seen != nfiles:
                out.add("run_row", "load", "run %s: files_seen %s, but %s etl.files rows" % (run_id, seen, nfiles))
            if code != str(r.rc):
                out.add("run_row", "load", "run %s: exit_code %s, load exited %d" % (run_id, code, r.rc))
            regular, other = tree_inventory(tree)
            if not (len(regular) <= int(seen) <= len(regular) + len(other)):
                out.add("files_accounted", "load", "run %s: files_seen %s, the tree holds %d regular table files%s"
                        % (run_id, seen, len(regular), " and %d other table-named entries" % len(other) if other else ""))
        bad = self.c.psql(CASE_DB, """
            SELECT f.file_path FROM etl.files f WHERE f.status = 'rejected' AND NOT EXISTS
              (SELECT 1 FROM etl.rejects j WHERE j.run_id = f.run_id AND j.file_path = f.file_path) ORDER BY 1;""")
        for p in bad.splitlines()[:3]:
            out.add("rejected_files", "load", "%s is rejected with no etl.rejects row" % p.replace(tree, "<tree>"))
