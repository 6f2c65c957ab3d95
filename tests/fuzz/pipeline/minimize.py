"""Cutting a failing case down while it still fails the same way.

still_fails(case) -> bool is the predicate (the same invariant broken at the
same stage).  First whole entries go (the files the mutation did not need),
then lines of each remaining file (inflated and put back when it is a
.csv.gz; by bytes, so a GBK name or a cut character stays as it is), halves
first, then quarters, down to single lines.  Bounded by time and by tries:
"small enough", not minimal.
"""

import time

from mutate import Payload


def minimize(case, still_fails, max_seconds=120, max_tries=400):
    deadline = time.monotonic() + max_seconds
    tries = [0]

    def test(c):
        if tries[0] >= max_tries or time.monotonic() > deadline:
            return False
        tries[0] += 1
        return still_fails(c)

    # 1. whole entries
    changed = True
    while changed and len(case.entries) > 1:
        changed = False
        for e in list(case.entries):
            c = case.copy()
            c.remove(e.name)
            if c.entries and test(c):
                case = c
                changed = True
    # 2. lines of each file
    for name in [e.name for e in case.files()]:
        e = case.get(name)
        p = Payload(e.data)
        if p.inner is None or p.enc in ("utf-16-le", "utf-16-be"):
            continue
        lines = p.inner.split(b"\n")
        ends = p.inner.endswith(b"\n")
        if ends:
            lines.pop()
        chunk = max(1, len(lines) // 2)
        while chunk >= 1 and len(lines) > 1:
            i = 0
            while i < len(lines) and len(lines) > 1:
                trial = lines[:i] + lines[i + chunk:]
                c = case.copy()
                c.get(name).data = p.wrap(b"\n".join(trial) + (b"\n" if ends and trial else b""))
                if test(c):
                    case, lines = c, trial
                else:
                    i += chunk
            chunk //= 2
    return case
