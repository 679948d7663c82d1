#!/usr/bin/env bash
# Atlas benchmark (issue 11): the whole atlas of 20 generated villages — six maps, 120 sheets plus
# the 20 village PDFs — with `minqing atlas`, extrapolated to the county's 401 villages, beside
# QGIS 3.22 from Debian (qgis, python3-qgis; installed here if missing): a headless
# QgsLayoutExporter atlas of the same villages and maps (simple symbols, name labels, title, legend,
# scale bar, north arrow; A3 landscape; bench/qgis_atlas_peer.py) with the same number of
# processes as our threads. Not part of the test suite.
#
#   bench/atlas_bench.sh            THREADS=<cores> may be overridden; COUNTY=1 also prints the
#                                   whole county (401 villages) measured, not extrapolated;
#                                   BUILD_DIR=build an already configured build directory
#
# Targets on the 2-core machine: at least 2× QGIS's sheets per second with our full sheet
# (hillshade, generated Chinese legend, CGCS2000 grid, marks, watermark), the county atlas (401
# villages: 2,406 sheets + 401 village PDFs) in under 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
missing=()
for p in qgis python3-qgis; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
build=${BUILD_DIR:-build}
if [ "$build" = build ] && [ ! -x build/minqing ]; then
  cmake --preset default >/dev/null
  cmake --build --preset default --target minqing
fi
bin=$build/minqing
threads=${THREADS:-$(nproc)}
out=bench/out/atlas
mkdir -p "$out"
store=$out/villages20.gpkg
[ -f "$store" ] || "$bin" generate --villages 20 --seed 20091 --out "$store" >/dev/null

now() { date +%s.%N; }
# CPU seconds (user + system) of this script's finished children, from bash's `times` run in this
# shell (a $(…) would ask a subshell): on a shared machine, wall time swings with other people's
# load; CPU time much less. mark NAME keeps the count in $out/cpu-NAME.
mark() { times >"$out/cpu-$1"; }
echo "atlas bench: 20 villages × 6 maps, $threads threads / processes, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Ours: a cold run (nothing to skip), then a second run (everything skipped: resumability's cost).
rm -rf "$out/ours"
mark 0
t0=$(now)
"$bin" atlas --store "$store" --out "$out/ours" --jobs "$threads" --auth "$out/auth.sqlite" --audit "$out/audit.jsonl" \
  2>/dev/null | tee "$out/ours.txt"
t1=$(now)
mark 1
"$bin" atlas --store "$store" --out "$out/ours" --jobs "$threads" --auth "$out/auth.sqlite" --audit "$out/audit.jsonl" \
  2>/dev/null >/dev/null
t2=$(now)

# QGIS: one process per thread, each printing every N-th village.
rm -rf "$out/qgis"
mkdir -p "$out/qgis"
mark 3
t3=$(now)
pids=()
for ((w = 0; w < threads; w++)); do
  QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/qgis_atlas_peer.py "$store" layers "$out/qgis" "$w" "$threads" \
    >"$out/qgis-$w.json" 2>"$out/qgis-$w.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t4=$(now)
mark 4

python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$out" "$threads" <<'PY'
import glob, json, os, re, sys
t0, t1, t2, t3, t4 = map(float, sys.argv[1:6])
out, threads = sys.argv[6], int(sys.argv[7])
def cpu(name):  # the children's line of `times`: "0m1.234s 0m0.100s"
    line = open(os.path.join(out, "cpu-" + name)).read().strip().splitlines()[-1]
    return sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", line))
c0, c1, c3, c4 = (cpu(n) for n in "0134")
ours, skip, qgis = t1 - t0, t2 - t1, t4 - t3
sheets = len(glob.glob(os.path.join(out, "ours", "*", "*.pdf")))
villages = len(glob.glob(os.path.join(out, "ours", "*.pdf")))
q = [json.loads(open(f).read().strip().splitlines()[-1]) for f in sorted(glob.glob(os.path.join(out, "qgis-*.json")))]
qsheets = sum(x["sheets"] for x in q)
mb = sum(os.path.getsize(f) for f in glob.glob(os.path.join(out, "ours", "**", "*.pdf"), recursive=True)) / 1e6
print(f"ours : {sheets} sheets + {villages} village PDFs in {ours:.1f} s wall "
      f"({sheets / ours:.1f} sheets/s, {ours / sheets * 1000:.0f} ms a sheet with {threads} threads; {mb:.0f} MB); "
      f"a second run skipping all: {skip:.1f} s")
print(f"qgis : {qsheets} sheets in {qgis:.1f} s wall including start-up ({qsheets / qgis:.1f} sheets/s, "
      f"{qgis / qsheets * 1000:.0f} ms a sheet with {threads} processes); export loops "
      + ", ".join(f"{x['seconds']:.1f} s" for x in q))
scale = 401 / 20
print(f"county (401 villages, 2406 sheets): ours ≈ {ours * scale:.0f} s (+ village PDFs), qgis ≈ {qgis * scale:.0f} s "
      f"(sheets only) → ours/qgis sheets per second: {(sheets / ours) / (qsheets / qgis):.2f}×")
ocpu, qcpu = c1 - c0, c4 - c3
print(f"cpu  : ours {ocpu:.1f} s ({ocpu / sheets * 1000:.0f} ms a sheet, village PDFs and start-up included), "
      f"qgis {qcpu:.1f} s ({qcpu / qsheets * 1000:.0f} ms a sheet, start-up included) → {qcpu / qsheets / (ocpu / sheets):.2f}× "
      f"per sheet; county on {threads} cores at full use: ours ≈ {ocpu * scale / threads:.0f} s, "
      f"qgis ≈ {qcpu * scale / threads:.0f} s")
PY

# COUNTY=1: the whole county measured rather than extrapolated — 401 villages (the store the route
# bench uses, generated with seed 1 if missing), every sheet and village PDF, on $threads threads.
if [ "${COUNTY:-0}" = 1 ]; then
  county=bench/out/county.gpkg
  [ -f "$county" ] || "$bin" generate --villages 401 --seed 1 --out "$county" >/dev/null
  rm -rf "$out/county"
  # Start-up alone (opening the county's store, one sheet): it runs on one core before the threads.
  mark 5
  "$bin" atlas --store "$county" --villages 331124207202 --maps terrain --out "$out/county-startup" --jobs 1 \
    --auth "$out/auth.sqlite" --audit "$out/audit.jsonl" >/dev/null 2>&1
  mark 6
  t5=$(now)
  "$bin" atlas --store "$county" --out "$out/county" --jobs "$threads" --auth "$out/auth.sqlite" \
    --audit "$out/audit.jsonl" 2>/dev/null | tee "$out/county.txt"
  t6=$(now)
  mark 7
  rm -rf "$out/county-startup"
  python3 - "$t5" "$t6" "$out" "$threads" <<'PY'
import glob, os, re, sys
t5, t6 = map(float, sys.argv[1:3])
out, threads = sys.argv[3], int(sys.argv[4])
def cpu(name):
    line = open(os.path.join(out, "cpu-" + name)).read().strip().splitlines()[-1]
    return sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", line))
startup, total = cpu("6") - cpu("5"), cpu("7") - cpu("6")
sheets = len(glob.glob(os.path.join(out, "county", "*", "*.pdf")))
print(f"county: {sheets} sheets + village PDFs in {t6 - t5:.0f} s wall, {total:.1f} s CPU "
      f"({total / sheets * 1000:.0f} ms a sheet, start-up included); start-up alone {startup:.1f} s CPU on one core; "
      f"on {threads} idle cores ≈ {startup + (total - startup) / threads:.0f} s")
PY
fi
