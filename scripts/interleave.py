#!/usr/bin/env python3
"""Times commands side by side, interleaved run by run, so that a shared
machine's drift (often 20-30 % over a minute here) hits all of them alike.

usage: interleave.py RUNS PREPARE NAME=COMMAND NAME=COMMAND...

PREPARE runs (in a shell) before every run of every command. Prints each
command's median, min and max wall time, and the median over runs of each
command's time divided by the first command's time in the same round."""
import statistics
import subprocess
import sys
import time

runs, prepare, specs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
named = [s.split("=", 1) for s in specs]
times = {name: [] for name, _ in named}
for _ in range(runs + 1):  # the first round warms the caches and is not counted
    for name, cmd in named:
        subprocess.run(prepare, shell=True, check=True)
        start = time.perf_counter()
        subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
first = named[0][0]
print("| command | median | min | max | paired ratio to the first (median) |")
print("|---|---:|---:|---:|---:|")
for name, _ in named:
    t = times[name][1:]
    ratios = [x / y for x, y in zip(t, times[first][1:])]
    print(f"| {name} | {statistics.median(t):.3f} s | {min(t):.3f} s | {max(t):.3f} s | {statistics.median(ratios):.2f} |")
