#!/usr/bin/env python3
"""Writes crates/track/data/searoute_marnet.txt from searoute's maritime routing
network (../shared/data/geo/lanes_ports/searoute_marnet.geojson, Apache-2.0):
one polyline per line, `lon lat` pairs separated by `;`, 4 decimals (11 m).
Usage: scripts/make-marnet.py [IN.geojson [OUT.txt]]"""
import json
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/geo/lanes_ports/searoute_marnet.geojson"
out = sys.argv[2] if len(sys.argv) > 2 else "crates/track/data/searoute_marnet.txt"
n = 0
with open(out, "w") as o:
    for f in json.load(open(src))["features"]:
        g = f["geometry"]
        lines = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        for line in lines:
            o.write(";".join(f"{p[0]:.4f} {p[1]:.4f}" for p in line) + "\n")
            n += 1
print(f"{n} polylines -> {out}", file=sys.stderr)
