"""Per-zoom tile statistics shared by bench/tile_client.py (ours, over HTTP) and
bench/mapnik_peer.py (Mapnik), so that both sides of bench/run-tile-bench.sh are summed up alike.

A record is (zoom, start_s, end_s, bytes): when one tile was asked for and when its PNG was whole,
on one monotonic clock. Per zoom, tiles/s is the zoom's tiles over the span from its first start
to its last end (the list is walked zoom by zoom, so the spans barely overlap); latency is end −
start per tile, median and p95 (the value at rank ⌊0.95·n⌋ of the sorted latencies).

The machine-readable lines are
    RESULT case=NAME zoom=all|14|… tiles=N tiles_per_s=… median_ms=… p95_ms=… mean_png_bytes=…
"""

import statistics
import sys


def _line(name, zoom, recs):
    lat = sorted((e - s) * 1000 for _, s, e, _ in recs)
    span = max(e for _, _, e, _ in recs) - min(s for _, s, _, _ in recs)
    tps = len(recs) / span if span > 0 else 0.0
    median = statistics.median(lat)
    p95 = lat[min(len(lat) - 1, len(lat) * 95 // 100)]
    mean_bytes = sum(b for *_, b in recs) / len(recs)
    return tps, median, p95, mean_bytes, ("RESULT case=%s zoom=%s tiles=%d tiles_per_s=%.2f median_ms=%.3f p95_ms=%.3f "
                                          "mean_png_bytes=%.0f" % (name, zoom, len(recs), tps, median, p95, mean_bytes))


def report(name, label, recs, out=sys.stdout):
    """Prints one human line for the whole run and one per zoom, each followed by its RESULT line."""
    if not recs:
        print("%s: no tiles" % label, file=out)
        return
    zooms = sorted({r[0] for r in recs})
    for zoom, sub in [("all", recs)] + [(z, [r for r in recs if r[0] == z]) for z in zooms]:
        tps, median, p95, mean_bytes, result = _line(name, zoom, sub)
        print("%-44s %-4s %5d tiles  %8.1f tiles/s   median %7.2f ms   p95 %7.2f ms   mean PNG %6.0f B"
              % (label, "z%s" % zoom if zoom != "all" else "all", len(sub), tps, median, p95, mean_bytes), file=out)
        print(result, file=out)
    out.flush()
