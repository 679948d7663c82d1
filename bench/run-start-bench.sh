#!/usr/bin/env bash
# County start-up benchmark (issue 12 part 4, issue 11's last seconds): how fast the 401-village
# county store opens, for the server and for the atlas. Not part of the test suite.
#
#   bench/run-start-bench.sh [STORE.gpkg]   (default bench/out/county.gpkg, generated if absent)
#   BUILD_DIR=build  an already configured build directory (default: the default preset's)
#   ATLAS=0          skip the whole-county atlas (about a minute on two idle cores)
#
# Prints, against the targets:
#   - the floor: GDAL opening the same GeoPackage (`ogrinfo -so -al`, every layer's summary),
#     reading every feature into memory (`ogr2ogr -f Memory`), and the same projected to EPSG:3857
#     as we project it (`-t_srs EPSG:3857`), each on one thread;
#   - `minqing serve` from spawn to the first 200 of both a z16 terrain tile and a
#     /collections/buildings/items?bbox=… over one village (not just "listening"): wall, the
#     server's CPU seconds and its peak RSS at that moment (bench/start_probe.py); then the first
#     route, search and statistics request, each timed alone (what the server still builds in the
#     background after it answers: the road network, search segments, statistics groupings), and
#     CPU / peak RSS once it is idle again;
#   - `minqing atlas` on one sheet (the atlas's start-up: store, DEM headers, one village) and on
#     the whole county (2,406 sheets + 401 village PDFs) with --jobs = cores.
# The machine is shared: CPU time is the fair figure, wall time is honest only at a low load
# average, which is printed before and after each step.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
if [ "$build" = build ] && [ ! -x build/minqing ]; then
  cmake --preset default >/dev/null
  cmake --build --preset default --target minqing
fi
bin=$build/minqing
store=${1:-bench/out/county.gpkg}
out=bench/out/start
mkdir -p "$out"
if [ ! -f "$store" ]; then
  if [ $# -gt 0 ]; then echo "no store $store"; exit 1; fi
  "$bin" generate --villages 401 --seed 1 --out "$store" >/dev/null
fi
load() { cut -d' ' -f1-3 /proc/loadavg; }
timed() {  # timed LABEL CMD… → one line: LABEL wall user sys maxrss
  local label=$1
  shift
  /usr/bin/time -f "$label %e s wall, %U s user + %S s sys CPU, %M KiB peak RSS" -o "$out/time.txt" "$@" >/dev/null 2>&1
  cat "$out/time.txt"
}
echo "== start-up bench: $store ($(du -m "$store" | cut -f1) MB), $(nproc) cores, load average $(load)"

# 1. The floor: GDAL alone on the same file.
timed "floor: ogrinfo -so -al (open, every layer's summary):" ogrinfo -ro -so -al "$store"
timed "floor: ogr2ogr -f Memory (read every feature into memory):" ogr2ogr -f Memory mem "$store"
timed "floor: ogr2ogr -f Memory -t_srs EPSG:3857 (read and project, as we do):" ogr2ogr -f Memory -t_srs EPSG:3857 mem "$store"

# 2. The server, to its first answers. The village probed: the first one, by its bbox centre.
read -r lon lat village < <(ogr2ogr -f GeoJSON -t_srs EPSG:4326 -limit 1 -select village_code /vsistdout/ "$store" villages |
  /usr/bin/python3 -c '
import json, sys
f = json.load(sys.stdin)["features"][0]
def walk(c):
    if isinstance(c[0], (int, float)):
        yield c
    else:
        for x in c:
            yield from walk(x)
pts = list(walk(f["geometry"]["coordinates"]))
xs, ys = [p[0] for p in pts], [p[1] for p in pts]
print((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, f["properties"]["village_code"])')
echo "== serve (village $village at $lon, $lat), load average $(load)"
result=$(/usr/bin/python3 bench/start_probe.py "$bin" "$store" "$lon" "$lat" "$village" "$out" | grep '^RESULT')
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<" $result"; }
echo "serve: first tile and bbox items answered $(field ready_s) s after spawn (tile $(field tile_s) s, items $(field items_s) s): $(field ready_cpu_s) s CPU, $(field ready_rss_mib) MiB peak RSS  [target < 10 s, < 2048 MiB]"
echo "serve: then, each alone: first route $(field route_s) s (HTTP $(field route_status); waits for the road network built in the background), first search $(field search_s) s (HTTP $(field search_status)), first statistics $(field stats_s) s (HTTP $(field stats_status))"
echo "serve: settled (background builds done): $(field settled_cpu_s) s CPU, $(field settled_rss_mib) MiB peak RSS; load average $(load)"

# 3. The atlas: its start-up (one sheet on one thread), then the whole county.
auth=(--auth "$out/auth.sqlite" --audit "$out/audit.jsonl")
rm -rf "$out/atlas-one"
timed "atlas, one sheet (start-up: store, DEM headers, one village; --jobs 1):" \
  "$bin" atlas --store "$store" --villages "$village" --maps terrain --out "$out/atlas-one" --jobs 1 "${auth[@]}"
if [ "${ATLAS:-1}" = 1 ]; then
  rm -rf "$out/atlas-county"
  echo "== county atlas, --jobs $(nproc), load average $(load)"
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$bin" atlas --store "$store" --out "$out/atlas-county" \
    --jobs "$(nproc)" "${auth[@]}" 2>/dev/null | tail -1
  read -r wall user sys rss <"$out/time.txt"
  sheets=$(find "$out/atlas-county" -mindepth 2 -name '*.pdf' | wc -l)
  villages=$(find "$out/atlas-county" -maxdepth 1 -name '*.pdf' | wc -l)
  echo "atlas county: $sheets sheets + $villages village PDFs in $wall s wall, $user s user + $sys s sys CPU, $((rss / 1024)) MiB peak RSS  [target < 60 s]; load average $(load)"
fi
