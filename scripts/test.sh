#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as errors, run every test.
# Ends with ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci
bash scripts/build-web.sh   # the browser test (web.e2e) serves web/dist
ctest --preset ci -j "$(nproc)"
