#!/usr/bin/env python3
"""County start-up probe (issue 12 part 4), run by bench/run-start-bench.sh.

Starts `minqing serve` on a store and polls it until it answers — not until it listens: the clock
stops at the first 200 of BOTH a z16 terrain tile and a `/collections/buildings/items?bbox=…` over
the same village. Then, separately, the first route (`/api/route` between two points), the
first search and the first statistics request, each timed from the moment it is sent. Prints one
RESULT line of key=value pairs:

  ready_s        wall seconds from spawn to both first answers
  ready_cpu_s    the server's user+system CPU seconds at that moment (all its threads)
  ready_rss_mib  its peak RSS (VmHWM) at that moment
  route_s, search_s, stats_s   wall seconds of the first route (between two points near the
                 village centre: public), search and statistics request
  settled_cpu_s, settled_rss_mib   CPU and peak RSS once those have answered and any background
                 build has finished (the server is then idle for a moment)

usage: start_probe.py MINQING STORE LON LAT VILLAGE_CODE OUTDIR
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from math import cos, floor, log, pi, radians, tan

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15)


def peak_rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=60):
    """Status of a GET (0 when nothing answers yet)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return 0


def tile_of(lon, lat, z):
    n = 2**z
    x = floor((lon + 180) / 360 * n)
    y = floor((1 - log(tan(radians(lat)) + 1 / cos(radians(lat))) / pi) / 2 * n)
    return x, y


def main():
    binary, store, village, outdir = sys.argv[1], sys.argv[2], sys.argv[5], sys.argv[6]
    lon, lat = float(sys.argv[3]), float(sys.argv[4])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    z = 16
    x, y = tile_of(lon, lat, z)
    half = 0.0027  # a z16-sized box (~550 m) around the village's centre
    bbox = f"{lon - half:.6f},{lat - half:.6f},{lon + half:.6f},{lat + half:.6f}"
    tile = f"{base}/tiles/terrain/{z}/{x}/{y}.png"
    items = f"{base}/collections/buildings/items?bbox={bbox}&limit=1000"
    log_path = os.path.join(outdir, "serve.log")
    t0 = time.monotonic()
    server = subprocess.Popen(
        [binary, "serve", "--store", store, "--listen", f"127.0.0.1:{port}",
         "--auth", os.path.join(outdir, "auth.sqlite"), "--audit", os.path.join(outdir, "audit.jsonl")],
        stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    try:
        got = {"tile": None, "items": None}
        while None in got.values():
            if server.poll() is not None:
                sys.exit(f"start_probe: the server exited ({server.returncode}); see {log_path}")
            for name, url in (("tile", tile), ("items", items)):
                if got[name] is None:
                    status = get(url)
                    if status == 200:
                        got[name] = time.monotonic() - t0
                    elif status not in (0, 503):
                        sys.exit(f"start_probe: {url} answered {status}")
            if None in got.values():
                time.sleep(0.02)
        ready = max(got.values())
        ready_cpu, ready_rss = cpu_seconds(server.pid), peak_rss_mib(server.pid)

        def first(url):
            t = time.monotonic()
            status = get(url, timeout=300)
            return time.monotonic() - t, status

        route_s, route_status = first(f"{base}/api/route?from={lon:.6f},{lat:.6f}&to={lon + 0.003:.6f},{lat + 0.002:.6f}&avoid=none")
        search_s, search_status = first(f"{base}/api/search?q=" + urllib.parse.quote("村"))
        stats_s, stats_status = first(f"{base}/api/stats?village={village}")
        # Let a background build (if any) finish: wait until the server's CPU stops moving.
        last = cpu_seconds(server.pid)
        for _ in range(600):
            time.sleep(0.5)
            now = cpu_seconds(server.pid)
            if now - last < 0.05:
                break
            last = now
        print("RESULT " + " ".join(f"{k}={v}" for k, v in {
            "ready_s": f"{ready:.2f}", "tile_s": f"{got['tile']:.2f}", "items_s": f"{got['items']:.2f}",
            "ready_cpu_s": f"{ready_cpu:.2f}", "ready_rss_mib": f"{ready_rss:.0f}",
            "route_s": f"{route_s:.2f}", "route_status": route_status,
            "search_s": f"{search_s:.3f}", "search_status": search_status,
            "stats_s": f"{stats_s:.3f}", "stats_status": stats_status,
            "settled_cpu_s": f"{cpu_seconds(server.pid):.2f}", "settled_rss_mib": f"{peak_rss_mib(server.pid):.0f}",
        }.items()), flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
