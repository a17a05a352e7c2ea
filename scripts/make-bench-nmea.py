#!/usr/bin/env python3
"""Writes the ingest benchmark input: the vendored corpus's real sentences
repeated to N lines, each line given an NMEA 4 tag block with a station and a
receive time (`\\s:bench,c:<unix seconds>*hh\\`). Times advance 10 ms a line,
so repeats of the corpus are a minute apart and are not duplicates of each
other. AISdb needs the `c:` time; sealane uses it as the receive time.

usage: make-bench-nmea.py OUT [LINES]"""
import glob, os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out_path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
lines = []
for f in sorted(glob.glob(os.path.join(root, "tests", "corpus", "raw", "*.nmea"))):
    for line in open(f, encoding="latin-1"):
        line = line.strip()
        # Keep bare sentences: the benchmark adds its own tag block.
        if line.startswith("!"):
            lines.append(line)

def checksum(s):
    x = 0
    for c in s.encode("latin-1"):
        x ^= c
    return "%02X" % x

t0 = 1_600_000_000.0
with open(out_path, "w", encoding="latin-1") as out:
    for i in range(n):
        tag = "s:bench,c:%d" % int(t0 + i * 0.01)
        out.write("\\%s*%s\\%s\n" % (tag, checksum(tag), lines[i % len(lines)]))
