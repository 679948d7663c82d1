#!/usr/bin/env bash
# ctest bench.tile_client: bench/tile_client (C++) against a real `minqing serve` of the sample,
# 20 tiles over 2 connections with the demo admin's token. Checks what the cold race relies on,
# never a timing: every tile answered 200 and counted in the report (RESULT zoom=all tiles=20, the
# per-zoom lines adding up), each saved PNG decodes, the Python client saves the same bytes (the
# two clients must agree for bench/run-tile-bench.sh to compare runs), and answers other than 200
# are listed and counted, with exit status 1.
#
#   bench/tile_client_test.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "$1" && pwd)
client=$build/bench/tile_client
out=$build/tests/tile_client
rm -rf "$out" && mkdir -p "$out"
store=data-samples/songyang-sample.gpkg
SERVE_START_TIMEOUT=${SERVE_START_TIMEOUT:-120}
source bench/lib/serve.sh
trap serve_stop EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 15 z15 and 5 z16 tiles over the sample's villages (bench/tile_list.py on the sample).
cat >"$out/tiles.txt" <<TILES
15 27232 13662
15 27233 13662
15 27234 13662
15 27235 13662
15 27237 13662
15 27238 13662
15 27232 13663
15 27233 13663
15 27234 13663
15 27235 13663
15 27236 13663
15 27237 13663
15 27238 13663
15 27232 13664
15 27233 13664
16 54464 27325
16 54465 27325
16 54466 27325
16 54467 27325
16 54468 27325
TILES

serve_start "$store" --auth "$out/auth.sqlite" --audit "$out/audit.jsonl" --demo --threads 2
serve_login admin minqing-demo "$out/token"

timeout 120 "$client" "$base" "$out/tiles.txt" --maps terrain --connections 2 --token-file "$out/token" \
  --save-dir "$out/cpp" --latency-out "$out/cpp.latency" --case t >"$out/cpp.txt" || { cat "$out/cpp.txt"; fail "exit status $?"; }
cat "$out/cpp.txt"
grep -q '^RESULT case=t zoom=all tiles=20 ' "$out/cpp.txt" || fail "the report does not count 20 tiles"
grep -q '^RESULT case=t zoom=15 tiles=15 ' "$out/cpp.txt" || fail "z15 does not count 15 tiles"
grep -q '^RESULT case=t zoom=16 tiles=5 ' "$out/cpp.txt" || fail "z16 does not count 5 tiles"
grep -q '^client: 20 tiles asked, 20 answered 200, 0 not; ' "$out/cpp.txt" || fail "the client line"
grep -q '^RESULT case=t client_cpu_s=[0-9.]* failures=0$' "$out/cpp.txt" || fail "the client's RESULT line"
[ "$(awk '$4 == 200' "$out/cpp.latency" | wc -l)" -eq 20 ] || fail "the latency file has not 20 answers 200"
[ "$(find "$out/cpp" -name '*.png' | wc -l)" -eq 20 ] || fail "not 20 PNGs saved"

# Every saved PNG decodes: chunks and CRCs, IHDR, the inflated image data of the right size with a
# valid filter byte on every row (Python's zlib: no image library needed).
/usr/bin/python3 - "$out/cpp" <<'PY' || fail "a saved PNG does not decode"
import pathlib, struct, sys, zlib
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.png")):
    data = p.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", p
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0], p
        if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
        if kind == b"IDAT": idat += body
        pos += 12 + n
        if kind == b"IEND": break
    w, h, depth, colour = ihdr[:4]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    stride = 1 + (w * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    assert (w, h) == (256, 256) and len(raw) == h * stride, p
    assert all(raw[r * stride] <= 4 for r in range(h)), p
print("20 PNGs decode")
PY

# The Python client, now on the warm cache: the same bytes for every tile.
timeout 120 /usr/bin/python3 bench/tile_client.py "$base" "$out/tiles.txt" --maps terrain --connections 2 \
  --token-file "$out/token" --save-dir "$out/py" --case t >"$out/py.txt" || fail "tile_client.py failed"
diff -r "$out/cpp" "$out/py" || fail "the C++ and the Python client saved different files"

# Answers other than 200: reported, counted, exit status 1.
rc=0
timeout 60 "$client" "$base" "$out/tiles.txt" --maps no_such_map --connections 1 --case bad >"$out/bad.txt" || rc=$?
cat "$out/bad.txt"
[ "$rc" -eq 1 ] || fail "exit status $rc for answers not 200"
grep -q '^RESULT case=bad client_cpu_s=[0-9.]* failures=20$' "$out/bad.txt" || fail "not 20 failures"
grep -q '^  not 200: /tiles/no_such_map/15/27232/13662.png → 404$' "$out/bad.txt" || fail "the first failure's line"
echo "PASS"
