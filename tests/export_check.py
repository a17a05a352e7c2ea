#!/usr/bin/env python3
"""Reads an export back with pyarrow, GeoPandas and DuckDB and checks it
against the expected rows per day (used by tests/export.rs).

usage: export_check.py DIR FORMAT EXPECTED_JSON
EXPECTED_JSON: {"YYYY-MM-DD": rows, ...}; prints OK or raises."""
import glob, json, os, sys

out, fmt, expected = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
days = sorted(os.path.basename(d)[len("date="):] for d in glob.glob(os.path.join(out, "date=*")))
assert days == sorted(expected), (days, sorted(expected))

if fmt == "geoparquet":
    import duckdb
    import geopandas as gpd
    import pyarrow.parquet as pq

    total = 0
    for day in days:
        files = sorted(glob.glob(os.path.join(out, f"date={day}", "*.parquet")))
        n = 0
        for f in files:
            meta = json.loads(pq.read_metadata(f).metadata[b"geo"])
            assert meta["version"] == "1.1.0" and meta["primary_column"] == "geometry", meta
            col = meta["columns"]["geometry"]
            assert col["encoding"] == "WKB" and col["geometry_types"] == ["Point"], col
            g = gpd.read_parquet(f)
            assert str(g.crs) == "OGC:CRS84", g.crs
            assert g.geometry.geom_type.eq("Point").all()
            # The geometry is the lon/lat columns; the file bbox covers every point.
            assert (abs(g.geometry.x - g["lon"]) < 1e-9).all() and (abs(g.geometry.y - g["lat"]) < 1e-9).all()
            x0, y0, x1, y1 = col["bbox"]
            assert g["lon"].min() >= x0 and g["lon"].max() <= x1 and g["lat"].min() >= y0 and g["lat"].max() <= y1
            assert (g["time"].dt.strftime("%Y-%m-%d") == day).all(), "rows in the wrong day partition"
            n += len(g)
        assert n == expected[day], (day, n, expected[day])
        total += n
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT strftime(time, '%Y-%m-%d') AS d, count(*) FROM read_parquet('{out}/*/*.parquet', hive_partitioning=true) GROUP BY d ORDER BY d"
    ).fetchall()
    assert {d: c for d, c in rows} == expected, rows
    # The covering bbox column prunes like a spatial filter should.
    inside = con.execute(
        f"SELECT count(*) FROM read_parquet('{out}/*/*.parquet') WHERE bbox.xmin >= -74.1 AND bbox.xmax <= -73.9 AND bbox.ymin >= 40.5 AND bbox.ymax <= 40.7"
    ).fetchone()[0]
    direct = con.execute(
        f"SELECT count(*) FROM read_parquet('{out}/*/*.parquet') WHERE lon BETWEEN -74.1 AND -73.9 AND lat BETWEEN 40.5 AND 40.7"
    ).fetchone()[0]
    assert inside == direct, (inside, direct)
else:
    total = 0
    for day in days:
        n = 0
        for f in glob.glob(os.path.join(out, f"date={day}", "*.geojson")):
            fc = json.load(open(f))
            assert fc["type"] == "FeatureCollection"
            for feat in fc["features"]:
                assert feat["geometry"]["type"] == "Point" and len(feat["geometry"]["coordinates"]) == 2
                assert feat["properties"]["time"].startswith(day)
            n += len(fc["features"])
        assert n == expected[day], (day, n, expected[day])
print("OK")
