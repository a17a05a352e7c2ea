#!/bin/sh
# Runs `sealane detect` over every real AIS file in ../shared/data (ais, nmea,
# and the Gunsan days of ais_korea, whose times are Korean, UTC+9) and prints
# event counts per file and type: the table in docs/detect-real-data.md.
# Usage: scripts/detect-real-data.sh [OUT_DIR]   (events land in OUT_DIR/*.jsonl)
set -eu
cd "$(dirname "$0")/.."
out=${1:-target/detect-real-data}
data=../shared/data
mkdir -p "$out"
cargo build --release -q
bin=target/release/sealane
for f in "$data"/ais/*.csv "$data"/ais/*.csv.gz "$data"/ais/aisdb_samples/*.csv "$data"/nmea/*.nmea "$data"/nmea/*.nm4; do
  "$bin" detect -q "$f" > "$out/$(basename "$f").jsonl"
done
"$bin" detect -q --tz +09:00 "$data"/ais_korea/gunsan_2021-01/candidate_Dynamic_*.csv > "$out/gunsan_2021-01.jsonl"
python3 - "$out" <<'PY'
import collections, glob, json, os, sys
total = collections.Counter()
kinds = set()
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.jsonl"))):
    c = collections.Counter()
    for line in open(f):
        e = json.loads(line)
        k = e["type"]
        if k == "spoofing":
            k += "/" + e["details"]["kind"]
        elif k == "encounter":
            k += "/" + e["details"]["profile"]
        elif k == "gap" and e["details"]["suspected_disabling"]:
            k = "gap/suspected_disabling"
        c[k] += 1
    total.update(c)
    kinds |= set(c)
    rows.append((os.path.basename(f)[: -len(".jsonl")], c))
kinds = sorted(kinds)
print("| file | " + " | ".join(kinds) + " |")
print("|---|" + "---|" * len(kinds))
for name, c in rows + [("**total**", total)]:
    print(f"| {name} | " + " | ".join(str(c.get(k, 0)) for k in kinds) + " |")
PY
