#!/usr/bin/python3
"""Sums up a `perf record` of our server (bench/run-tile-bench.sh): self time grouped by library
(cairo/pixman, zlib, libpng, text shaping, libc/libm, ours, kernel, the rest) and the top symbols.

    perf_summary.py PERF.data [--top 20]

Self time ("--no-children"): where the CPU was, not who asked for it.
"""

import argparse
import re
import subprocess
import sys

GROUPS = [  # (group, regex on the shared object's name), first match wins
    ("cairo+pixman", r"libcairo|libpixman"),
    ("zlib", r"libz\.so"),
    ("libpng", r"libpng"),
    ("harfbuzz+pango+glib+freetype", r"libharfbuzz|libpango|libglib|libgobject|libgio|libfreetype|libfontconfig|libfribidi|libthai|libgraphite"),
    ("libc+libm+libstdc++", r"libc\.so|libc-|libm\.so|libm-|libstdc\+\+|libgcc|ld-linux"),
    ("ours (minqing)", r"^minqing$|/minqing$"),
    ("kernel", r"kernel|\[vdso\]"),
]


def group_of(dso):
    for name, rx in GROUPS:
        if re.search(rx, dso):
            return name
    return "other (PROJ, GDAL, GEOS, SQLite, Boost…)"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()
    out = subprocess.run(["perf", "report", "-i", args.data, "--no-children", "--stdio", "-q", "-g", "none",
                          "--sort", "dso,sym", "--percent-limit", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)$", line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3).strip()))
    if not rows:
        print("perf: no samples")
        return 1
    groups = {}
    for pct, dso, _ in rows:
        g = group_of(dso)
        groups[g] = groups.get(g, 0.0) + pct
    print("self time by library:")
    for g, pct in sorted(groups.items(), key=lambda kv: -kv[1]):
        print("  %6.1f %%  %s" % (pct, g))
    # Libraries without symbols (Debian's cairo, pixman and zlib are stripped) show addresses:
    # those are summed into one row per library.
    symbols = {}
    for pct, dso, sym in rows:
        key = (dso, "(no symbols: all of %s)" % dso if sym.startswith("0x") else sym)
        symbols[key] = symbols.get(key, 0.0) + pct
    print("top %d symbols by self time:" % args.top)
    for (dso, sym), pct in sorted(symbols.items(), key=lambda kv: -kv[1])[: args.top]:
        print("  %6.1f %%  %-28s %s" % (pct, group_of(dso)[:28], sym[:90]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
