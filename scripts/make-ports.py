#!/usr/bin/env python3
"""Extracts the columns Sealane uses from the NGA World Port Index (Pub. 150)
CSV into crates/track/data/wpi_ports.csv (name, country, UN/LOCODE, lat, lon,
harbor size) and from searoute's ports GeoJSON into
crates/track/data/searoute_ports.csv (name, country, UN/LOCODE, lat, lon).
Usage: scripts/make-ports.py [WPI.csv [OUT.csv [SEAROUTE.geojson [OUT2.csv]]]]"""
import json
import csv
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/geo/lanes_ports/nga_world_port_index_pub150.csv"
out = sys.argv[2] if len(sys.argv) > 2 else "crates/track/data/wpi_ports.csv"
with open(src, encoding="utf-8-sig", newline="") as f, open(out, "w", newline="") as o:
    w = csv.writer(o, lineterminator="\n")
    w.writerow(["wpi", "name", "country", "locode", "lat", "lon", "size"])
    n = 0
    for r in csv.DictReader(f):
        lat, lon = float(r["Latitude"]), float(r["Longitude"])
        w.writerow([
            r["World Port Index Number"].strip(),
            r["Main Port Name"].strip(),
            r["Country Code"].strip(),
            r["UN/LOCODE"].strip(),
            f"{lat:.5f}",
            f"{lon:.5f}",
            r["Harbor Size"].strip(),
        ])
        n += 1
print(f"{n} ports -> {out}", file=sys.stderr)

src2 = sys.argv[3] if len(sys.argv) > 3 else "../shared/data/geo/lanes_ports/searoute_ports.geojson"
out2 = sys.argv[4] if len(sys.argv) > 4 else "crates/track/data/searoute_ports.csv"
features = json.load(open(src2))["features"]
with open(out2, "w", newline="") as o:
    w = csv.writer(o, lineterminator="\n")
    w.writerow(["name", "country", "locode", "lat", "lon"])
    for f in features:
        p = f["properties"]
        x, y = f["geometry"]["coordinates"][:2]
        w.writerow([p.get("name", ""), p.get("cty", ""), p.get("port", ""), f"{y:.5f}", f"{x:.5f}"])
print(f"{len(features)} ports -> {out2}", file=sys.stderr)
