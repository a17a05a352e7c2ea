#!/usr/bin/env bash
# Ingest speed, side by side in one run: `sealane ingest` of 1,000,000 real NMEA
# lines (the vendored corpus repeated, each line with a tag-block time) into a
# new store, against AISdb's decode_msgs into SQLite on the same lines (AISdb
# drops sentences without a `c:` time, so both get the tag-blocked file; it
# wants the .nm4 extension). Each run starts from an empty database.
#
# The two tools alternate run by run (scripts/interleave.py), so that this shared
# machine's drift, often 20-30 % within a minute, reaches both alike: run one
# tool's runs back to back and its median reflects the few seconds they took,
# the other's a minute and a half. Each run starts 3 s after the last one ended:
# this VM hands freed memory back to its host after about 2 s (free page
# reporting), and memory touched again after that costs a host fault, so a run
# right after another reuses its memory warm and one after a pause does not.
# With the pause every run of either tool is a one-off run, as a user's is.
# Reported: each tool's median wall and CPU time, and the median over rounds of
# AISdb's time over sealane's in the same round.
#
# usage: RUNS=9 scripts/bench-ingest.sh   (RUNS rounds, 5 by default, after one warm-up round)
# Needs: python3 with aisdb 1.7.x (pip install -r scripts/requirements-test.txt).
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
echo "input: $file, $(wc -l < "$file") lines, $(du -h "$file" | cut -f1); $runs rounds"
db="$data/sealane.sqlite"
python3 scripts/interleave.py "$runs" "rm -f $db $db-wal $db-shm $data/aisdb.sqlite; sync; sleep 3" \
  "sealane ingest=$target/release/sealane ingest -q --store $db $file" \
  "aisdb decode_msgs=python3 scripts/aisdb_ingest.py $file $data/aisdb.sqlite" | tee "$data/ingest.md"
"$target/release/sealane" ingest --store "$data/summary.sqlite" "$file" 2>&1 | grep -v "^sealane ingest: .*:[0-9]*:" | tail -6
rm -f "$data/summary.sqlite"* "$db"* "$data/aisdb.sqlite"
