#!/usr/bin/env python3
"""Do simulated tracks look real? Compares distributions of the `korea`
scenario with real AIS:

- report intervals, speeds and turn rates against the Korean national AIS
  around Busan (../shared/data/ais_korea/busan_2020-03-10_0000-0154_positions_hashed.csv:
  shore-station data, every report, 80 vessels, two hours; the same waters);
- gap lengths against the NOAA MarineCadastre US coastal day
  (../shared/data/ais/marinecadastre_us_coastal_2020-06-30_positions.csv.gz),
  both thinned to one point a minute as MarineCadastre publishes them.

Writes docs/sim-realism.png and prints a Markdown table (pasted into
docs/sim-realism.md). Usage: python3 scripts/sim-realism.py [path/to/sealane]
Needs: matplotlib.
"""
import csv
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timezone

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
SEALANE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "sealane")


def ts(s, fmt="%Y-%m-%d %H:%M:%S"):
    return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc).timestamp()


def simulated():
    """Per vessel: sorted (t, lat, lon, sog, cog) of what the receivers heard (merged)."""
    with tempfile.TemporaryDirectory() as d:
        nmea = os.path.join(d, "korea.nmea")
        subprocess.run([SEALANE, "simulate", "korea", "--nmea", nmea, "-q"], check=True)
        out = subprocess.run(
            [SEALANE, "decode", "--meta", "--quiet", nmea], check=True, capture_output=True
        ).stdout
    tracks = defaultdict(dict)
    for line in io.BytesIO(out):
        m = json.loads(line)
        if m.get("type") not in (1, 2, 3, 18) or "rxtime" not in m:
            continue
        t = datetime.fromisoformat(m["rxtime"].replace("Z", "+00:00")).timestamp()
        # Several stations hear one transmission: keep it once.
        tracks[m["mmsi"]][t] = (t, m["lat"], m["lon"], m.get("speed"), m.get("course"))
    return {k: sorted(v.values()) for k, v in tracks.items()}


def busan():
    tracks = defaultdict(list)
    path = os.path.join(SHARED, "ais_korea", "busan_2020-03-10_0000-0154_positions_hashed.csv")
    with open(path, encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            sog = float(row[4])
            tracks[row[0]].append((ts(row[1]), float(row[2]), float(row[3]), None if sog >= 102.2 else sog, float(row[5])))
    return {k: sorted(set(v)) for k, v in tracks.items()}


def us_coastal():
    tracks = defaultdict(list)
    path = os.path.join(SHARED, "ais", "marinecadastre_us_coastal_2020-06-30_positions.csv.gz")
    with gzip.open(path, "rt") as f:
        r = csv.DictReader(f)
        for row in r:
            tracks[row["MMSI"]].append(ts(row["BaseDateTime"].replace("T", " ")))
    return {k: sorted(set(v)) for k, v in tracks.items()}


def intervals(tracks):
    return [b[0] - a[0] for v in tracks.values() for a, b in zip(v, v[1:]) if b[0] > a[0]]


def speeds(tracks):
    return [p[3] for v in tracks.values() for p in v if p[3] is not None and p[3] >= 0.5]


def turn_rates(tracks):
    """Degrees per minute between successive reports under way, at most 2 min apart."""
    out = []
    for v in tracks.values():
        for a, b in zip(v, v[1:]):
            dt = b[0] - a[0]
            if 0 < dt <= 120 and a[3] and b[3] and a[3] >= 2 and b[3] >= 2 and a[4] is not None and b[4] is not None:
                d = abs(b[4] - a[4]) % 360
                out.append(min(d, 360 - d) / (dt / 60))
    return out


def thinned_gaps(times_by_vessel, minutes=10):
    """Gaps longer than `minutes` between points thinned to one a minute, hours."""
    out = []
    for times in times_by_vessel:
        kept, last = [], None
        for t in times:
            if last is None or t - last >= 60:
                kept.append(t)
                last = t
        out += [(b - a) / 3600 for a, b in zip(kept, kept[1:]) if b - a > minutes * 60]
    return out


def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def main():
    sim = simulated()
    real = busan()
    us = us_coastal()
    rows = []
    fig, ax = plt.subplots(2, 2, figsize=(11, 8))
    panels = [
        ("Report interval (s)", intervals(sim), intervals(real), "Busan (Korean national AIS)", (0, 60)),
        ("Speed over ground, under way (kn)", speeds(sim), speeds(real), "Busan (Korean national AIS)", (0, 25)),
        ("Turn rate under way (deg/min)", turn_rates(sim), turn_rates(real), "Busan (Korean national AIS)", (0, 30)),
        (
            "Gap > 10 min at 1-min sampling (h)",
            thinned_gaps([[p[0] for p in v] for v in sim.values()]),
            thinned_gaps(us.values()),
            "US coastal day (MarineCadastre)",
            (0, 12),
        ),
    ]
    for a, (title, s, r, rname, rng) in zip(ax.flat, panels):
        a.hist(s, bins=60, range=rng, density=True, alpha=0.55, label="simulated (korea)")
        a.hist(r, bins=60, range=rng, density=True, alpha=0.55, label=rname)
        a.set_title(title)
        a.legend()
        rows.append((title, len(s), q(s, 0.25), q(s, 0.5), q(s, 0.9), rname, len(r), q(r, 0.25), q(r, 0.5), q(r, 0.9)))
    fig.tight_layout()
    png = os.path.join(ROOT, "docs", "sim-realism.png")
    fig.savefig(png, dpi=90)
    print(f"wrote {png}\n")
    print("| measure | simulated n | p25 | median | p90 | real data | real n | p25 | median | p90 |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for t, n, a, b, c, rn, m, d, e, f in rows:
        print(f"| {t} | {n} | {a:.1f} | {b:.1f} | {c:.1f} | {rn} | {m} | {d:.1f} | {e:.1f} | {f:.1f} |")


if __name__ == "__main__":
    main()
