"""Running the stage programs on a case, and the invariants they must keep.

dry-run mode (dry_run()): the case alone under a fresh tree,

    extract TREE > extract.stream
    normalize < extract.stream > normalize.stream
    load --dry-run < normalize.stream
    load --dry-run TREE                (with pipe=True: load runs the pipe itself)

each with a time bound, then the streams are read here.  real-load mode is
in db.py.  Every broken invariant is a Violation(invariant, stage, detail,
line): `line` is the stderr line that says most (a sanitizer report, an
error, else the last line).

Invariants (the names used in reports and case.json):

  exit            extract and normalize exit 0; load exits 0 or 65
  signal          no stage dies of a signal (a crash)
  sanitizer       no AddressSanitizer / LeakSanitizer / UBSan report on stderr
  timeout         no stage runs past its bound (a hang)
  stream_utf8     every stream line is valid UTF-8 without NUL (COPY refuses
                  anything else)
  stream_grammar  S header first; F, R, J, C, E with their field counts; R and
                  J only between F and E; C only outside a file
  unclosed_file   every F has its E
  accounting      E counts are numbers >= 0 and records = meta + facts +
                  subtotals + rejected; a rejected file counts no facts
  rejected_reason a file whose E says rejected has a J (the reason)
  amount_format   an amount key holds -?digits.dd
  amount_range    every amount in R and C fits numeric(18,2) (< 10^16 yuan)
  stage_agreement normalize writes the same files as extract got, each with
                  the same record and meta counts
  files_accounted every regular table file of the tree is in exactly one F
                  (a symlink loop or a second link reads nothing twice; a
                  non-UTF-8 name is written with \\xHH for its bytes); a FIFO
                  or a link that leads nowhere is never loaded
  exit_rejects    load --dry-run exits 65 when the stream holds a rejected row
                  or file, and 0 when it holds none
  load_summary    load's dry-run summary counts the stream's files and records
  pipe_agrees     load --dry-run TREE exits as extract | normalize | load does
  expect_rejected a mutation that must reject its file did (empty file, title
                  year against the folder); a FIFO, a link to /dev/zero or
                  out of the tree is in the stream, rejected; the row of a
                  field past 1 MiB is rejected (or its file)
  cell_cut        a lengthened cell (under 1 MiB) reaches the stream whole, or
                  its row is rejected
  duplicate_rejected  two files of one table kind: both rejected
"""

import os
import re
import signal
import stat
import subprocess
import time

from cases import ROOT, is_table_name, materialize, show
from mutate import Payload

SANITIZER = [b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:",
             b"ERROR: UndefinedBehaviorSanitizer", b"AddressSanitizer:DEADLYSIGNAL"]
def stream_grammar():
    """The field names of F, J, C, E, the magic and the version, from etl/common/stream.h
    (the one specification of the stream): the harness follows it when it grows."""
    with open(os.path.join(ROOT, "etl", "common", "stream.h"), encoding="utf-8") as f:
        h = f.read()
    g = {"magic": re.search(r'#define STREAM_MAGIC\s+"([^"]+)"', h).group(1).encode(),
         "version": re.search(r'#define STREAM_VERSION\s+"([^"]+)"', h).group(1).encode()}
    for tag in "FJCE":
        body = re.search(r"enum %s_field\s*\{([^}]*)\}" % tag.lower(), h).group(1)
        names = re.findall(r"\b%s_([A-Z0-9_]+)\b" % tag, body)
        assert names[-1] == "NFIELDS", "stream.h: enum %s_field does not end with %s_NFIELDS" % (tag.lower(), tag)
        g[tag] = {n: i for i, n in enumerate(names[:-1])}
    return g


GRAMMAR = stream_grammar()
FIELDS = {t: len(GRAMMAR[t]) for t in "FJCE"}
FI, JI, CI, EI = (GRAMMAR[t] for t in "FJCE")
# C fields holding yuan (the etl.checks columns of numeric(18,2))
C_AMOUNTS = [CI[n] for n in ("EXPECTED", "ACTUAL", "MAX_DIFF", "ALLOWANCE") if n in CI]
E_COUNTS = [EI[n] for n in ("RECORDS", "META", "FACTS", "SUBTOTALS", "REJECTED")]
E_STATUSES = (b"ok", b"rejected", b"skipped")
AMOUNT_RE = re.compile(rb"^-?[0-9]+\.[0-9][0-9]$")
COUNT_RE = re.compile(rb"^[0-9]+$")
LIMIT = 10 ** 16 * 100  # numeric(18,2): |amount| < 10^16 yuan, in fen
SUMMARY_RE = re.compile(r"(\d+) files: (\d+) would load, (\d+) unchanged, (\d+) rejected"
                        r"(?:, (\d+) skipped[^;]*)?; rows: (\d+) read")
UNESC = {b"\\": b"\\", b"t": b"\t", b"n": b"\n", b"r": b"\r"}


def amount_keys():
    keys = set()
    with open(os.path.join(ROOT, "etl", "common", "measure.def"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"MEASURE\((\w+), .*MEASURE_AMOUNT\)", line)
            if m:
                keys.add(m.group(1).encode())
    return keys


AMOUNT_KEYS = amount_keys()


class Violation:
    __slots__ = ("invariant", "stage", "detail", "line")

    def __init__(self, invariant, stage, detail, line=""):
        self.invariant, self.stage, self.detail, self.line = invariant, stage, detail, line

    def __repr__(self):
        return "%s [%s] %s" % (self.invariant, self.stage, self.detail)

    def as_dict(self):
        return {"invariant": self.invariant, "stage": self.stage, "detail": self.detail, "stderr": self.line}


class Outcome:
    def __init__(self, mode):
        self.mode = mode
        self.violations = []
        self.stderr = {}   # stage -> stderr text (tail)
        self.exits = {}    # stage -> exit code (or "timeout", "SIGSEGV")
        self.secs = 0.0

    @property
    def ok(self):
        return not self.violations

    def add(self, inv, stage, detail, line=None):
        if line is None:
            line = key_line(self.stderr.get(stage, ""))
        # a broken invariant is reported three times at most per stage
        if sum(1 for v in self.violations if v.invariant == inv and v.stage == stage) < 3:
            self.violations.append(Violation(inv, stage, detail, line))

    def first(self):
        return self.violations[0] if self.violations else None


def key_line(text):
    """The stderr line that says most: a sanitizer report, an error, a reject, the last line."""
    lines = [l for l in text.splitlines() if l.strip()]
    for pat in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: ",
                "error:", "Error", "FATAL"):
        for l in lines:
            if pat in l:
                return l.strip()[:400]
    lines = [l for l in lines if not re.match(r"^exit \d+$", l.strip())
             and not re.search(r": (loaded|would load|unchanged) |^dry run |^  |failed checks:$", l)]
    return lines[-1].strip()[:400] if lines else ""


def tail(text, n=6):
    keep = [l for l in text.splitlines() if l.strip() and not re.search(r": (loaded|would load|unchanged) ", l)]
    return "\n".join(keep[-n:])


# ---- running a program --------------------------------------------------------------

class Bins:
    def __init__(self, bindir):
        self.dir = os.path.abspath(bindir)
        for p in ("extract", "normalize", "load"):
            if not os.access(os.path.join(self.dir, p), os.X_OK):
                raise SystemExit("pfuzz: %s/%s is not built (make -s all asan)" % (self.dir, p))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PG") and k not in ("ETL_DSN", "ETL_EMBEDDED_DSN")}
        env["ETL_HOME"] = ROOT
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        env["LC_ALL"] = "C.UTF-8"
        self.env = env

    def path(self, prog):
        return os.path.join(self.dir, prog)


class Run:
    __slots__ = ("rc", "timed_out", "secs", "stderr")


def run(bins, argv, timeout, stdin=None, stdout=None, stderr_path=None):
    """Run argv[0] of bins with a time bound; the whole process group dies at the bound."""
    r = Run()
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    ferr = open(stderr_path, "wb+")
    t0 = time.monotonic()
    try:
        p = subprocess.Popen([bins.path(argv[0])] + argv[1:], stdin=fin, stdout=fout, stderr=ferr,
                             env=bins.env, start_new_session=True)
        try:
            r.rc = p.wait(timeout=timeout)
            r.timed_out = False
        except subprocess.TimeoutExpired:
            r.timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            r.rc = p.wait()
        else:
            # children left behind (load's extract and normalize) go too
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        r.secs = time.monotonic() - t0
        ferr.seek(0, 2)
        size = ferr.tell()
        ferr.seek(max(0, size - 256 * 1024))
        r.stderr = ferr.read()
    finally:
        ferr.close()
        if stdin:
            fin.close()
        if stdout:
            fout.close()
    return r


def judge(out, stage, r, allowed, timeout, tree=None):
    """Exit code, signal, sanitizer and time bound of one program run."""
    text = r.stderr.decode("utf-8", "backslashreplace")
    if tree:
        text = text.replace(tree, "<tree>").replace(os.path.relpath(tree), "<tree>")
    out.stderr[stage] = text
    out.exits[stage] = "timeout" if r.timed_out else r.rc if r.rc >= 0 else signame(-r.rc)
    if r.timed_out:
        out.add("timeout", stage, "still running after %ds: killed" % timeout)
        return False
    for pat in SANITIZER:
        if pat in r.stderr:
            out.add("sanitizer", stage, "sanitizer report on stderr (exit %d)" % r.rc)
            return False
    if r.rc < 0:
        out.add("signal", stage, "killed by %s" % signame(-r.rc))
        return False
    if r.rc not in allowed:
        out.add("exit", stage, "exit %d (allowed: %s)" % (r.rc, ", ".join(map(str, sorted(allowed)))))
        return False
    return True


def signame(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return "signal %d" % n


# ---- the stream ------------------------------------------------------------------------

def unescape(field):
    if b"\\" not in field:
        return field
    return re.sub(rb"\\(.)", lambda m: UNESC.get(m.group(1), b"\\" + m.group(1)), field)


class SFile:
    __slots__ = ("path", "f", "rs", "js", "e", "lineno")

    def __init__(self, path, f, lineno):
        self.path, self.f, self.lineno = path, f, lineno
        self.rs, self.js, self.e = [], [], None

    @property
    def rejected(self):
        return self.e is not None and len(self.e) > EI["STATUS"] and self.e[EI["STATUS"]] == b"rejected"

    @property
    def kind(self):
        return self.f[FI["KIND"]] if len(self.f) > FI["KIND"] else b""

    def count(self, name):
        try:
            return int(self.e[EI[name]])
        except (TypeError, ValueError, IndexError):
            return None


class Stream:
    def __init__(self):
        self.files = []
        self.checks = []
        self.nlines = 0

    def has_reject(self):
        return any(f.js or f.rejected for f in self.files)


def read_stream(path, stage, out, tree=""):
    """Read a stream file, checking its grammar, UTF-8 and accounting."""
    s = Stream()
    with open(path, "rb") as fh:
        data = fh.read()
    if not data:
        out.add("stream_grammar", stage, "empty stream (no S header)")
        return s
    if not data.endswith(b"\n"):
        out.add("stream_grammar", stage, "the last record has no newline")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    s.nlines = len(lines)
    cur = None
    shown = lambda b: b.decode("utf-8", "backslashreplace").replace(tree, "<tree>")[:200]
    for n, raw in enumerate(lines, 1):
        fields = raw.split(b"\t")
        tag = fields[0].decode("ascii", "replace")
        try:
            raw.decode("utf-8")
            bad = b"\x00" in raw
        except UnicodeDecodeError:
            bad = True
        if bad:
            which = [i for i, x in enumerate(fields) if not _utf8(x)]
            out.add("stream_utf8", stage, "line %d (%s), field %s is not UTF-8 text: %s"
                    % (n, tag, which[0] if which else "?", shown(fields[which[0]] if which else raw)))
        fields = [unescape(x) for x in fields[1:]]
        if n == 1:
            if tag != "S" or fields[:2] != [GRAMMAR["magic"], GRAMMAR["version"]]:
                out.add("stream_grammar", stage, "line 1 is not the S header: %s" % shown(raw))
            continue
        if tag in FIELDS and len(fields) != FIELDS[tag]:
            out.add("stream_grammar", stage, "line %d: %s has %d fields, not %d" % (n, tag, len(fields), FIELDS[tag]))
        if tag == "F":
            if cur is not None:
                out.add("unclosed_file", stage, "line %d: F before the E of %s" % (n, shown(cur.path)))
            cur = SFile(fields[FI["PATH"]] if fields else b"", fields, n)
            s.files.append(cur)
        elif tag in ("R", "J"):
            if cur is None:
                out.add("stream_grammar", stage, "line %d: %s outside a file" % (n, tag))
                continue
            (cur.rs if tag == "R" else cur.js).append(fields)
            if tag == "R":
                if len(fields) < 4:
                    out.add("stream_grammar", stage, "line %d: R has %d fields" % (n, len(fields)))
                for kv in fields[4:]:
                    k, _, v = kv.partition(b"=")
                    if k in AMOUNT_KEYS and v:  # a blank cell is written key= (stream.h)
                        _amount(out, stage, v, "line %d: R %s=%s" % (n, k.decode(), shown(v)))
        elif tag == "C":
            if cur is not None:
                out.add("stream_grammar", stage, "line %d: C inside a file" % n)
            s.checks.append(fields)
            for i in C_AMOUNTS:
                v = fields[i] if i < len(fields) else b""
                if v:
                    name = [k for k, x in CI.items() if x == i][0].lower()
                    _amount(out, stage, v, "line %d: C %s %s %s" % (n, shown(fields[CI["NAME"]] if len(fields) > CI["NAME"] else b""),
                                                                  name, shown(v)))
        elif tag == "E":
            if cur is None:
                out.add("stream_grammar", stage, "line %d: E outside a file" % n)
                continue
            cur.e = fields
            _accounting(out, stage, cur, n, shown)
            cur = None
        elif tag == "S":
            out.add("stream_grammar", stage, "line %d: a second S header" % n)
        else:
            out.add("stream_grammar", stage, "line %d: unknown tag %r" % (n, tag))
    if cur is not None:
        out.add("unclosed_file", stage, "the stream ends inside %s (F at line %d, no E)" % (shown(cur.path), cur.lineno))
    return s


def _utf8(b):
    try:
        b.decode("utf-8")
        return b"\x00" not in b
    except UnicodeDecodeError:
        return False


def _amount(out, stage, v, where):
    if not AMOUNT_RE.match(v):
        out.add("amount_format", stage, "%s is not an amount" % where)
        return
    whole, frac = v.lstrip(b"-").split(b".")
    if int(whole) * 100 + int(frac) >= LIMIT:
        out.add("amount_range", stage, "%s is outside numeric(18,2) (10^16 yuan or more)" % where)


def _accounting(out, stage, f, n, shown):
    e = f.e
    if len(e) != FIELDS["E"]:
        return
    vals = []
    for i in E_COUNTS:
        if not COUNT_RE.match(e[i]):
            out.add("accounting", stage, "line %d: E count %s is not a number >= 0 (%s: E %s)"
                    % (n, shown(e[i]), shown(os.path.basename(f.path)), " ".join(x.decode("utf-8", "replace") for x in e)))
            return
        vals.append(int(e[i]))
    rec, meta, facts, sub, rej = vals
    if rec != meta + facts + sub + rej:
        out.add("accounting", stage, "line %d: records %d != meta %d + facts %d + subtotals %d + rejected %d (%s)"
                % (n, rec, meta, facts, sub, rej, shown(os.path.basename(f.path))))
    status = e[EI["STATUS"]]
    if status not in E_STATUSES:
        out.add("stream_grammar", stage, "line %d: E status %s" % (n, shown(status)))
    if status == b"rejected":
        if not f.js:
            out.add("rejected_reason", stage, "line %d: %s is rejected with no J saying why" % (n, shown(f.path)))
        if facts or sub:
            out.add("accounting", stage, "line %d: rejected file %s counts %d facts, %d subtotals"
                    % (n, shown(os.path.basename(f.path)), facts, sub))


# ---- the tree on disk ----------------------------------------------------------------------

def tree_inventory(root):
    """(regular table files by (dev, ino) -> path, other table-named entries) below root,
    without following links (the links are resolved, not walked)."""
    regular, other = {}, []
    broot = os.fsencode(root)
    for d, dirs, files in os.walk(broot, followlinks=False):
        for name in files + dirs:
            p = os.path.join(d, name)
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode) or not is_table_name(name) and not stat.S_ISLNK(st.st_mode):
                continue
            try:
                t = os.stat(p)
            except OSError:
                other.append(p)  # a loop, or a link to nowhere
                continue
            if stat.S_ISREG(t.st_mode) and is_table_name(name):
                regular.setdefault((t.st_dev, t.st_ino), p)
            elif not stat.S_ISDIR(t.st_mode) and is_table_name(name):
                other.append(p)  # a FIFO
    return regular, other


SHOWN = {b"n": b"\n", b"r": b"\r", b"t": b"\t"}


def stat_path(path):
    """os.stat of an F path, or None.  extract writes a path as text_escape_controls()
    shows it (docs/contract.md): a control character as \\n, \\r, \\t or \\xHH, a byte
    that is not UTF-8 as \\xHH.  When the path as written does not exist, those are
    turned back into bytes."""
    back = re.sub(rb"\\(x[0-9A-Fa-f]{2}|[nrt])",
                  lambda m: SHOWN.get(m.group(1)) or bytes([int(m.group(1)[1:], 16)]), path)
    for p in (path, back):
        try:
            return os.stat(p)
        except OSError:
            pass
    return None


def files_accounted(out, stage, stream, root):
    regular, other = tree_inventory(root)
    seen = {}
    rel = lambda p: show(os.path.relpath(p, os.fsencode(root)))
    for f in stream.files:
        t = stat_path(f.path)
        if t is not None and stat.S_ISREG(t.st_mode) and (t.st_dev, t.st_ino) in regular:
            seen.setdefault((t.st_dev, t.st_ino), []).append(f)
        elif not f.rejected:
            out.add("files_accounted", stage, "%s is in the stream, not rejected, and is no regular file of the tree"
                    % show(f.path).replace(root, "<tree>"))
    for key, p in sorted(regular.items(), key=lambda kv: kv[1]):
        got = seen.get(key, [])
        if not got:
            out.add("files_accounted", stage, "%s is missing from the stream" % rel(p))
        elif len(got) > 1:
            out.add("files_accounted", stage, "%s is in the stream %d times (e.g. as %s)"
                    % (rel(p), len(got), show(got[-1].path).replace(root, "<tree>")[:160]))


# ---- dry-run mode --------------------------------------------------------------------------

def later_touches(case, i):
    """Whether a mutation after the i-th touched the same file."""
    m = case.mutations[i]
    mine = {m.get("file"), m.get("now")} | set(m.get("copies", []))
    return any(x.get("file") in mine for x in case.mutations[i + 1:])


def by_name(stream, name):
    return [f for f in stream.files if show(os.path.basename(f.path)) == name]


def entry_text(case, name):
    """The inflated bytes of the case's file shown as name (None when it is gone)."""
    for e in case.files():
        if show(e.name) == name:
            p = Payload(e.data)
            return p.inner if p.inner is not None else b""
    return None


def marker_line(case, m):
    """The physical line (1-based) that holds a lengthened cell's marker, in the file as it
    is now (stacked mutations and the minimizer move lines), or None."""
    data = entry_text(case, m["file"])
    if data is None:
        return None
    p = Payload(data)
    mark = m["marker"].encode(p.enc or "utf-8") if p.enc and not p.enc.startswith("utf-16") else None
    if not mark or mark not in data:
        return None
    return data[:data.index(mark)].count(b"\n") + 1


def still_applies(case, m):
    """Whether what the mutation did is still there (a minimized or stacked case may
    have lost it): only then does its expectation hold."""
    if m["kind"] in ("fifo", "symlink"):
        return any(show(e.name) == m["file"] for e in case.entries)
    data = entry_text(case, m["file"])
    if data is None:
        return False
    if m["kind"] == "empty":
        return data.strip(b"\xef\xbb\xbf\r\n \t") == b""
    if m["kind"] == "year_swap":
        p = Payload(data)
        head = "".join((p.text or "").split("\n", 3)[:3])
        return (m["now"] + "年") in head and (m["was"] + "年") not in head
    if m["kind"] == "lengthen":
        return marker_line(case, m) is not None
    if m["kind"] == "dup_table":
        return all(entry_text(case, n) == data for n in m["copies"])
    return True


def expectations(out, case, ext, norm):
    for i, m in enumerate(case.mutations):
        exp = m.get("expect")
        if not exp or not still_applies(case, m) or (exp != "intact" and later_touches(case, i)):
            continue
        if exp in ("rejected", "listed_rejected"):
            got = by_name(ext, m["file"])
            if not got and exp == "listed_rejected":
                out.add("expect_rejected", "extract", "%s (%s) is not in the stream: lost in silence"
                        % (m["file"], m["kind"]))
            for f in got:
                if f.e is not None and not f.rejected:
                    out.add("expect_rejected", "extract", "%s (%s) was not rejected: E %s"
                            % (m["file"], m["kind"], " ".join(x.decode("utf-8", "replace") for x in f.e)))
        elif exp == "row_rejected":
            line = str(marker_line(case, m)).encode()
            for f in by_name(ext, m["file"]):
                if f.e is not None and not f.rejected and not any(j and j[JI["LINE"]] == line for j in f.js):
                    out.add("expect_rejected", "extract", "%s line %s: the %d-byte cell (past 1 MiB) was not"
                            " rejected, nor its file" % (m["file"], line.decode(), m["bytes"]))
        elif exp == "intact":
            ln = marker_line(case, m)
            line = str(ln).encode()
            marker = m["marker"].encode("utf-8")
            for f in by_name(ext, m["file"]):
                rs = [r for r in f.rs if r and r[0] == line]  # R_LINE is first
                if not rs or f.rejected or any(j and j[JI["LINE"]] == line for j in f.js):
                    continue
                if not any(marker in x for r in rs for x in r):
                    longest = max(len(x) for r in rs for x in r[2:4] or [b""])
                    out.add("cell_cut", "extract", "%s line %d: the %d-byte cell reached the stream cut (longest"
                            " text field of the row: %d bytes), its row not rejected" % (m["file"], ln, m["bytes"], longest))
        elif exp == "duplicate":
            names = [m["file"]] + m["copies"]
            got = [by_name(ext, n) for n in names]
            if all(len(g) == 1 and not g[0].rejected for g in got) and got[0][0].kind not in (b"", b"0"):
                for name in names:
                    for f in by_name(norm, name):
                        if not f.rejected or not any(j[JI["REASON"]:JI["REASON"] + 1] == [b"duplicate_table"] for j in f.js):
                            out.add("duplicate_rejected", "normalize", "%s, one of %d files of table %s, was not"
                                    " rejected as duplicate_table" % (name, len(names), got[0][0].kind.decode()))


def stage_agreement(out, ext, norm):
    def key(s):
        d = {}
        for f in s.files:
            d.setdefault(f.path, []).append(f)
        return d
    a, b = key(ext), key(norm)
    for p in sorted(set(a) | set(b)):
        na, nb = len(a.get(p, [])), len(b.get(p, []))
        if na != nb:
            out.add("stage_agreement", "normalize", "%s: %d F in extract's stream, %d in normalize's"
                    % (show(os.path.basename(p)), na, nb))
            continue
        for fa, fb in zip(a[p], b[p]):
            if fa.e and fb.e and (fa.count("RECORDS"), fa.count("META")) != (fb.count("RECORDS"), fb.count("META")):
                out.add("stage_agreement", "normalize", "%s: records/meta %s/%s in extract, %s/%s in normalize"
                        % (show(os.path.basename(p)), fa.count("RECORDS"), fa.count("META"), fb.count("RECORDS"),
                           fb.count("META")))


def dry_run(case, bins, work, timeout=20, pipe=False):
    """The dry-run mode on one case; returns an Outcome."""
    out = Outcome("dry-run")
    t0 = time.monotonic()
    tree = os.path.join(work, "tree")
    _clean(work)
    os.makedirs(tree)
    materialize(case, tree)
    es, ns = os.path.join(work, "extract.stream"), os.path.join(work, "normalize.stream")
    err = os.path.join(work, "stderr")
    r = run(bins, ["extract", tree], timeout, stdout=es, stderr_path=err)
    if judge(out, "extract", r, {0}, timeout, tree):
        ext = read_stream(es, "extract", out, tree)
        files_accounted(out, "extract", ext, tree)
        r = run(bins, ["normalize"], timeout, stdin=es, stdout=ns, stderr_path=err)
        if judge(out, "normalize", r, {0}, timeout, tree):
            norm = read_stream(ns, "normalize", out, tree)
            stage_agreement(out, ext, norm)
            expectations(out, case, ext, norm)
            lo = os.path.join(work, "load.out")
            r = run(bins, ["load", "--dry-run"], timeout, stdin=ns, stdout=lo, stderr_path=err)
            if judge(out, "load", r, {0, 65}, timeout, tree):
                want = 65 if norm.has_reject() else 0
                if r.rc != want:
                    out.add("exit_rejects", "load", "exit %d, but the stream holds %s" %
                            (r.rc, "rejected rows or files" if want == 65 else "no rejected row or file"))
                text = out.stderr["load"] + open(lo, encoding="utf-8", errors="replace").read()
                m = SUMMARY_RE.search(text)
                nrec = sum(f.count("RECORDS") or 0 for f in norm.files)
                if not m:
                    out.add("load_summary", "load", "no dry-run summary line")
                else:
                    files, load_, unch, rej, skip, rows = (int(x or 0) for x in m.groups())
                    if files != len(norm.files) or rows != nrec:
                        out.add("load_summary", "load", "summary says %d files, %d rows read; the stream has %d files,"
                                " %d records" % (files, rows, len(norm.files), nrec))
                    elif load_ + unch + rej + skip != files:
                        out.add("load_summary", "load", "summary: %d would load + %d unchanged + %d rejected + %d skipped"
                                " != %d files" % (load_, unch, rej, skip, files))
                hand = r.rc
                if pipe:
                    r = run(bins, ["load", "--dry-run", tree], timeout, stderr_path=err)
                    if judge(out, "load-pipe", r, {0, 65}, timeout, tree) and r.rc != hand:
                        out.add("pipe_agrees", "load-pipe", "load --dry-run TREE exits %d, extract | normalize | load --dry-run %d"
                                % (r.rc, hand))
    out.secs = time.monotonic() - t0
    return out


def _clean(work):
    if os.path.isdir(work):
        subprocess.run(["rm", "-rf", "--", work], check=True)
