#!/usr/bin/env python3
"""Peer of bench/run-edit-bench.sh: the same durable single-feature edit as raw SQLite — one
transaction per edit holding the attribute UPDATE and one history row INSERT, WAL journal with
synchronous=FULL (what minqing's writer sets) — on a copy of the same GeoPackage. No HTTP, no
validation, no GDAL: the floor the disk's fsync sets.

  edit_sqlite_peer.py STORE.gpkg SECONDS
prints: RESULT peer=sqlite3 edits=N edits_per_s=R
"""
import random
import sqlite3
import struct
import sys
import time


def envelope(blob):
    """(minx, maxx, miny, maxy) of a GeoPackage geometry blob's header, or None when it has none."""
    if blob is None or len(blob) < 8:
        return None
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    if (flags >> 1) & 7 == 0:
        return None
    return struct.unpack(order + "4d", blob[8:40])


def register_gpkg_functions(db):
    # The GeoPackage's R-tree triggers call these (GDAL provides them; plain SQLite does not).
    db.create_function("ST_IsEmpty", 1, lambda b: 1 if b is None or (len(b) > 3 and b[3] & 16) else 0, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        db.create_function(name, 1, lambda b, i=i: (envelope(b) or (None,) * 4)[i], deterministic=True)

store, seconds = sys.argv[1], float(sys.argv[2])
db = sqlite3.connect(store, isolation_level=None)
register_gpkg_functions(db)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS peer_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, class TEXT, fid INTEGER, "
           "version INTEGER, op TEXT, user TEXT, time TEXT, request_id TEXT, before TEXT, after TEXT)")
fids = [r[0] for r in db.execute("SELECT fid FROM households")]
n = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    fid = random.choice(fids)
    db.execute("BEGIN")
    db.execute("UPDATE households SET members = ? WHERE fid = ?", (n % 9 + 1, fid))
    db.execute("INSERT INTO peer_history (class, fid, version, op, user, time, request_id, before, after) "
               "VALUES ('households', ?, ?, 'update', 'bench', ?, 'peer', '{}', '{}')", (fid, n, time.time()))
    db.execute("COMMIT")
    n += 1
elapsed = time.perf_counter() - start
print(f"RESULT peer=sqlite3 edits={n} edits_per_s={n / elapsed:.0f}")
