#!/usr/bin/env python3
"""Peer for scripts/bench-decode.sh: decode an NMEA file with aiscat
(PyPI, the AIS-catcher decoder's Python bindings) and write one JSON object
per message to stdout, as `sealane decode` and `gpsdecode -j` do."""
import sys

import aiscat

out = sys.stdout.buffer
count = 0
for msg in aiscat.from_file(sys.argv[1], format="json"):
    out.write(msg if isinstance(msg, bytes) else msg.encode())
    out.write(b"\n")
    count += 1
print(f"aiscat: {count} messages", file=sys.stderr)
