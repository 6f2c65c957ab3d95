"""Mutations of a submission folder, each deterministic from a random.Random.

A mutation takes (case, rng), changes the case in place and returns a dict
saying what it did ({"kind": ..., "file": ..., ...}), or None when it does
not apply to that case (no quoted field to cut inside, no 万元 table ...);
mutate() then draws another.  Text mutations see the file's text: gzip is
inflated and the encoding (UTF-8 with or without BOM, UTF-16 with BOM,
GB18030) decoded, then both are put back, so a quote inserted in a .csv.gz
is inside the deflated text.  Byte mutations work on the bytes on disk or,
half the time for a .csv.gz, on the inflated bytes.

Some mutations say what a correct pipeline must do with them beyond the
general invariants (an "expect" key, checked by check.py; the contract's
table "What the loader guarantees when something goes wrong"):
    rejected         the file is rejected whole (an empty file, a title year
                     that disagrees with the folder)
    row_rejected     the row of a cell past 1 MiB is rejected (too_long), or
                     the file
    intact           a lengthened cell under 1 MiB reaches the stream whole,
                     or its row is rejected: never cut silently
    duplicate        every copy of a table is rejected (duplicate_table)
    listed_rejected  a FIFO, a link to /dev/zero or to a file outside the
                     tree is in the stream as a rejected file, at once
"""

import codecs
import csv
import gzip
import io
import re
import zlib

from cases import Entry, show

BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]

# What the amount mutations write (README of issue 14: out of numeric(18,2),
# past int64 fen, exponent notation).
BIG_AMOUNTS = ["99999999999999999.99", "1e30", "92233720368547758.07", "-92233720368547758.08",
               "10000000000000000", "9223372036854775807", "1E+16", "１０００００００００００００００００"]
MAX_AMOUNT = "9999999999999999.99"  # the largest numeric(18,2): fine alone, its sums are not
INTERESTING = [b'"', b",", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xe4\xb8", b"\x81",
               b"\xa1\xa1", b"\t", b"\\", b"\\.", b"'", b"=", b"-", b"\xc0\x80", b"\xed\xa0\x80"]
LENGTHS = [2 * 1024, 100 * 1024, 1153434]  # 2 KB, 100 KB, 1.1 MiB (past the 1 MiB field cap)

AMOUNT_RE = re.compile(r"^\(?-?[0-9][0-9,]*(\.[0-9]+)?\)?$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
CODE_RE = re.compile(r"^[0-9]{3,7}$")


# ---- the file's layers --------------------------------------------------------

class Payload:
    """gzip and encoding around a file's text."""

    def __init__(self, raw):
        self.gz = raw[:2] == b"\x1f\x8b"
        self.inner = raw
        self.text = None
        if self.gz:
            try:
                self.inner = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error):
                self.inner = None
        self.bom, self.enc = b"", None
        if self.inner is None:
            return
        for bom, enc in BOMS:
            if self.inner.startswith(bom):
                self.bom, self.enc = bom, enc
                break
        else:
            for enc in ("utf-8", "gb18030"):
                try:
                    self.inner.decode(enc)
                    self.enc = enc
                    break
                except UnicodeDecodeError:
                    pass
        self.text = None
        if self.enc:
            try:
                self.text = self.inner[len(self.bom):].decode(self.enc)
            except UnicodeDecodeError:
                self.text = None

    def wrap(self, inner):
        return gzip.compress(inner, 6, mtime=0) if self.gz else inner

    def encode(self, text):
        return self.wrap(self.bom + text.encode(self.enc))

    @property
    def is_utf8(self):
        return self.enc == "utf-8"


def split_lines(text):
    """Lines with their endings ('\\n' or '\\r\\n'); no empty last element."""
    parts = re.split(r"(?<=\n)", text)
    return [p for p in parts if p]


def body_eol(line):
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


def parse_row(line):
    """The cells of one physical line, or None when it is not a whole record."""
    body, _ = body_eol(line)
    if body.count('"') % 2:
        return None
    try:
        rows = list(csv.reader([body]))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def write_row(cells, eol):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    return buf.getvalue() + eol


def data_lines(lines):
    """(index, cells) of lines that hold at least one amount."""
    out = []
    for i, line in enumerate(lines):
        row = parse_row(line)
        if row and len(row) >= 2 and any(AMOUNT_RE.match(c.strip()) and not CODE_RE.match(c.strip()) for c in row):
            out.append((i, row))
    return out


def is_wan(text):
    return "万元" in "".join(split_lines(text)[:6])


# ---- helpers for choosing ------------------------------------------------------

def pick_file(case, rng, text=False, utf8=False, plain=None):
    """A file entry of the case (and its Payload), or (None, None)."""
    cands = []
    for e in case.files():
        p = Payload(e.data)
        if text and p.text is None:
            continue
        if utf8 and not p.is_utf8:
            continue
        if plain is not None and p.gz == plain:
            continue
        cands.append((e, p))
    if not cands:
        return None, None
    return cands[rng.randrange(len(cands))]


def rec(kind, e, **kw):
    d = {"kind": kind, "file": show(e.name)}
    d.update(kw)
    return d


def gz_note(p):
    return {"gz": True} if p.gz else {}


# ---- byte mutations --------------------------------------------------------------

def _byte_target(e, p, rng):
    """Bytes to change: on disk, or half the time the inflated bytes of a .csv.gz."""
    if p.gz and p.inner is not None and rng.random() < 0.5:
        return bytearray(p.inner), True
    return bytearray(e.data), False


def _put(e, p, buf, inner):
    e.data = p.wrap(bytes(buf)) if inner else bytes(buf)


def m_flip(case, rng):
    e, p = pick_file(case, rng)
    if not e or not e.data:
        return None
    buf, inner = _byte_target(e, p, rng)
    if not buf:
        return None
    at = []
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(buf))
        buf[i] ^= rng.randint(1, 255)
        at.append(i)
    _put(e, p, buf, inner)
    return rec("flip", e, at=at, inflated=inner)


def m_insert(case, rng):
    e, p = pick_file(case, rng)
    if not e:
        return None
    buf, inner = _byte_target(e, p, rng)
    ins = []
    for _ in range(rng.randint(1, 3)):
        i = rng.randint(0, len(buf))
        b = rng.choice(INTERESTING)
        buf[i:i] = b
        ins.append("%d:%s" % (i, b.hex()))
    _put(e, p, buf, inner)
    return rec("insert", e, bytes=ins, inflated=inner)


def m_delete(case, rng):
    e, p = pick_file(case, rng)
    if not e or len(e.data) < 2:
        return None
    buf, inner = _byte_target(e, p, rng)
    if len(buf) < 2:
        return None
    i = rng.randrange(len(buf) - 1)
    n = rng.randint(1, min(64, len(buf) - i))
    del buf[i:i + n]
    _put(e, p, buf, inner)
    return rec("delete", e, at=i, n=n, inflated=inner)


def m_cut(case, rng):
    """Cut a file at a random byte (on disk: a .csv.gz then ends inside deflate)."""
    e, p = pick_file(case, rng)
    if not e or len(e.data) < 2:
        return None
    i = rng.randrange(1, len(e.data))
    n = len(e.data)
    e.data = e.data[:i]
    return rec("cut", e, at=i, of=n)


def m_cut_in_quote(case, rng):
    """Cut the text inside a quoted field."""
    e, p = pick_file(case, rng, text=True)
    if not e:
        return None
    spots = []
    q = False
    for i, c in enumerate(p.text):
        if c == '"':
            q = not q
        elif q:
            spots.append(i)
    if not spots:
        # no quoted field: quote a cell of a data row first, then cut inside it
        lines = split_lines(p.text)
        rows = data_lines(lines)
        if not rows:
            return None
        li, row = rows[rng.randrange(len(rows))]
        ci = rng.randrange(len(row))
        body, eol = body_eol(lines[li])
        cells = list(row)
        cells[ci] = '"' + cells[ci] + "x" + '"'
        lines[li] = ",".join(cells) + eol
        head = "".join(lines[:li])
        start = len(head) + len(",".join(cells[:ci])) + (1 if ci else 0) + 1
        text = "".join(lines)
        cut = start + rng.randint(0, len(row[ci]))
    else:
        text = p.text
        cut = rng.choice(spots)
    e.data = p.encode(text[:cut])
    return rec("cut_in_quote", e, at_char=cut, **gz_note(p))


def m_cut_in_char(case, rng):
    """Cut the (inflated) text one byte into a multibyte character."""
    e, p = pick_file(case, rng, text=True)
    if not e:
        return None
    inner = p.inner
    if p.enc in ("utf-8", "utf-8-sig"):
        spots = [i for i, b in enumerate(inner) if b >= 0xC0]
    elif p.enc == "gb18030":
        spots = [i for i, b in enumerate(inner) if b >= 0x81 and (i == 0 or inner[i - 1] < 0x81)]
    else:  # UTF-16: cut inside a code unit
        spots = list(range(len(p.bom), len(inner), 2))
    if not spots:
        return None
    i = rng.choice(spots) + 1
    e.data = p.wrap(inner[:i])
    return rec("cut_in_char", e, at=i, enc=p.enc, **gz_note(p))


# ---- line mutations --------------------------------------------------------------

def _lines(case, rng, need=2):
    e, p = pick_file(case, rng, text=True)
    if not e:
        return None, None, None
    lines = split_lines(p.text)
    if len(lines) < need:
        return None, None, None
    return e, p, lines


def _insert_quote(line, rng):
    body, eol = body_eol(line)
    commas = [i + 1 for i, c in enumerate(body) if c == ","]
    at = rng.choice([0] + commas) if rng.random() < 0.7 or not body else rng.randrange(len(body) + 1)
    return body[:at] + '"' + body[at:] + eol, at


def m_quote_middle(case, rng):
    """An unmatched quote in a middle line (among the data rows)."""
    e, p, lines = _lines(case, rng, need=3)
    if not e:
        return None
    li = rng.randint(len(lines) // 4, max(len(lines) // 4, (3 * len(lines)) // 4 - 1))
    lines[li], at = _insert_quote(lines[li], rng)
    e.data = p.encode("".join(lines))
    return rec("quote_middle", e, line=li + 1, col_char=at, **gz_note(p))


def m_quote_last(case, rng):
    """An unmatched quote in the last line: the file ends inside a quoted field."""
    e, p, lines = _lines(case, rng, need=1)
    if not e:
        return None
    li = len(lines) - 1
    while li > 0 and not lines[li].strip():
        li -= 1
    lines[li], at = _insert_quote(lines[li], rng)
    e.data = p.encode("".join(lines))
    return rec("quote_last", e, line=li + 1, col_char=at, **gz_note(p))


def m_quote_after_data(case, rng):
    """A malformed line appended after the data rows (issue 14: load exit 70)."""
    e, p, lines = _lines(case, rng, need=1)
    if not e:
        return None
    eol = "\r\n" if lines[-1].endswith("\r\n") else "\n"
    if not lines[-1].endswith("\n"):
        lines[-1] += eol
    row = data_lines(lines)
    code = "2010301"
    if row:
        code = row[-1][1][0] or code
    lines.append('%s,"bad,1,2%s' % (code, eol))
    e.data = p.encode("".join(lines))
    return rec("quote_after_data", e, line=len(lines), **gz_note(p))


def m_dup_line(case, rng):
    e, p, lines = _lines(case, rng)
    if not e:
        return None
    li = rng.randrange(len(lines))
    if not lines[li].endswith("\n"):
        return None
    lines.insert(li, lines[li])
    e.data = p.encode("".join(lines))
    return rec("dup_line", e, line=li + 1, **gz_note(p))


def m_del_line(case, rng):
    e, p, lines = _lines(case, rng)
    if not e:
        return None
    li = rng.randrange(len(lines))
    del lines[li]
    e.data = p.encode("".join(lines))
    return rec("del_line", e, line=li + 1, **gz_note(p))


# ---- cell mutations --------------------------------------------------------------

def _filler(nbytes, enc, marker):
    per = {"utf-8": 3, "utf-8-sig": 3, "gb18030": 2}.get(enc, 2)
    n = max(1, (nbytes - len(marker) * per) // per)
    return "长" * n + marker


def m_lengthen(case, rng):
    """A name cell lengthened to 2 KB, 100 KB or 1.1 MiB (in the file's encoding)."""
    e, p, lines = _lines(case, rng)
    if not e:
        return None
    rows = [(i, r) for i, r in data_lines(lines) if any(CJK_RE.search(c) for c in r)]
    if not rows:
        return None
    li, row = rows[rng.randrange(len(rows))]
    ci = [i for i, c in enumerate(row) if CJK_RE.search(c)][0]
    size = rng.choice(LENGTHS)
    marker = "尾%06d" % rng.randrange(10 ** 6)
    cells = list(row)
    cells[ci] = cells[ci].strip() + _filler(size, p.enc, marker)
    lines[li] = write_row(cells, body_eol(lines[li])[1])
    e.data = p.encode("".join(lines))
    exp = "intact" if size < 1024 * 1024 else "row_rejected"
    return rec("lengthen", e, line=li + 1, column=ci + 1, bytes=size, marker=marker, expect=exp, **gz_note(p))


def m_amount(case, rng):
    """An amount out of range: past numeric(18,2), past int64 fen, 1e30, 10^12 万元."""
    e, p, lines = _lines(case, rng)
    if not e:
        return None
    rows = data_lines(lines)
    if not rows:
        return None
    li, row = rows[rng.randrange(len(rows))]
    cols = [i for i, c in enumerate(row) if AMOUNT_RE.match(c.strip()) and not CODE_RE.match(c.strip())]
    ci = rng.choice(cols)
    if is_wan(p.text) and rng.random() < 0.4:
        value = "1000000000000"  # 10^12 万元 = 10^16 yuan: one past numeric(18,2)
    else:
        value = rng.choice(BIG_AMOUNTS)
    cells = list(row)
    cells[ci] = value
    lines[li] = write_row(cells, body_eol(lines[li])[1])
    e.data = p.encode("".join(lines))
    return rec("amount", e, line=li + 1, column=ci + 1, value=value, wan=is_wan(p.text), **gz_note(p))


def m_amount_max(case, rng):
    """The largest numeric(18,2) in every amount of two rows: each is fine, their sums are not."""
    e, p, lines = _lines(case, rng)
    if not e:
        return None
    rows = data_lines(lines)
    if len(rows) < 2:
        return None
    picked = rng.sample(rows, 2)
    value = MAX_AMOUNT
    if is_wan(p.text):
        value = "999999999999.99"  # 万元: 9999999999999900.00 yuan
    for li, row in picked:
        cells = [value if AMOUNT_RE.match(c.strip()) and not CODE_RE.match(c.strip()) else c for c in row]
        lines[li] = write_row(cells, body_eol(lines[li])[1])
    e.data = p.encode("".join(lines))
    return rec("amount_max", e, lines=sorted(li + 1 for li, _ in picked), value=value, **gz_note(p))


def m_name_gbk(case, rng):
    """A name cell re-encoded GBK inside a UTF-8 file."""
    e, p = pick_file(case, rng, text=True, utf8=True)
    if not e:
        return None
    inner = p.inner
    lines = inner.split(b"\n")
    cands = []
    for i, line in enumerate(lines):
        for m in re.finditer(rb"(?:[\xe4-\xe9][\x80-\xbf]{2})+", line):
            cands.append((i, m.start(), m.end()))
    if not cands:
        return None
    i, a, b = rng.choice(cands)
    text = lines[i][a:b].decode("utf-8")
    try:
        gbk = text.encode("gbk")
    except UnicodeEncodeError:
        return None
    lines[i] = lines[i][:a] + gbk + lines[i][b:]
    e.data = p.wrap(b"\n".join(lines))
    return rec("name_gbk", e, line=i + 1, text=text, **gz_note(p))


def m_year_swap(case, rng):
    """The title's year changed: it then disagrees with the <year>/ folder."""
    e, p, lines = _lines(case, rng)
    if not e:
        return None
    y = str(case.year)
    for li in range(min(3, len(lines))):
        if y + "年" in lines[li] or y + "年度" in lines[li]:
            other = rng.choice([str(case.year + 1), str(case.year - 1), y[:2] + y[3] + y[2]])
            if other == y:
                other = str(case.year + 1)
            lines[li] = lines[li].replace(y, other, 1)
            e.data = p.encode("".join(lines))
            return rec("year_swap", e, line=li + 1, was=y, now=other, expect="rejected", **gz_note(p))
    return None


# ---- file and folder mutations ------------------------------------------------------

def m_fname_gbk(case, rng):
    """A file renamed to GBK bytes (not UTF-8)."""
    e, p = pick_file(case, rng)
    if not e:
        return None
    old = e.name
    try:
        stem = old.decode("utf-8")
        if not CJK_RE.search(stem):
            stem = "表" + stem
        new = stem.encode("gbk")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    case.remove(old)
    e.name = new
    case.add(e)
    return {"kind": "fname_gbk", "file": show(old), "now": show(new)}


def m_fname_newline(case, rng):
    e, p = pick_file(case, rng)
    if not e:
        return None
    old = e.name
    try:
        text = old.decode("utf-8")
    except UnicodeDecodeError:
        return None
    cut = rng.randint(1, max(1, len(text.split(".")[0])))
    new = (text[:cut] + "\n" + text[cut:]).encode("utf-8")
    case.remove(old)
    e.name = new
    case.add(e)
    return {"kind": "fname_newline", "file": show(old), "now": show(new)}


def m_empty(case, rng):
    """An empty file: an existing table emptied, or a new empty .csv / .csv.gz."""
    r = rng.random()
    if r < 0.5:
        e, p = pick_file(case, rng)
        if not e:
            return None
        e.data = p.wrap(b"") if p.gz and rng.random() < 0.5 else b""
        return rec("empty", e, gz=p.gz, expect="rejected")
    name = "空表.csv.gz" if r < 0.7 else "空表.csv"
    e = Entry(name.encode(), "file", gzip.compress(b"", mtime=0) if name.endswith(".gz") else b"")
    case.add(e)
    return rec("empty", e, new=True, expect="rejected")


def m_dup_table(case, rng):
    """A table copied under another name; or twice under long names (about 240 bytes
    each), so that the duplicate_table message naming two of them passes 512 bytes."""
    e, p = pick_file(case, rng)
    if not e:
        return None
    ext = b".csv.gz" if e.name.lower().endswith(b".gz") else b".csv"
    if rng.random() < 0.5:
        names = ["副本（".encode() + e.name[:-len(ext)] + "）".encode() + ext]
    else:
        names = [("重复提交的表格" * 11).encode()[:228] + b"-%d" % i + ext for i in (1, 2)]
    if any(case.get(n) for n in names):
        return None
    for n in names:
        case.add(Entry(n, "file", e.data))
    return {"kind": "dup_table", "file": show(e.name), "copies": [show(n) for n in names], "expect": "duplicate"}


def m_reencode(case, rng):
    """A file re-encoded (UTF-16 with BOM, GB18030, UTF-8 with BOM) or (un)gzipped: a
    change a correct reader absorbs, stacked under another mutation."""
    e, p = pick_file(case, rng, text=True)
    if not e:
        return None
    how = rng.choice(["utf-16-le", "utf-16-be", "gb18030", "utf-8-sig", "gzip"])
    if how == "gzip":
        if p.gz != e.name.lower().endswith(b".gz"):
            return None
        if p.gz:
            e.data = p.inner
            new = e.name[:-3]
        else:
            e.data = gzip.compress(e.data, 6, mtime=0)
            new = e.name + b".gz"
        if case.get(new):
            return None
        old = e.name
        case.remove(old)
        e.name = new
        case.add(e)
        return {"kind": "reencode", "file": show(old), "to": "gzip" if not p.gz else "plain"}
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-8-sig": codecs.BOM_UTF8}.get(how, b"")
    enc = "utf-8" if how == "utf-8-sig" else how
    try:
        e.data = p.wrap(bom + p.text.encode(enc))
    except UnicodeEncodeError:
        return None
    return rec("reencode", e, to=how)


def m_fifo(case, rng):
    """Something named like a table that is no regular file: a FIFO nothing writes to,
    or a link to /dev/zero (reads without end).  Must be a rejected entry, at once."""
    if rng.random() < 0.6:
        case.add(Entry("管道.csv".encode(), "fifo"))
        return {"kind": "fifo", "file": "管道.csv", "expect": "listed_rejected"}
    case.add(Entry("零.csv".encode(), "symlink", target=b"/dev/zero"))
    return {"kind": "fifo", "file": "零.csv", "target": "/dev/zero", "expect": "listed_rejected"}


def m_symlink(case, rng):
    """Links in a submission folder: a folder linking to itself (a loop), a .csv linking
    to itself, a second name for a table of the folder (read once), a link to a file
    outside the tree (not followed: a rejected entry)."""
    r = rng.random()
    if r < 0.35:
        case.add(Entry(b"loop", "symlink", target=b"."))
        return {"kind": "symlink", "file": "loop", "target": "."}
    if r < 0.5:
        case.add(Entry("自环.csv".encode(), "symlink", target="自环.csv".encode()))
        return {"kind": "symlink", "file": "自环.csv", "target": "自环.csv"}
    if r < 0.8:
        e, p = pick_file(case, rng)
        if not e:
            return None
        ext = b".csv.gz" if e.name.lower().endswith(b".gz") else b".csv"
        name = "链接".encode() + ext
        case.add(Entry(name, "symlink", target=e.name))
        return {"kind": "symlink", "file": show(name), "target": show(e.name)}
    case.add(Entry("外链.csv".encode(), "symlink", target=b"/etc/passwd"))
    return {"kind": "symlink", "file": "外链.csv", "target": "/etc/passwd", "expect": "listed_rejected"}


# name: (weight, function).  The weights favour what reaches deep into the
# pipeline; rare kinds still come up a few times in 150 cases.
KINDS = {
    "flip": (6, m_flip),
    "insert": (6, m_insert),
    "delete": (4, m_delete),
    "cut": (4, m_cut),
    "cut_in_quote": (4, m_cut_in_quote),
    "cut_in_char": (4, m_cut_in_char),
    "quote_middle": (5, m_quote_middle),
    "quote_last": (5, m_quote_last),
    "quote_after_data": (3, m_quote_after_data),
    "dup_line": (4, m_dup_line),
    "del_line": (4, m_del_line),
    "lengthen": (5, m_lengthen),
    "amount": (6, m_amount),
    "amount_max": (3, m_amount_max),
    "name_gbk": (4, m_name_gbk),
    "year_swap": (3, m_year_swap),
    "fname_gbk": (3, m_fname_gbk),
    "fname_newline": (3, m_fname_newline),
    "empty": (3, m_empty),
    "dup_table": (3, m_dup_table),
    "reencode": (2, m_reencode),
    "fifo": (1, m_fifo),
    "symlink": (1.5, m_symlink),
}


ALONE = ("fifo", "symlink")


def mutate(case, rng, kinds=None, count=None):
    """Apply 1 to 3 mutations (or count) to a copy of case; returns it."""
    case = case.copy()
    kinds = kinds or list(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    if count is None:
        r = rng.random()
        count = 1 if r < 0.7 else 2 if r < 0.9 else 3
    done = 0
    tries = 0
    while done < count and tries < 50:
        tries += 1
        kind = rng.choices(kinds, weights)[0]
        # a FIFO or a symlink loop comes alone: it stalls or multiplies everything
        # else in the folder, and the case would be reported under the wrong kind
        if (kind in ALONE and (done or count > 1)) or any(m["kind"] in ALONE for m in case.mutations):
            continue
        m = KINDS[kind][1](case, rng)
        if m is not None:
            case.mutations.append(m)
            done += 1
    return case


def primary_kind(case):
    """The kind a case is reported under: its first mutation that is not a re-encoding."""
    for m in case.mutations:
        if m["kind"] != "reencode":
            return m["kind"]
    return case.mutations[0]["kind"] if case.mutations else "none"
