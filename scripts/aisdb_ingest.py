#!/usr/bin/env python3
"""AISdb's side of the ingest benchmark (BENCHMARKS.md): decode an NMEA file with
tag-block times into a new SQLite database with aisdb.decode_msgs.
Usage: scripts/aisdb_ingest.py FILE.nm4 DB.sqlite   (AISdb 1.7.x; 1.7.2 needs type_preference="nm4")"""
import os
import sys

from aisdb import DBConn, decode_msgs

path, db = sys.argv[1], sys.argv[2]
if os.path.exists(db):
    os.remove(db)
with DBConn(db) as conn:
    decode_msgs([path], dbconn=conn, source="bench", type_preference="nm4", verbose=False)
