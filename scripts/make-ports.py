#!/usr/bin/env python3
"""Extracts the columns Sealane uses from the NGA World Port Index (Pub. 150)
CSV into crates/track/data/wpi_ports.csv: name, country, UN/LOCODE, lat, lon,
harbor size. Usage: scripts/make-ports.py ../shared/data/geo/lanes_ports/nga_world_port_index_pub150.csv"""
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
