#!/usr/bin/env bash
# Issue 2 benchmark: generates the county-scale store (401 villages) if absent, then loads it and
# answers 10,000 random bbox queries, beside the same queries through OGR on the GeoPackage.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --bench
cmake --preset default >/dev/null
cmake --build --preset default --target minqing index_bench
mkdir -p bench/out
store=bench/out/county.gpkg
if [ ! -f "$store" ]; then
  /usr/bin/time -f "generate: %e s wall, %M KiB max RSS" build/minqing generate --villages 401 --seed 1 --out "$store"
fi
build/bench/index_bench "$store" 10000
