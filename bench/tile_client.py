#!/usr/bin/python3
"""The browser side of bench/run-tile-bench.sh: asks an HTTP server for every tile of a list once,
over N keep-alive connections (a browser's few connections to one host), and records each tile's
latency. The list is walked in its order (zoom by zoom from z14, row by row within a zoom, as a map
being panned): each connection takes the next tile as soon as its previous answer is read.

    tile_client.py BASE TILES.txt --maps terrain[,disaster…] [--connections 2] [--token-file F]
                   [--save-dir DIR] [--latency-out FILE] [--case NAME]

BASE is e.g. http://127.0.0.1:8080; each "z x y" line of TILES.txt becomes GET
BASE/tiles/MAPS/z/x/y.png, with "Authorization: Bearer <token>" when --token-file is given.
--save-dir keeps every answer at DIR/tiles/MAPS/z/x/y.png (the tree nginx then serves as static
files). It prints per-zoom tiles/s, median and p95 (bench/lib/tile_stats.py), the answers that
were not 200, and the client's own CPU time, to show that the client is not the bottleneck.

Since session 11 the race asks through bench/tile_client.cpp (the same command line and report):
this client's 140–700 µs of CPU a tile were taken from the server it measured. It is kept as the
reference the C++ client is checked against (ctest bench.tile_client: the same saved bytes).
"""

import argparse
import http.client
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tile_stats  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("tiles")
    ap.add_argument("--maps", required=True)
    ap.add_argument("--connections", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--token-file")
    ap.add_argument("--save-dir")
    ap.add_argument("--latency-out")
    ap.add_argument("--case", default="ours")
    args = ap.parse_args()

    url = urllib.parse.urlsplit(args.base)
    headers = {"Accept": "image/png,image/*;q=0.8", "Connection": "keep-alive"}
    if args.token_file:
        with open(args.token_file) as f:
            headers["Authorization"] = "Bearer " + f.read().strip()
    tiles = []
    with open(args.tiles) as f:
        for line in f:
            if line.strip():
                tiles.append(tuple(int(v) for v in line.split()))

    lock = threading.Lock()
    state = {"next": 0}
    recs = [None] * len(tiles)
    failures = []

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= len(tiles):
                break
            z, x, y = tiles[i]
            path = "/tiles/%s/%d/%d/%d.png" % (args.maps, z, x, y)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
                body, status = b"", "error: %s" % e
            t1 = time.perf_counter()
            recs[i] = (z, t0, t1, len(body), status)
            if status != 200:
                with lock:
                    failures.append("%s → %s" % (path, status))
            elif args.save_dir:
                dest = os.path.join(args.save_dir, path.lstrip("/"))
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as out:
                    out.write(body)
        conn.close()

    cpu0 = os.times()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu1 = os.times()

    if args.latency_out:
        with open(args.latency_out, "w") as f:
            for (z, x, y), (_, t0, t1, size, status) in zip(tiles, recs):
                f.write("%d %d %d %s %d %.3f\n" % (z, x, y, status, size, (t1 - t0) * 1000))
    ok = [(z, t0, t1, size) for (z, t0, t1, size, status) in recs if status == 200]
    tile_stats.report(args.case, "%s, %d conn" % (args.case, args.connections), ok)
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    print("client: %d tiles asked, %d answered 200, %d not; client CPU %.2f s (%.0f µs a tile)"
          % (len(tiles), len(ok), len(failures), cpu, cpu * 1e6 / max(1, len(tiles))))
    for f in failures[:10]:
        print("  not 200: " + f)
    print("RESULT case=%s client_cpu_s=%.2f failures=%d" % (args.case, cpu, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
