#!/usr/bin/env bash
# Builds the web map (web/ → web/dist/) when it is missing or older than its sources: `npm ci`
# when web/node_modules is missing or older than the lockfile, then `npm run build`, which prints
# the page weight. --force builds even when dist/ is up to date.
set -euo pipefail
cd "$(dirname "$0")/../web"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build-web: npm ci"
  npm ci --no-audit --no-fund
fi

stale=1
if [ "${1:-}" != "--force" ] && [ -f dist/index.html ]; then
  newer=$(find src index.html build.mjs package-lock.json -newer dist/index.html -print -quit)
  [ -z "$newer" ] && stale=0
fi
if [ "$stale" = 1 ]; then
  npm run --silent build
else
  echo "build-web: web/dist is up to date"
fi
