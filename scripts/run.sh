#!/usr/bin/env bash
# The main job: install what is missing, build (the server, and the web map when web/dist is missing
# or stale), generate the sample villages if absent, and serve
# them at http://127.0.0.1:8080 (override with MINQING_LISTEN=HOST:PORT). Extra arguments go to
# `minqing serve`. Serving the committed sample (the default MINQING_STORE), it passes --demo, which
# creates the demo accounts (issue 4) and lists them at start-up; any other store gets no accounts
# until `minqing user add` creates them.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target minqing
bash scripts/build-web.sh

sample=data-samples/songyang-sample.gpkg
store="${MINQING_STORE:-$sample}"
demo=()
if [ "$store" = "$sample" ]; then
  if [ ! -f "$store" ]; then
    build/minqing generate --villages 3 --seed 20091 --out "$store"
  fi
  demo=(--demo)
fi
exec build/minqing serve --listen "${MINQING_LISTEN:-127.0.0.1:8080}" --store "$store" ${demo[@]+"${demo[@]}"} "$@"
