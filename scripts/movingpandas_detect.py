#!/usr/bin/env python3
"""The MovingPandas side of the detector benchmark (BENCHMARKS.md): load an AIS
CSV (MarineCadastre columns MMSI, BaseDateTime, LAT, LON), split trajectories
at gaps of an hour (ObservationGapSplitter) and find stops of 30 minutes within
500 m (TrajectoryStopDetector). Prints counts and positions per second.

Usage: scripts/movingpandas_detect.py FILE.csv[.gz]"""
import sys
import time
import warnings
from datetime import timedelta

warnings.filterwarnings("ignore")

import geopandas as gpd  # noqa: E402
import movingpandas as mpd  # noqa: E402
import pandas as pd  # noqa: E402

path = sys.argv[1]
t0 = time.perf_counter()
df = pd.read_csv(path, usecols=["MMSI", "BaseDateTime", "LAT", "LON"])
df["t"] = pd.to_datetime(df["BaseDateTime"])
gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.LON, df.LAT), crs="EPSG:4326")
tc = mpd.TrajectoryCollection(gdf, "MMSI", t="t")
t1 = time.perf_counter()
split = mpd.ObservationGapSplitter(tc).split(gap=timedelta(hours=1))
t2 = time.perf_counter()
stops = mpd.TrajectoryStopDetector(split).get_stop_points(min_duration=timedelta(minutes=30), max_diameter=500)
t3 = time.perf_counter()
n = len(df)
print(
    f"movingpandas {mpd.__version__}: {n} positions, {len(tc.trajectories)} trajectories, "
    f"{len(split.trajectories)} after gap split, {len(stops)} stops; load {t1 - t0:.1f} s, "
    f"gap split {t2 - t1:.1f} s, stops {t3 - t2:.1f} s; total {t3 - t0:.1f} s = {n / (t3 - t0):.0f} positions/s"
)
