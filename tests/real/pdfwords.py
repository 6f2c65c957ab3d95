"""Read the words of a PDF with their positions (pdftotext -bbox-layout).

Shared by the rebuild_*.py scripts. Python standard library plus the
`pdftotext` command of Debian's poppler-utils (apt-get install poppler-utils).
"""

import html
import re
import subprocess

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
NUM = re.compile(r"^-?[\d,]+(\.\d+)?$")


class Word:
    __slots__ = ("x0", "y0", "x1", "y1", "t")

    def __init__(self, x0, y0, x1, y1, t):
        self.x0, self.y0, self.x1, self.y1, self.t = x0, y0, x1, y1, t

    @property
    def xc(self):
        return (self.x0 + self.x1) / 2

    def __repr__(self):
        return f"{self.t}@{self.x0:.0f}-{self.x1:.0f}"


def is_num(t):
    return bool(NUM.match(t)) and any(c.isdigit() for c in t)


def pdf_pages(path):
    """Return a list of pages; a page is a list of lines (y, [Word, ...]),
    lines in reading order, words left to right."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = []
    for chunk in out.split("<page ")[1:]:
        words = [
            Word(float(a), float(b), float(c), float(d), html.unescape(t))
            for a, b, c, d, t in WORD.findall(chunk)
        ]
        words.sort(key=lambda w: (w.y0, w.x0))
        lines = []
        for w in words:
            if lines and abs(lines[-1][0] - w.y0) < 3.5:
                lines[-1][1].append(w)
            else:
                lines.append((w.y0, [w]))
        pages.append([(y, sorted(ws, key=lambda w: w.x0)) for y, ws in lines])
    return pages


def line_text(ws):
    return "".join(w.t for w in ws)
