#!/usr/bin/env bash
# Two builds of sealane on the ingest benchmark input, interleaved run by run
# (scripts/interleave.py): each build's median wall and CPU time and the medians of the per-run
# ratios (new / old; below 1 means the new build is faster).
#
# usage: scripts/ab-ingest.sh OLD_BINARY NEW_BINARY [RUNS]   (input from bench-ingest.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 runs=${3:-11}
target=${CARGO_TARGET_DIR:-target}
file="$target/bench-data/tagged_1m.nm4"
[ -s "$file" ] || python3 scripts/make-bench-nmea.py "$file"
db=$(mktemp -d)/ab.sqlite
python3 scripts/interleave.py "$runs" "rm -f $db $db-wal $db-shm; sync" \
  "old=$old ingest -q --store $db $file" "new=$new ingest -q --store $db $file"
