#!/usr/bin/env bash
# Tile benchmark (the tile issue): cold rendering of a fixed tile list (every tile at z14–z18 over
# the sample villages), ours beside Mapnik (Debian's python3-mapnik, same GeoPackage, an equivalent
# style, same thread/process count, both encoding PNG), then the warm tile cache under wrk on
# loopback. Bounded: every step has a time limit; the whole run takes about 2–4 minutes.
#
#   bench/run-tile-bench.sh [STORE.gpkg]          (default: the committed sample)
#   WRK_DURATION=10s WRK_CONNECTIONS=64 WRK_THREADS=2 THREADS=<cores>  may be overridden
#
# Targets on the 2-core machine: cold render ≥ 2× Mapnik's tiles/s; cached tiles ≥ 15,000
# requests/s with p99 < 10 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --bench
cmake --preset default >/dev/null
cmake --build --preset default --target minqing tile_bench

store=${1:-data-samples/songyang-sample.gpkg}
out=bench/out
mkdir -p "$out"
threads=${THREADS:-$(nproc)}
wrk_threads=${WRK_THREADS:-2}
wrk_conns=${WRK_CONNECTIONS:-64}
wrk_duration=${WRK_DURATION:-10s}
python=/usr/bin/python3   # Debian's python, which has python3-mapnik (not a pyenv/venv python)

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

field() {  # field NAME LINE → value of NAME=... in a RESULT line
  sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. Ours, cold: no tile cache, single thread, then $threads threads.
echo "== ours: render_tile_png over the fixed tile list (no cache)"
timeout 300 build/bench/tile_bench "$store" --threads "$threads" --list-out "$out/tiles.txt" | tee "$out/ours.txt"
ours_n=$(grep "^RESULT threads=$threads " "$out/ours.txt" | tail -1)
ours_1=$(grep "^RESULT threads=1 " "$out/ours.txt" | tail -1)

# 2. Mapnik on the same list, same data file, same parallelism (processes: one Map each).
echo "== Mapnik: same tiles, same GeoPackage (OGR plugin), equivalent style"
procs=$threads
[ "$threads" -gt 1 ] && procs="$threads,1"
timeout 420 "$python" bench/mapnik_peer.py "$store" "$out/tiles.txt" --procs "$procs" \
  --xml-out "$out/mapnik-terrain.xml" | tee "$out/mapnik.txt"
mapnik_n=$(grep "^RESULT procs=$threads " "$out/mapnik.txt" | tail -1)
mapnik_1=$(grep "^RESULT procs=1 " "$out/mapnik.txt" | tail -1)

# 3. The warm cache under wrk: serve the store, request ~200 fixed tiles once, then load them.
echo "== cache: minqing serve on loopback, ~200 tiles warmed, wrk -t$wrk_threads -c$wrk_conns -d$wrk_duration"
# Every 7th tile of the list (z14–z18), ~190 tiles.
awk 'NR % 7 == 1 { printf "/tiles/terrain/%d/%d/%d.png\n", $1, $2, $3 }' "$out/tiles.txt" >"$out/wrk-paths.txt"
# Port 0: the kernel picks a free port; the server prints it. The access log (stderr) goes to a
# file, not a terminal.
build/minqing serve --listen 127.0.0.1:0 --store "$store" >"$out/serve.out" 2>"$out/serve-access.log" &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$out/serve.out" 2>/dev/null | head -1 | sed 's/.*://') || true
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "minqing serve died:"; cat "$out/serve-access.log"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "minqing serve did not start in 10 s"; exit 1; }
base="http://127.0.0.1:$port"
warm_start=$(date +%s%N)
bad=0
while read -r p; do
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$base$p") || code=000
  [ "$code" = 200 ] || { bad=$((bad + 1)); echo "warm-up: $p → $code"; }
done <"$out/wrk-paths.txt"
warm_tiles=$(wc -l <"$out/wrk-paths.txt")
echo "warmed $warm_tiles tiles in $(( ($(date +%s%N) - warm_start) / 1000000 )) ms ($bad failed)"
[ "$bad" -eq 0 ] || exit 1
# The server's own CPU time during the run (utime + stime from /proc): CPU per request is the
# number that does not depend on what else the machine is doing.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)
load_before=$(cut -d' ' -f1 /proc/loadavg)
ticks0=$(cpu_ticks)
wall0=$(date +%s%N)
timeout 60 wrk -t"$wrk_threads" -c"$wrk_conns" -d"$wrk_duration" --timeout 5s --latency \
  -s bench/wrk_tiles.lua "$base" -- "$out/wrk-paths.txt" | tee "$out/wrk.txt"
ticks1=$(cpu_ticks)
wall1=$(date +%s%N)
cleanup
server_pid=""

# 4. Summary.
rps=$(awk '/^Requests\/sec:/ {print $2}' "$out/wrk.txt")
lat() { awk -v q="$1" '$1 == q {print $2}' "$out/wrk.txt"; }
total_requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
server_cpu_s=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
server_cores=$(awk -v c="$server_cpu_s" -v w=$((wall1 - wall0)) 'BEGIN { printf "%.2f", c / (w / 1e9) }')
us_per_req=$(awk -v c="$server_cpu_s" -v n="$total_requests" 'BEGIN { if (n > 0) printf "%.1f", c * 1e6 / n; else print "n/a" }')
non2xx=$(awk -F': *' '/Non-2xx/ {print $2}' "$out/wrk.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
cat <<SUMMARY

================ tile benchmark summary ================
store            $store
tile list        $(field tiles "$ours_n") tiles, z14–z18 over the villages' extent ($out/tiles.txt)
cold render      $threads thread(s) / process(es), no cache, PNG encoded
  ours           $(field tiles_per_s "$ours_n") tiles/s   median $(field median_ms "$ours_n") ms   p95 $(field p95_ms "$ours_n") ms   mean PNG $(field mean_png_bytes "$ours_n") B
  Mapnik         $(field tiles_per_s "$mapnik_n") tiles/s   median $(field median_ms "$mapnik_n") ms   p95 $(field p95_ms "$mapnik_n") ms   mean PNG $(field mean_png_bytes "$mapnik_n") B
  ratio          $(ratio "$(field tiles_per_s "$ours_n")" "$(field tiles_per_s "$mapnik_n")")× Mapnik's tiles/s   (target ≥ 2)
cold render      1 thread / process
  ours           $(field tiles_per_s "$ours_1") tiles/s   median $(field median_ms "$ours_1") ms   p95 $(field p95_ms "$ours_1") ms
  Mapnik         $(field tiles_per_s "$mapnik_1") tiles/s   median $(field median_ms "$mapnik_1") ms   p95 $(field p95_ms "$mapnik_1") ms
  ratio          $(ratio "$(field tiles_per_s "$ours_1")" "$(field tiles_per_s "$mapnik_1")")×
warm cache       wrk -t$wrk_threads -c$wrk_conns -d$wrk_duration over $warm_tiles cached tiles, loopback, same machine
  requests/s     $rps   (target ≥ 15000)
  latency        p50 $(lat 50%)   p90 $(lat 90%)   p99 $(lat 99%)   (target p99 < 10ms)
  non-2xx        ${non2xx:-0}
  server CPU     ${server_cpu_s} s over the run = ${server_cores} cores busy, ${us_per_req} µs CPU per request
                 (wrk shares the same cores; load average before the run: ${load_before})
=========================================================
SUMMARY
