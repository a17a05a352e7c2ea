#!/usr/bin/env bash
# Two builds of sealane, interleaved run by run on the ingest benchmark input, so
# that the machine's drift hits both alike: prints each build's median wall time
# and the median of the per-run ratios (old / new; above 1 means new is faster).
#
# usage: scripts/ab-ingest.sh OLD_BINARY NEW_BINARY [RUNS]   (input from bench-ingest.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 runs=${3:-11}
target=${CARGO_TARGET_DIR:-target}
file="$target/bench-data/tagged_1m.nm4"
[ -s "$file" ] || python3 scripts/make-bench-nmea.py "$file"
db=$(mktemp -d)/ab.sqlite
for _ in $(seq "$runs"); do
  for bin in "$old" "$new"; do
    rm -f "$db" "$db-wal" "$db-shm"
    start=$(date +%s.%N)
    "$bin" ingest -q --store "$db" "$file" 2> /dev/null
    echo "$bin $start $(date +%s.%N)"
  done
done | python3 -c '
import statistics as st, sys
times = {}
for line in sys.stdin:
    name, start, end = line.split()
    times.setdefault(name, []).append(float(end) - float(start))
(a, ta), (b, tb) = times.items()
print(f"{a}: median {st.median(ta):.3f} s; {b}: median {st.median(tb):.3f} s")
print(f"median of paired ratios (old / new): {st.median(x / y for x, y in zip(ta, tb)):.3f} over {len(ta)} runs")
'
