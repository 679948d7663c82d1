#!/usr/bin/env bash
# Edit benchmark (issue 15): durable single-feature edits per second over HTTP — PATCH of one
# household through `minqing serve` (validation, one WAL transaction with its history row,
# fsync'ed, then the index updated), under wrk — beside the same edit as raw SQLite with the same
# synchronous setting (bench/edit_sqlite_peer.py). Target: ≥ 500 durable edits/s.
#
#   bench/run-edit-bench.sh [STORE.gpkg]   (default: the committed sample; always edits a copy)
#   WRK_DURATION=10s WRK_THREADS=2 WRK_CONNECTIONS=4 BUILD_DIR=build   may be overridden
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake --build "$build" --target minqing >/dev/null
source_store=${1:-data-samples/songyang-sample.gpkg}
out=bench/out/edit
rm -rf "$out" && mkdir -p "$out"
duration=${WRK_DURATION:-10s}
seconds=${duration%s}
source bench/lib/serve.sh
trap serve_stop EXIT INT TERM
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== machine: $(nproc) cores, load average $(load); store $source_store; disk $(df -h --output=source,fstype "$out" | tail -1)"

# 1. Peer: raw SQLite, one transaction per edit, WAL + synchronous=FULL, on its own copy.
cp "$source_store" "$out/peer.gpkg"
timeout 120 python3 bench/edit_sqlite_peer.py "$out/peer.gpkg" "$seconds" | tee "$out/peer.txt"

# 2. Ours: minqing serve on a copy, the admin's token, wrk PATCHing random households.
cp "$source_store" "$out/store.gpkg"
serve_start "$out/store.gpkg" --auth "$out/auth.sqlite" --audit "$out/audit.jsonl" --demo --cache-mb 0
serve_login admin minqing-demo "$out/token"
token=$(cat "$out/token")
curl -sf -H "Authorization: Bearer $token" "$base/collections/households/items?limit=10000" |
  python3 -c 'import json,sys; [print(f["id"]) for f in json.load(sys.stdin)["features"]]' >"$out/fids.txt"
echo "== ours: PATCH /collections/households/items/{random of $(wc -l <"$out/fids.txt")} over HTTP, If-Match: *"
TOKEN="$token" FIDS="$out/fids.txt" timeout 120 wrk -t "${WRK_THREADS:-2}" -c "${WRK_CONNECTIONS:-4}" -d "$duration" \
  -s bench/wrk_edits.lua "$base" | tee "$out/wrk.txt"
requests=$(grep -oE '^ +[0-9]+ requests' "$out/wrk.txt" | grep -oE '[0-9]+')
failed=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$out/wrk.txt" | grep -oE '[0-9]+$' || echo 0)
ok=$((requests - failed))
rate=$(awk -v n="$ok" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
changes=$(curl -sf -H "Authorization: Bearer $token" "$base/api/changes?limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["latest_seq"])')
echo "RESULT ours=minqing-serve edits=$ok refused=$failed edits_per_s=$rate history_rows=$changes"
echo "RESULT peer=$(sed -n 's/^RESULT peer=//p' "$out/peer.txt")"
echo "== load average at the end $(load)"
[ "$rate" -ge 500 ] && echo "target met: ≥ 500 durable edits/s" || echo "target NOT met: < 500 durable edits/s"
