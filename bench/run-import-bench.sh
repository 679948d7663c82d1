#!/usr/bin/env bash
# Issue 13 benchmark: `minqing import` and `minqing export` on a generated county of N villages
# (default 20), beside ogr2ogr copying the same GeoPackage (the GDAL I/O floor: no conversion,
# validation, village derivation or transaction of ours). Cases:
#   export   the whole store as one GeoPackage              peer: ogr2ogr copy of the store
#   import   that export into an empty store                 peer: ogr2ogr copy of the export
#   derive   villages + roads, land cover, POIs, households without village_code (codes derived
#            by location, lines split at village boundaries)  peer: ogr2ogr copy of the same files
set -euo pipefail
cd "$(dirname "$0")/.."
villages="${1:-20}"
cmake --preset default >/dev/null
cmake --build --preset default --target minqing
out=bench/out/import
rm -rf "$out"
mkdir -p "$out"
bin=build/minqing
t() { /usr/bin/time -f "%e s wall, %M KiB max RSS" "$@" 2>&1 >/dev/null | tail -1; }

"$bin" generate --villages "$villages" --seed 1 --out "$out/county.gpkg" >/dev/null
echo "county: $villages villages, $(ogrinfo -ro -so -al "$out/county.gpkg" | awk '/Feature Count/ {n += $3} END {print n}') features"

echo "export   minqing: $(t "$bin" export --store "$out/county.gpkg" --maps terrain,industry,organization,key_persons,assistance,disaster --format GPKG --out "$out/all.gpkg")"
echo "export   ogr2ogr: $(t ogr2ogr -f GPKG "$out/peer-all.gpkg" "$out/county.gpkg")"
echo "import   minqing: $(t "$bin" import "$out/all.gpkg" --into "$out/again.gpkg")"
echo "import   ogr2ogr: $(t ogr2ogr -f GPKG "$out/peer-again.gpkg" "$out/all.gpkg")"

# A surveyor's files: the classes DOMAIN.md lists without village_code, and households, without it.
ogr2ogr -f GPKG "$out/villages.gpkg" "$out/all.gpkg" villages
ogr2ogr -f GPKG "$out/keyless.gpkg" "$out/all.gpkg" -select name,class,width_m roads -nln roads
ogr2ogr -f GPKG -update "$out/keyless.gpkg" "$out/all.gpkg" -select name,class landcover -nln landcover
ogr2ogr -f GPKG -update "$out/keyless.gpkg" "$out/all.gpkg" -select name,class,kind pois -nln pois
ogr2ogr -f GPKG -update "$out/keyless.gpkg" "$out/all.gpkg" -select household_id,head_name,members households -nln households
echo "derive   minqing: $(t "$bin" import "$out/villages.gpkg" "$out/keyless.gpkg" --into "$out/derived.gpkg" --outside keep --outside-code 331124000000)"
echo "derive   ogr2ogr: $(t ogr2ogr -f GPKG "$out/peer-derived.gpkg" "$out/keyless.gpkg")"
"$bin" import "$out/villages.gpkg" "$out/keyless.gpkg" --into "$out/derived-report.gpkg" --outside keep --outside-code 331124000000 | grep -v '^note:'
