#!/usr/bin/env bash
# Query benchmark (issue 5): bbox queries and identify on the county store (401 villages) through
# the HTTP server under wrk, beside the same bbox queries asked of the same GeoPackage as SQL on
# its own R-tree (sqlite3 C API, bench/sqlite_rtree_peer.cpp) and with ogr2ogr -spat, one process
# per query as an analyst's script would. Bounded: every step has a time limit; the whole run takes
# about 1.5–3 minutes (plus ~1 min to generate the county store the first time).
#
#   bench/run-query-bench.sh [STORE.gpkg]        (default: bench/out/county.gpkg, generated if absent)
#   BOXES=1000 SEED=5 OGR_QUERIES=50 CHECK_BOXES=12 WRK_DURATION=10s WRK_THREADS=2
#   WRK_CONNECTIONS=32 BUILD_DIR=build   may be overridden (BUILD_DIR: an already configured build
#   directory other than the default preset's)
#
# The class queried is `buildings` (78,484 at county scale): a terrain class, which anonymous callers
# may read, dense where people live, and polygons — so the server's exact intersection test has real
# work to do, unlike points.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --bench
build=${BUILD_DIR:-build}
if [ "$build" = build ]; then
  cmake --preset default >/dev/null
  cmake --build --preset default --target minqing sqlite_rtree_peer
else
  cmake --build "$build" --target minqing sqlite_rtree_peer
fi

store=${1:-bench/out/county.gpkg}
out=bench/out/query
mkdir -p "$out"
if [ ! -f "$store" ]; then
  if [ $# -gt 0 ]; then echo "no store $store"; exit 1; fi
  timeout 600 /usr/bin/time -f "generate: %e s wall, %M KiB max RSS" \
    "$build/minqing" generate --villages 401 --seed 1 --out "$store"
fi
cls=buildings
nboxes=${BOXES:-1000}
seed=${SEED:-5}
ogr_n=${OGR_QUERIES:-50}
check_n=${CHECK_BOXES:-12}
[ "$check_n" -le "$ogr_n" ] || check_n=$ogr_n
wrk_threads=${WRK_THREADS:-2}
wrk_conns=${WRK_CONNECTIONS:-32}
wrk_duration=${WRK_DURATION:-10s}
python=/usr/bin/python3
peer="$build/bench/sqlite_rtree_peer"
bench_user=bench-county-admin
failed=0

source bench/lib/serve.sh
user_added=""
cleanup() {
  serve_stop
  # The benchmark's account is left disabled: its random password is already forgotten.
  if [ -n "$user_added" ]; then
    timeout 30 "$build/minqing" user disable "$bench_user" --store "$store" >/dev/null 2>&1 || true
    user_added=""
  fi
  rm -f "$out/token"
}
trap cleanup EXIT INT TERM

field() {  # field NAME LINE → value of NAME=... in a RESULT/WRK line
  sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<" $2"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(load)"
load_start=$(load)

# 1. The fixed request list: z16-sized boxes near random buildings (dense where the buildings are),
#    and points at random buildings' centres for identify.
echo "== boxes: $nboxes z16-sized bboxes over $cls, seed $seed"
timeout 60 "$peer" "$store" boxes "$nboxes" "$seed" "$out/boxes.txt" "$out/points.txt" --class "$cls"
awk -v c="$cls" '{ printf "/collections/%s/items?bbox=%s&limit=1000\n", c, $0 }' "$out/boxes.txt" >"$out/bbox-paths.txt"
awk -F, '{ printf "/api/identify?lon=%s&lat=%s&zoom=17\n", $1, $2 }' "$out/points.txt" >"$out/identify-paths.txt"
# Durable audit (issue 12, part 6): key_persons tiles at z17 under the first 200 points (warm in
# the tile cache: what is measured is the audited read, one fdatasync'ed entry per request) and
# key_persons bbox queries over the same boxes, both as the county_admin.
awk -F, 'NR <= 200 { n = 2 ^ 17; lat = $2 * 3.141592653589793 / 180
  printf "/tiles/key_persons/17/%d/%d.png\n", int(($1 + 180) / 360 * n),
    int((1 - log(sin(lat) / cos(lat) + 1 / cos(lat)) / 3.141592653589793) / 2 * n) }' "$out/points.txt" \
  | sort -u >"$out/key-tile-paths.txt"
awk '{ printf "/collections/key_persons/items?bbox=%s&limit=1000\n", $0 }' "$out/boxes.txt" >"$out/key-query-paths.txt"

# 2. Peer (a): SQL on the GeoPackage's R-tree, sqlite3 C API, 1 and 2 threads.
echo "== peer: sqlite3 + the GeoPackage R-tree (rtree_${cls}_geom), every column of every row read"
timeout 120 "$peer" "$store" query "$out/boxes.txt" --class "$cls" --threads 1,2 --passes 5 | tee "$out/sqlite.txt"
sqlite_1=$(grep '^RESULT threads=1 ' "$out/sqlite.txt")
sqlite_2=$(grep '^RESULT threads=2 ' "$out/sqlite.txt")

# 3. Peer (b): ogr2ogr to GeoJSON (RFC 7946: reprojected to WGS 84, as ours answers), one process per
#    box, for the first $ogr_n boxes. OGR tests the geometry exactly against the (reprojected) box.
echo "== peer: ogr2ogr -f GeoJSON /vsistdout/ -spat … -spat_srs EPSG:4326, one process per query, $ogr_n boxes"
rm -rf "$out/ogr" && mkdir -p "$out/ogr"
: >"$out/ogr-time.txt"
ogr_start=$EPOCHREALTIME
i=0
while IFS=, read -r x0 y0 x1 y1 && [ "$i" -lt "$ogr_n" ]; do
  # /usr/bin/time: wall seconds, and the process's user + system CPU seconds.
  timeout 30 /usr/bin/time -a -o "$out/ogr-time.txt" -f '%e %U %S' \
    ogr2ogr -f GeoJSON /vsistdout/ "$store" "$cls" -spat "$x0" "$y0" "$x1" "$y1" -spat_srs EPSG:4326 \
    -lco RFC7946=YES >"$out/ogr/$i.json" </dev/null
  i=$((i + 1))
done <"$out/boxes.txt"
ogr_wall=$(awk -v a="$ogr_start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
awk '{ printf "%.1f\n", $1 * 1000 }' "$out/ogr-time.txt" >"$out/ogr-ms.txt"
pct() { sort -n "$1" | awk -v q="$2" '{ v[NR] = $1 } END { i = int(NR * q / 100) + 1; if (i > NR) i = NR; print v[i] }'; }
ogr_count() { grep -o '"type": "Feature"' "$out/ogr/$1.json" | wc -l; }
ogr_rows=0
for ((j = 0; j < i; j++)); do ogr_rows=$((ogr_rows + $(ogr_count "$j"))); done
ogr_cpu=$(awk '{ c += $2 + $3 } END { if (NR) printf "%.0f", c * 1e6 / NR }' "$out/ogr-time.txt")
ogr_result="RESULT peer=ogr2ogr queries=$i queries_per_s=$(awk -v n="$i" -v w="$ogr_wall" 'BEGIN { printf "%.1f", n / w }') p50_ms=$(pct "$out/ogr-ms.txt" 50) p99_ms=$(pct "$out/ogr-ms.txt" 99) features=$ogr_rows cpu_us_per_query=$ogr_cpu"
echo "$ogr_result"

# 4. Serve the store; wait for /healthz.
echo "== ours: minqing serve on loopback"
serve_start "$store"
head -1 "$out/serve.out"
serve_cpu=$(awk -v t="$(serve_cpu_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')
echo "start-up: $serve_cpu s of CPU"

# 5. Feature counts agree: ours (numberMatched, anonymous) against the peers for the first boxes.
echo "== counts for the first $check_n boxes: ours numberMatched vs sqlite R-tree candidates, exact (GEOS on the candidates), ogr2ogr"
timeout 60 "$peer" "$store" count "$out/boxes.txt" "$check_n" --class "$cls" >"$out/counts.txt"
printf '%4s %8s %12s %8s %8s\n' box ours rtree exact ogr2ogr
count_bad=0
for ((j = 0; j < check_n; j++)); do
  path=$(sed -n "$((j + 1))p" "$out/bbox-paths.txt")
  ours=$(curl -s -m 10 "$base$path" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])') || ours="error"
  line=$(grep "^COUNT i=$j " "$out/counts.txt")
  cand=$(field candidates "$line")
  exact=$(field exact "$line")
  ogr=$(ogr_count "$j")
  mark=""
  if [ "$ours" != "$exact" ] || [ "$ours" != "$ogr" ]; then mark="  MISMATCH"; count_bad=$((count_bad + 1)); fi
  printf '%4d %8s %12s %8s %8s%s\n' "$j" "$ours" "$cand" "$exact" "$ogr" "$mark"
done
if [ "$count_bad" -gt 0 ]; then
  echo "FAIL: $count_bad box(es) where our numberMatched differs from the exact peer count"
  failed=1
fi

# 6. wrk runs. The server's CPU time (utime + stime from /proc) gives CPU per request, the number
#    that does not depend on what else the machine is doing.
hz=$(getconf CLK_TCK)
run_wrk() {  # run_wrk NAME PATHS [TOKEN_FILE] → RESULT line in $out/NAME.result
  local name=$1 paths=$2 token=${3:-}
  local first code
  first=$(head -1 "$paths")
  if [ -n "$token" ]; then
    code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$token")" "$base$first") || code=000
  else
    code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$base$first") || code=000
  fi
  [ "$code" = 200 ] || { echo "FAIL: $name: $first answered $code"; return 1; }
  local load_before ticks0 ticks1 wall0 wall1
  load_before=$(load)
  ticks0=$(serve_cpu_ticks)
  wall0=$(date +%s%N)
  timeout 60 wrk -t"$wrk_threads" -c"$wrk_conns" -d"$wrk_duration" --timeout 5s \
    -s bench/wrk_query.lua "$base" -- "$paths" $token | tee "$out/$name.wrk"
  ticks1=$(serve_cpu_ticks)
  wall1=$(date +%s%N)
  local w
  w=$(grep '^WRK ' "$out/$name.wrk")
  local cpu_s us
  cpu_s=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
  us=$(awk -v c="$cpu_s" -v n="$(field requests "$w")" 'BEGIN { if (n > 0) printf "%.0f", c * 1e6 / n; else print "n/a" }')
  echo "RESULT run=$name ${w#WRK } server_cpu_s=$cpu_s server_cores=$(awk -v c="$cpu_s" -v w=$((wall1 - wall0)) 'BEGIN { printf "%.2f", c / (w / 1e9) }') cpu_us_per_request=$us load_before=${load_before%% *}" \
    | tee "$out/$name.result"
  if [ "$(field non2xx "$w")" != 0 ] || [ "$(field socket_errors "$w")" != 0 ]; then
    echo "FAIL: $name: $(field non2xx "$w") non-2xx answers, $(field socket_errors "$w") socket errors"
    failed=1
  fi
}

echo "== wrk: bbox queries, anonymous (public scope: terrain)"
run_wrk bbox-anon "$out/bbox-paths.txt" || failed=1

echo "== wrk: bbox queries signed in as a county_admin (Bearer token)"
# A throwaway county_admin in the store's auth database, with a random password that is never shown.
password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
if timeout 30 "$build/minqing" user list --store "$store" | grep -q "^$bench_user "; then
  printf '%s\n' "$password" | timeout 60 "$build/minqing" user passwd "$bench_user" --store "$store" --password-stdin >/dev/null
  timeout 30 "$build/minqing" user enable "$bench_user" --store "$store" >/dev/null
else
  printf '%s\n' "$password" | timeout 60 "$build/minqing" user add "$bench_user" --role county_admin \
    --store "$store" --password-stdin >/dev/null
fi
user_added=1
serve_login "$bench_user" "$password" "$out/token"
unset password
run_wrk bbox-admin "$out/bbox-paths.txt" "$out/token" || failed=1

echo "== wrk: identify at random buildings, zoom 17 (anonymous: terrain; county_admin: all six maps)"
probe=$(head -1 "$out/identify-paths.txt")
code=$(curl -s -m 10 -o "$out/identify-probe.json" -w '%{http_code}' "$base$probe") || code=000
identify=""
identify_admin=""
case "$code" in
  200) run_wrk identify-anon "$out/identify-paths.txt" || failed=1
       identify=$(cat "$out/identify-anon.result" 2>/dev/null || true)
       run_wrk identify-admin "$out/identify-paths.txt" "$out/token" || failed=1
       identify_admin=$(cat "$out/identify-admin.result" 2>/dev/null || true) ;;
  404) echo "identify: endpoint not available ($probe answered 404: $(head -c 200 "$out/identify-probe.json"))" ;;
  *) echo "FAIL: identify: $probe answered $code: $(head -c 300 "$out/identify-probe.json")"; failed=1 ;;
esac
# Durable audit: every key_persons request waits for the fdatasync covering its entry (group
# commit), so how many requests one sync covers is bounded by the server's threads: measured with
# the default (one per core) and with $audit_threads.
audit_threads=${AUDIT_THREADS:-64}
audit_file="$store.audit.jsonl"  # beside the auth database, <store>.auth.sqlite
audit_lines() {
  local n=0 f
  for f in "${audit_file%.jsonl}".*.jsonl "$audit_file"; do
    if [ -f "$f" ]; then n=$((n + $(wc -l <"$f"))); fi
  done
  echo "$n"
}
audit0=$(audit_lines)
durable_runs() {  # durable_runs SUFFIX: warm the tiles, then key_persons tiles and queries under wrk
  while read -r p; do
    curl -s -m 30 -o /dev/null -H "Authorization: Bearer $(cat "$out/token")" "$base$p" || true
  done <"$out/key-tile-paths.txt"
  run_wrk "key-tiles-$1" "$out/key-tile-paths.txt" "$out/token" || failed=1
  run_wrk "key-query-$1" "$out/key-query-paths.txt" "$out/token" || failed=1
}
echo "== wrk: durable audit, default threads — key_persons tiles (warm cache) and bbox queries as county_admin, each request's entry fdatasync'ed before its answer"
durable_runs default
echo "== wrk: durable audit, --threads $audit_threads"
serve_stop
serve_start "$store" --threads "$audit_threads"
durable_runs threads
audit1=$(audit_lines)
audited=$((audit1 - audit0))
key_requests=0
for r in key-tiles-default key-query-default key-tiles-threads key-query-threads; do
  key_requests=$((key_requests + $(field requests "$(cat "$out/$r.result" 2>/dev/null)" || echo 0)))
done
echo "audit: $audited entries appended to $audit_file for $key_requests key_persons requests under wrk (plus the warm-up)"
[ "$audited" -ge "$key_requests" ] || { echo "FAIL: fewer audit entries than key_persons requests"; failed=1; }
verify=$(timeout 120 "$build/minqing" audit verify --audit "$audit_file" 2>&1 | tail -1) || { echo "FAIL: audit verify: $verify"; failed=1; }
echo "audit verify: $verify"
curl -s -m 10 -o /dev/null -X POST -H "Authorization: Bearer $(cat "$out/token")" "$base/api/logout" || true
cleanup
load_end=$(load)

# 7. Summary.
anon=$(cat "$out/bbox-anon.result" 2>/dev/null || true)
admin=$(cat "$out/bbox-admin.result" 2>/dev/null || true)
line() {  # line LABEL RESULT
  printf '  %-30s %9s req/s   p50 %8s ms   p90 %8s ms   p99 %8s ms   non-2xx %s   %s µs server CPU/request\n' \
    "$1" "$(field requests_per_s "$2")" "$(field p50_ms "$2")" "$(field p90_ms "$2")" "$(field p99_ms "$2")" \
    "$(field non2xx "$2")" "$(field cpu_us_per_request "$2")"
}
peer_line() {  # peer_line LABEL RESULT
  printf '  %-30s %9s q/s     p50 %8s ms                   p99 %8s ms   %s µs CPU/query\n' "$1" \
    "$(field queries_per_s "$2")" "$(field p50_ms "$2")" "$(field p99_ms "$2")" "$(field cpu_us_per_query "$2")"
}
cat <<SUMMARY

================ query benchmark summary ================
store            $store ($cls: $(sqlite3 -readonly "$store" "SELECT count(*) FROM \"$cls\"") features)
server start     $(grep -oE 'loaded in [0-9]+ ms' "$out/serve.out") wall, $serve_cpu s CPU (load, project, index)
requests         $nboxes z16-sized bboxes (611 m in EPSG:3857) near random $cls, CRS84, seed $seed ($out/boxes.txt)
machine          $(nproc) cores; load average at start $load_start, at end $load_end (other builds running
                 make every number here lower than on a quiet machine)
ours, HTTP       wrk -t$wrk_threads -c$wrk_conns -d$wrk_duration on loopback (wrk shares the two cores), GeoJSON in CRS84,
                 exact intersection test (a CRS84 box is a rectangle in 3857), fields masked for the caller, limit=1000
$(line "bbox, anonymous" "$anon")
$(line "bbox, county_admin (Bearer)" "$admin")
$(if [ -n "$identify" ]; then line "identify z17, anonymous" "$identify"; line "identify z17, county_admin" "$identify_admin"; else echo "  identify: endpoint not available"; fi)
durable audit    each key_persons read appended to the audit log and fdatasync'ed before its answer (group commit):
$(line "key_persons tiles z17, cached" "$(cat "$out/key-tiles-default.result" 2>/dev/null)")
$(line "key_persons bbox" "$(cat "$out/key-query-default.result" 2>/dev/null)")
$(line "key_persons tiles, $audit_threads thr" "$(cat "$out/key-tiles-threads.result" 2>/dev/null)")
$(line "key_persons bbox, $audit_threads thr" "$(cat "$out/key-query-threads.result" 2>/dev/null)")
                 $audited entries for $key_requests requests; audit verify: $verify
peers, same boxes, same GeoPackage
$(peer_line "sqlite3 R-tree SQL, 1 thread" "$sqlite_1")
$(peer_line "sqlite3 R-tree SQL, 2 threads" "$sqlite_2")
$(peer_line "ogr2ogr -spat → GeoJSON, 1 proc" "$ogr_result")
                 sqlite: $(field rows_per_query "$sqlite_1") R-tree rows/query; ogr2ogr: first $(field queries "$ogr_result") boxes, a process per query
note             the sqlite peer returns R-tree candidates (envelopes overlap) without an exact geometry
                 test, without reprojection and without writing GeoJSON, in-process with no HTTP; ours does
                 all of these, so the comparison favours the peer. ogr2ogr does the exact test and GeoJSON.
counts           first $check_n boxes: $([ "$count_bad" -eq 0 ] && echo "our numberMatched = exact peer count = ogr2ogr count for each" || echo "$count_bad MISMATCH(ES), see above")
=========================================================
SUMMARY
exit "$failed"
