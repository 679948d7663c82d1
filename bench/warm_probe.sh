#!/usr/bin/env bash
# The warm floor, measured per binary: server CPU per cached tile under wrk, user and kernel apart,
# alternating binaries so that the other engineers' load falls on each alike (issue 12, session 9).
#
#   bench/warm_probe.sh BIN_A [BIN_B …]            e.g. bench/out/bin/minqing-main build/minqing
#   ROUNDS=2 WRK_THREADS=1 WRK_CONNECTIONS=32 WRK_DURATION=10s MAPS=terrain SERVE_ARGS="--threads 4"
#   MIXED=1   also a cold client during the wrk run: one tile per 4×4 metatile of other maps, asked
#             one after another (each a cold metatile draw, tens of ms), so that the warm requests'
#             p99 shows whether a draw stalls the connections that share its thread
#
# Per binary and round: a fresh server (`serve --demo`) on bench/out/tile/county20.gpkg (copy it
# and county20.dem/ from another worktree's bench/out/tile/), the admin signed in, every tile of
# the list asked once (the cache filled), then wrk over those paths. Prints one line per run:
#   PROBE bin=… round=… req_s=… p50_ms=… p99_ms=… user_us=… sys_us=… cpu_us=… switches=… load=… [cold=…]
# (CPU a request from /proc/PID/stat: utime and stime apart, divided by wrk's request count; the
# server threads' context switches a request from /proc/PID/task/*/status).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,16p' "$0"; exit 2; }
out=bench/out/probe
mkdir -p "$out"
store=bench/out/tile/county20.gpkg
[ -f "$store" ] || { echo "no $store: copy county20.gpkg and county20.dem/ from another worktree"; exit 1; }
rounds=${ROUNDS:-2}
maps=${MAPS:-terrain}
python=/usr/bin/python3
[ -f "$out/tiles.txt" ] || timeout 120 "$python" bench/tile_list.py "$store" "$out/tiles.txt" --max-tiles 1200 >/dev/null
awk -v m="$maps" '{ printf "/tiles/%s/%d/%d/%d.png\n", m, $1, $2, $3 }' "$out/tiles.txt" >"$out/paths.txt"
# The cold client's tiles: the first tile of each metatile, for maps other than $maps.
awk '$2 % 4 == 0 && $3 % 4 == 0' "$out/tiles.txt" >"$out/cold-tiles.txt"

build=""
source bench/lib/serve.sh
cold_pid=""
cleanup() {
  if [ -n "$cold_pid" ]; then kill "$cold_pid" 2>/dev/null || true; fi
  serve_stop
  rm -f "$out/token"
}
trap cleanup EXIT INT TERM
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14, $15}' "/proc/$server_pid/stat"; }
# Context switches of all the server's threads so far (voluntary + not).
switches() { cat /proc/"$server_pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }

for ((r = 1; r <= rounds; r++)); do
  for bin in "$@"; do
    build=$(dirname "$bin")
    [ "$(basename "$bin")" = minqing ] || { mkdir -p "$out/bin-$r"; cp "$bin" "$out/bin-$r/minqing"; build="$out/bin-$r"; }
    rm -f "$out"/audit*.jsonl "$out/auth.sqlite"
    serve_start "$store" --auth "$out/auth.sqlite" --audit "$out/audit.jsonl" --demo --cache-mb 2048 ${SERVE_ARGS:-}
    serve_login admin minqing-demo "$out/token"
    timeout 600 "$python" bench/tile_client.py "$base" "$out/tiles.txt" --maps "$maps" --connections 2 \
      --token-file "$out/token" --case fill >"$out/fill.txt" || { echo "fill failed"; cat "$out/fill.txt"; exit 1; }
    cold=""
    if [ "${MIXED:-0}" = 1 ]; then
      # Cold metatiles for the whole wrk run, one request at a time, over 2 map sets in turn.
      (for m in industry disaster organization assistance; do
        timeout 600 "$python" bench/tile_client.py "$base" "$out/cold-tiles.txt" --maps "$m" --connections 1 \
          --token-file "$out/token" --case "cold-$m" >"$out/cold-$m.txt" 2>&1 || true
      done) &
      cold_pid=$!
      sleep 0.5
    fi
    read -r u0 s0 < <(ticks)
    cs0=$(switches)
    load0=$(cut -d' ' -f1 /proc/loadavg)
    timeout 120 wrk -t"${WRK_THREADS:-1}" -c"${WRK_CONNECTIONS:-32}" -d"${WRK_DURATION:-10s}" --timeout 5s \
      -s bench/wrk_query.lua "$base" -- "$out/paths.txt" "$out/token" >"$out/wrk.txt"
    read -r u1 s1 < <(ticks)
    cs1=$(switches)
    if [ -n "$cold_pid" ]; then
      kill "$cold_pid" 2>/dev/null || true
      wait "$cold_pid" 2>/dev/null || true
      cold_pid=""
      cold=" cold_asked=$(grep -c ' GET "/tiles/\(industry\|disaster\|organization\|assistance\)/' "$out/serve-access.log" || true)"
    fi
    w=$(grep '^WRK ' "$out/wrk.txt")
    f() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<" $w"; }
    n=$(f requests)
    awk -v bin="$bin" -v r="$r" -v n="$n" -v rps="$(f requests_per_s)" -v p50="$(f p50_ms)" -v p99="$(f p99_ms)" \
      -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v hz="$hz" -v load="$load0" -v non2xx="$(f non2xx)" -v cold="$cold" -v cs="$((cs1 - cs0))" \
      'BEGIN { printf "PROBE bin=%s round=%d req_s=%s p50_ms=%s p99_ms=%s user_us=%.1f sys_us=%.1f cpu_us=%.1f switches=%.2f non2xx=%s load=%s%s\n",
               bin, r, rps, p50, p99, u * 1e6 / hz / n, s * 1e6 / hz / n, (u + s) * 1e6 / hz / n, cs / n, non2xx, load, cold }'
    curl -s -m 10 -o /dev/null -X POST -H "Authorization: Bearer $(cat "$out/token")" "$base/api/logout" || true
    serve_stop
  done
done
