"""Cases of the whole-pipeline fuzzer, and the seeds they are made from.

A case is one submission folder (<year>/<dept>/) whose entries are held as
bytes: file names are bytes (a name may be GBK or hold a newline), files are
their on-disk bytes, and a few entries are not files at all (a FIFO, a
symlink).  A case is written to disk by materialize() and kept as a
regression input by save_case(): a case.json that maps each entry's real
name to a blob beside it, because a GBK or newline file name does not
belong in git.

Seeds: the samples/ submissions, the real publications of tests/data/real/,
and a generated set (tests/gen/gen_submissions.py, fixed seed, every
dialect: GB18030, BOMs, gzip, CRLF, split codes ...).
"""

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

# The generated seed set: 12 departments cover every dialect (see the
# generator's --dialects all); the same arguments as tests/fuzz/make_seeds.py.
GEN_ARGS = ["--departments", "12", "--years", "2023", "--seed", "1", "--dialects", "all"]

# A blob bigger than this is kept gzip-compressed in a regression case
# (a 1.1 MiB cell compresses to a few KB).
STORE_RAW_MAX = 64 * 1024


def is_table_name(name):
    n = name.lower()
    return n.endswith(b".csv") or n.endswith(b".csv.gz")


def show(name):
    """A file name (bytes) as printable text: \\xNN for what is not UTF-8, \\n escaped."""
    s = name.decode("utf-8", "backslashreplace")
    return s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


class Entry:
    """One entry of a submission folder: a file, a FIFO or a symlink."""

    __slots__ = ("name", "kind", "data", "target")

    def __init__(self, name, kind="file", data=b"", target=b""):
        self.name = name  # bytes, relative to the folder (no '/')
        self.kind = kind  # file | fifo | symlink
        self.data = data
        self.target = target

    def copy(self):
        return Entry(self.name, self.kind, self.data, self.target)


class Case:
    def __init__(self, seed, folder, entries, mutations=None, case_id=""):
        self.seed = seed        # where it came from: samples/2023/109001, real/..., gen/...
        self.folder = folder    # "2023/109001": the <year>/<dept> it is written under
        self.entries = entries  # [Entry], kept sorted by name
        self.mutations = mutations or []  # [dict]: what was done, in order
        self.case_id = case_id  # "CAMPAIGN:INDEX" or a regression case's name

    def copy(self):
        return Case(self.seed, self.folder, [e.copy() for e in self.entries],
                    [dict(m) for m in self.mutations], self.case_id)

    @property
    def dept(self):
        return self.folder.split("/")[1]

    @property
    def year(self):
        return int(self.folder.split("/")[0])

    def files(self):
        return [e for e in self.entries if e.kind == "file"]

    def get(self, name):
        for e in self.entries:
            if e.name == name:
                return e
        return None

    def add(self, entry):
        self.entries = [e for e in self.entries if e.name != entry.name] + [entry]
        self.entries.sort(key=lambda e: e.name)

    def remove(self, name):
        self.entries = [e for e in self.entries if e.name != name]

    def describe(self):
        """One line: seed and mutations."""
        return "seed=%s %s" % (self.seed, " + ".join(describe_mutation(m) for m in self.mutations) or "unmutated")

    def size(self):
        return sum(len(e.data) for e in self.entries)


def describe_mutation(m):
    keys = [k for k in m if k not in ("kind", "file", "marker")]
    detail = ", ".join("%s=%s" % (k, m[k]) for k in keys)
    where = m.get("file", "")
    return "%s(%s%s%s)" % (m["kind"], where, "; " if where and detail else "", detail)


def load_folder(path, seed, folder):
    """A submission folder on disk as a case (regular table files only)."""
    entries = []
    bpath = os.fsencode(path)
    for name in sorted(os.listdir(bpath)):
        p = os.path.join(bpath, name)
        if os.path.isfile(p) and is_table_name(name):
            with open(p, "rb") as f:
                entries.append(Entry(name, "file", f.read()))
    return Case(seed, folder, entries)


def materialize(case, root):
    """Write the case under root/<year>/<dept>/; returns that folder (str)."""
    d = os.path.join(root, case.folder)
    os.makedirs(d, exist_ok=True)
    bd = os.fsencode(d)
    for e in case.entries:
        p = os.path.join(bd, e.name)
        if e.kind == "file":
            with open(p, "wb") as f:
                f.write(e.data)
        elif e.kind == "fifo":
            os.mkfifo(p)
        elif e.kind == "symlink":
            os.symlink(e.target, p)
        else:
            raise ValueError("unknown entry kind %r" % e.kind)
    return d


def copy_tree(src, dst):
    """Copy a plain submission folder (the good departments)."""
    shutil.copytree(src, dst)


# ---- regression cases on disk ------------------------------------------------

def _name_json(name):
    try:
        s = name.decode("utf-8")
        if all(c >= " " for c in s) and "/" not in s:
            return {"name": s}
    except UnicodeDecodeError:
        pass
    return {"name_hex": name.hex(), "name_shown": show(name)}


def _name_from_json(d):
    if "name" in d:
        return d["name"].encode("utf-8")
    return bytes.fromhex(d["name_hex"])


def save_case(case, dest, info):
    """Keep a case in dest/ (case.json and its blobs); info goes into case.json."""
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    entries = []
    for i, e in enumerate(case.entries, 1):
        d = _name_json(e.name)
        d["type"] = e.kind
        if e.kind == "file":
            ext = ".csv.gz" if e.name.lower().endswith(b".gz") else ".csv" if e.name.lower().endswith(b".csv") else ".bin"
            if len(e.data) > STORE_RAW_MAX:
                blob = "%02d%s.stored.gz" % (i, ext)
                with open(os.path.join(dest, blob), "wb") as f:
                    f.write(gzip.compress(e.data, 9, mtime=0))
                d["stored"] = "gzip"
            else:
                blob = "%02d%s" % (i, ext)
                with open(os.path.join(dest, blob), "wb") as f:
                    f.write(e.data)
            d["blob"] = blob
            d["bytes"] = len(e.data)
            d["sha256"] = hashlib.sha256(e.data).hexdigest()
        elif e.kind == "symlink":
            d["target"] = e.target.decode("utf-8", "surrogateescape")
        entries.append(d)
    doc = {"seed": case.seed, "folder": case.folder, "mutations": case.mutations}
    doc.update(info)
    doc["entries"] = entries
    with open(os.path.join(dest, "case.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")


def load_case(src):
    """A kept case: (Case, the case.json document)."""
    with open(os.path.join(src, "case.json"), encoding="utf-8") as f:
        doc = json.load(f)
    entries = []
    for d in doc["entries"]:
        name = _name_from_json(d)
        kind = d.get("type", "file")
        if kind == "file":
            with open(os.path.join(src, d["blob"]), "rb") as f:
                data = f.read()
            if d.get("stored") == "gzip":
                data = gzip.decompress(data)
            if "sha256" in d and hashlib.sha256(data).hexdigest() != d["sha256"]:
                raise ValueError("%s: blob %s does not match its sha256" % (src, d["blob"]))
            entries.append(Entry(name, "file", data))
        elif kind == "symlink":
            entries.append(Entry(name, "symlink", target=d["target"].encode("utf-8", "surrogateescape")))
        else:
            entries.append(Entry(name, kind))
    entries.sort(key=lambda e: e.name)
    case = Case(doc["seed"], doc["folder"], entries, doc.get("mutations", []), os.path.basename(src.rstrip("/")))
    return case, doc


# ---- seeds ----------------------------------------------------------------------

class Seeds:
    """Every seed submission, by label: samples/Y/D, real/Y/D, gen/Y/D."""

    def __init__(self, workdir, generated=True):
        self.paths = {}
        for base, label in ((os.path.join(ROOT, "samples"), "samples"),
                            (os.path.join(ROOT, "tests", "data", "real"), "real")):
            self._add(base, label)
        if generated:
            gen = os.path.join(workdir, "gen")
            stamp = os.path.join(gen, ".args")
            want = " ".join(GEN_ARGS) + " " + _file_sha(os.path.join(ROOT, "tests", "gen", "gen_submissions.py"))
            if not (os.path.exists(stamp) and open(stamp).read() == want):
                if os.path.isdir(gen):
                    shutil.rmtree(gen)
                subprocess.run([sys.executable, os.path.join(ROOT, "tests", "gen", "gen_submissions.py"),
                                "--out", gen, "--quiet"] + GEN_ARGS, check=True,
                               stdout=subprocess.DEVNULL)
                with open(stamp, "w") as f:
                    f.write(want)
            self._add(gen, "gen")
        self.labels = sorted(self.paths)
        self._cache = {}

    def _add(self, base, label):
        for year in sorted(os.listdir(base)):
            if not (len(year) == 4 and year.isdigit()):
                continue
            for dept in sorted(os.listdir(os.path.join(base, year))):
                p = os.path.join(base, year, dept)
                if os.path.isdir(p):
                    self.paths["%s/%s/%s" % (label, year, dept)] = p

    def group(self, label):
        return label.split("/")[0]

    def case(self, label):
        if label not in self._cache:
            _, year, dept = label.split("/")
            self._cache[label] = load_folder(self.paths[label], label, "%s/%s" % (year, dept))
        return self._cache[label].copy()

    def samples(self):
        return [l for l in self.labels if l.startswith("samples/")]


def _file_sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]
