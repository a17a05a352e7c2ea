#!/usr/bin/env bash
# Whole-process decode speed, side by side in one run: `sealane decode
# --unscaled` against `gpsdecode -u -j` (Debian gpsd-clients) and aiscat
# (PyPI), on a 1,000,000-line file made by repeating the vendored corpus.
# In-process decode throughput against the crates.io AIS crates is a
# criterion bench: cargo bench -p sealane-ais --bench peers
#
# Needs: hyperfine, gpsd-clients, python3 with aiscat (pip install aiscat).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
cargo build --release --quiet
target=${CARGO_TARGET_DIR:-target}
data="$target/bench-data"
mkdir -p "$data"
file="$data/corpus_1m.nmea"
if [ ! -s "$file" ]; then
  cat tests/corpus/raw/*.nmea | grep -v '^$' > "$data/corpus_once.nmea"
  # Repeat the corpus to exactly 1,000,000 lines (head closes the pipe early: not an error).
  set +o pipefail
  yes "$data/corpus_once.nmea" | head -n 200 | xargs cat 2> /dev/null | head -n 1000000 > "$file"
  set -o pipefail
fi
echo "input: $file, $(wc -l < "$file") lines, $(du -h "$file" | cut -f1)"
hyperfine --warmup 1 --runs "$runs" --export-markdown "$data/decode.md" --export-json "$data/decode.json" \
  -n "sealane decode --unscaled" "$target/release/sealane decode --unscaled --quiet --show-errors 0 $file > /dev/null" \
  -n "gpsdecode -u -j" "gpsdecode -u -j < $file > /dev/null 2>&1" \
  -n "aiscat (python)" "python3 scripts/aiscat_decode.py $file > /dev/null 2>&1"
cat "$data/decode.md"
