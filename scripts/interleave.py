#!/usr/bin/env python3
"""Times commands side by side, interleaved run by run, so that a shared
machine's drift (often 20-30 % over a minute here) hits all of them alike.

usage: interleave.py RUNS PREPARE NAME=COMMAND NAME=COMMAND...

PREPARE runs (in a shell) before every run of every command. Prints each
command's median, min and max wall time and its median CPU time (user +
system of the command and its children), and the medians over runs of each
command's wall and CPU time divided by the first command's in the same round,
and for each later command the ratio of its median to the first's.
CPU time shows a change in work that two cores' wall time can hide."""
import os
import statistics
import subprocess
import sys
import time

runs, prepare, specs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
named = [s.split("=", 1) for s in specs]
wall = {name: [] for name, _ in named}
cpu = {name: [] for name, _ in named}
for _ in range(runs + 1):  # the first round warms the caches and is not counted
    for name, cmd in named:
        subprocess.run(prepare, shell=True, check=True)
        start = time.perf_counter()
        child = subprocess.Popen(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall[name].append(time.perf_counter() - start)
        cpu[name].append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{name}: {cmd!r} failed ({os.waitstatus_to_exitcode(status)})")
first = named[0][0]


def paired(series, name):
    return statistics.median(x / y for x, y in zip(series[name][1:], series[first][1:]))


print("| command | median | min | max | CPU median | paired wall ratio to the first | paired CPU ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, _ in named:
    t = wall[name][1:]
    print(
        f"| {name} | {statistics.median(t):.3f} s | {min(t):.3f} s | {max(t):.3f} s "
        f"| {statistics.median(cpu[name][1:]):.3f} s | {paired(wall, name):.3f} | {paired(cpu, name):.3f} |"
    )
base = statistics.median(wall[first][1:])
for name, _ in named[1:]:
    print(f"\n{name}: median wall time {statistics.median(wall[name][1:]) / base:.2f}x {first}'s; "
          f"in the same round, {paired(wall, name):.2f}x (median over {runs} rounds)")
