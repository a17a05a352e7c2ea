#!/usr/bin/env bash
# Ingest speed, side by side in one run: `sealane ingest` of 1,000,000 real NMEA
# lines (the vendored corpus repeated, each line with a tag-block time) into a
# new store, against AISdb's decode_msgs into SQLite on the same lines (AISdb
# drops sentences without a `c:` time, so both get the tag-blocked file; it
# wants the .nm4 extension). Each run starts from an empty database.
#
# Needs: hyperfine, python3 with aisdb 1.7.x (pip install -r scripts/requirements-test.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
cargo build --release --quiet
target=${CARGO_TARGET_DIR:-target}
data="$target/bench-data"
mkdir -p "$data"
file="$data/tagged_1m.nm4"
if [ ! -s "$file" ]; then
  python3 scripts/make-bench-nmea.py "$file"
fi
echo "input: $file, $(wc -l < "$file") lines, $(du -h "$file" | cut -f1)"
hyperfine --warmup 1 --runs "$runs" --export-markdown "$data/ingest.md" --export-json "$data/ingest.json" \
  --prepare "rm -f $data/sealane.sqlite $data/sealane.sqlite-wal $data/sealane.sqlite-shm $data/aisdb.sqlite" \
  -n "sealane ingest" "$target/release/sealane ingest -q --store $data/sealane.sqlite $file 2> /dev/null" \
  -n "aisdb decode_msgs" "python3 scripts/aisdb_ingest.py $file $data/aisdb.sqlite"
cat "$data/ingest.md"
# hyperfine's "Relative" is a ratio of means; the claims in BENCHMARKS.md are medians.
python3 - "$data/ingest.json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
medians = [statistics.median(r["times"]) for r in results]
for r, m in zip(results, medians):
    print(f"{r['command']}: median {m:.3f} s over {len(r['times'])} runs")
print(f"ratio of medians: {medians[1] / medians[0]:.1f}x")
PY
"$target/release/sealane" ingest --store "$data/summary.sqlite" "$file" 2>&1 | grep -v "^sealane ingest: .*:[0-9]*:" | tail -6
rm -f "$data/summary.sqlite"*
