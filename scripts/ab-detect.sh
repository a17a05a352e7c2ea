#!/usr/bin/env bash
# Compares the detector throughput of two builds, interleaved run by run (the
# machine is shared and drifts): `sealane bench detect --runs 1` of each, in
# turn, RUNS times. Prints each build's median M positions/s and the median of
# the paired ratios NEW/OLD.
#
# usage: scripts/ab-detect.sh OLD_BIN NEW_BIN [RUNS] [POSITIONS]
set -euo pipefail
old=$1 new=$2 runs=${3:-9} positions=${4:-10000000}
rate() { "$1" bench detect --runs 1 --positions "$positions" | sed -n 's/.*= \([0-9.]*\) M positions\/s/\1/p'; }
olds=() news=()
for ((i = 0; i < runs; i++)); do
  olds+=("$(rate "$old")")
  news+=("$(rate "$new")")
done
python3 - "${olds[*]}" "${news[*]}" <<'PY'
import statistics, sys
old = [float(x) for x in sys.argv[1].split()]
new = [float(x) for x in sys.argv[2].split()]
print("old M/s:", " ".join(f"{x:.2f}" for x in old), f"median {statistics.median(old):.2f}")
print("new M/s:", " ".join(f"{x:.2f}" for x in new), f"median {statistics.median(new):.2f}")
print(f"paired ratio new/old: median {statistics.median(n / o for n, o in zip(new, old)):.3f}")
PY
