#!/usr/bin/env python3
"""What tests/integration/report.t asks of the review report's files.

    report_check.py bars DOM ID         data-code of every rect.bar of svg#ID,
                                        one per line ("-" for a bar without)
    report_check.py rows DOM CLASS      every row of table.CLASS: its cells'
                                        text joined by " | "
    report_check.py count DOM TAG       how many <TAG> elements the DOM has
    report_check.py text DOM            the text of the DOM (no markup)
    report_check.py csv FILE            "bom" or "no bom", then every record
                                        of the CSV, fields joined by " | "
    report_check.py png FILE [RGB...]   "WxH colors=N ink=P" for a PNG (ink:
                                        percent of pixels unlike the most
                                        common colour), then per RGB
                                        ("2f6db5") "2f6db5=P" the percent of
                                        pixels within 8 of that colour

DOM is what `chromium --headless --dump-dom` printed: the page after the
browser parsed it, so an element injected by a name would be in it.  Only
the standard library: the PNG decoder reads 8-bit, non-interlaced RGB(A)
and grey images, what Chromium and pdftoppm write.
"""
import csv
import html.parser
import io
import struct
import sys
import zlib


class Dom(html.parser.HTMLParser):
    """Elements as (tag, attrs, parent index); text per element."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "col", "wbr", "source", "area", "base"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes = []  # (tag, attrs dict, parent)
        self.texts = {}  # node -> list of (order, text)
        self.stack = [-1]
        self.order = 0

    def handle_starttag(self, tag, attrs):
        self.nodes.append((tag, dict(attrs), self.stack[-1]))
        idx = len(self.nodes) - 1
        if tag not in self.VOID:
            self.stack.append(idx)

    def handle_startendtag(self, tag, attrs):
        self.nodes.append((tag, dict(attrs), self.stack[-1]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.nodes[self.stack[i]][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.stack[-1] >= 0 and self.nodes[self.stack[-1]][0] in ("style", "script"):
            return
        self.order += 1
        self.texts.setdefault(self.stack[-1], []).append((self.order, data))

    def within(self, idx, anc):
        while idx >= 0:
            if idx == anc:
                return True
            idx = self.nodes[idx][2]
        return False

    def text_of(self, anc, skip=("title",)):
        parts = []
        for node, items in self.texts.items():
            if node >= 0 and self.within(node, anc) and self.nodes[node][0] not in skip:
                parts.extend(items)
        return " ".join(t for _, t in sorted(parts)).split()

    def classes(self, idx):
        return self.nodes[idx][1].get("class", "").split()


def load_dom(path):
    d = Dom()
    d.feed(open(path, encoding="utf-8").read())
    return d


def cmd_bars(path, ident):
    d = load_dom(path)
    svg = [i for i, n in enumerate(d.nodes) if n[0] == "svg" and n[1].get("id") == ident]
    if not svg:
        print("NO SVG #" + ident)
        return
    for i, (tag, attrs, _) in enumerate(d.nodes):
        if tag == "rect" and "bar" in d.classes(i) and d.within(i, svg[0]):
            print(attrs.get("data-code", "-"))


def cmd_rows(path, cls):
    d = load_dom(path)
    tables = [i for i, n in enumerate(d.nodes) if n[0] == "table" and cls in d.classes(i)]
    for t in tables:
        for i, (tag, _, _) in enumerate(d.nodes):
            if tag != "tr" or not d.within(i, t):
                continue
            cells = [c for c, n in enumerate(d.nodes) if n[0] in ("td", "th") and n[2] == i]
            print(" | ".join(" ".join(d.text_of(c)) for c in cells))


def cmd_count(path, tag):
    d = load_dom(path)
    print(sum(1 for n in d.nodes if n[0] == tag))


def cmd_text(path):
    """The text in document order, white space squeezed (<title> included)."""
    d = load_dom(path)
    items = sorted(t for node_items in d.texts.values() for t in node_items)
    print(" ".join(" ".join(t for _, t in items).split()))


def cmd_csv(path):
    data = open(path, "rb").read()
    print("bom" if data.startswith(b"\xef\xbb\xbf") else "no bom")
    text = data.decode("utf-8-sig")
    for rec in csv.reader(io.StringIO(text, newline="")):
        print(" | ".join(rec))


def decode_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(path + ": not a PNG")
    pos, idat = 8, []
    w = h = depth = ctype = interlace = None
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat.append(body)
        elif typ == b"IEND":
            break
    if depth != 8 or interlace != 0 or ctype not in (0, 2, 4, 6):
        raise SystemExit("%s: unsupported PNG (depth %s, type %s)" % (path, depth, ctype))
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, ctype, bpp, rows


def cmd_png(path, colours):
    w, h, ctype, bpp, rows = decode_png(path)
    counts = {}
    for row in rows:
        for x in range(0, len(row), bpp):
            if ctype in (0, 4):
                px = (row[x], row[x], row[x])
            else:
                px = (row[x], row[x + 1], row[x + 2])
            counts[px] = counts.get(px, 0) + 1
    total = w * h
    common = max(counts.values())
    print("%dx%d colors=%d ink=%.2f" % (w, h, len(counts), 100.0 * (total - common) / total))
    for c in colours:
        want = tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))
        near = sum(n for px, n in counts.items()
                   if all(abs(px[k] - want[k]) <= 8 for k in range(3)))
        print("%s=%.3f" % (c, 100.0 * near / total))


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    cmd = argv[1]
    if cmd == "bars":
        cmd_bars(argv[2], argv[3])
    elif cmd == "rows":
        cmd_rows(argv[2], argv[3])
    elif cmd == "count":
        cmd_count(argv[2], argv[3])
    elif cmd == "text":
        cmd_text(argv[2])
    elif cmd == "csv":
        cmd_csv(argv[2])
    elif cmd == "png":
        cmd_png(argv[2], argv[3:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
