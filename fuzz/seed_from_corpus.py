#!/usr/bin/env python3
"""Writes fuzzing seeds from the vendored corpus (tests/corpus/expected.jsonl):
one file per sentence group for `sentences`, and the de-armoured payload of each
complete group for `payload` and `gpsd_json` (first byte: bits to drop at the end).
Seeds go to fuzz/seeds/<target>/ (not committed); minimised corpora live in
fuzz/corpus/<target>/ (committed, replayed by `cargo test`)."""
import hashlib, json, os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fuzz", "seeds")
for t in ("sentences", "payload", "gpsd_json"):
    os.makedirs(os.path.join(out, t), exist_ok=True)

def dearmor(s):
    bits = []
    for c in s:
        v = ord(c) - 48
        if v > 40:
            v -= 8
        if v < 0 or v > 63:
            return None
        bits.append(format(v, "06b"))
    return "".join(bits)

for line in open(os.path.join(root, "tests", "corpus", "expected.jsonl")):
    g = json.loads(line)
    text = "\n".join(g["lines"]).encode()
    name = hashlib.sha1(text).hexdigest()[:16]
    open(os.path.join(out, "sentences", name), "wb").write(text)
    try:
        fields = [s.split("*")[0].split(",") for s in g["sentences"]]
        payload = "".join(f[5] for f in fields)
        fill = int(fields[-1][6]) if fields[-1][6].isdigit() else 0
    except (IndexError, ValueError):
        continue
    bits = dearmor(payload)
    if not bits or len(bits) < 6:
        continue
    bits = bits[: len(bits) - min(fill, len(bits))]
    pad = (8 - len(bits) % 8) % 8
    data = bytes([pad]) + int(bits + "0" * pad, 2).to_bytes((len(bits) + pad) // 8, "big")
    for t in ("payload", "gpsd_json"):
        open(os.path.join(out, t, name), "wb").write(data)
print("seeds written to", out, file=sys.stderr)
