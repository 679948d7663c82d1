#!/usr/bin/env python3
"""fdatasync latency of this disk, as the durable audit log meets it (issue 12, warm composite).

    bench/fsync_probe.py DIR [--count 300]

Appends a 200-byte line to a scratch file in DIR and fdatasyncs it, COUNT times, and prints one
line:  FSYNC count=… p50_ms=… p90_ms=… p99_ms=… max_ms=… mean_ms=…
A key_persons tile is answered only once its audit entry is durable, so with group commit a
request waits for at most the sync under way and its own: the answer's p99 cannot be below this
p99 (a sync's own tail), whatever the server does.
"""
import argparse
import os
import statistics
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--count", type=int, default=300)
    a = ap.parse_args()
    path = os.path.join(a.dir, "fsync-probe-%d.bin" % os.getpid())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    lat = []
    try:
        for _ in range(a.count):
            os.write(fd, b"x" * 199 + b"\n")
            t = time.perf_counter()
            os.fdatasync(fd)
            lat.append((time.perf_counter() - t) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print("FSYNC count=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f"
          % (len(lat), pick(0.5), pick(0.9), pick(0.99), lat[-1], statistics.mean(lat)))


if __name__ == "__main__":
    main()
