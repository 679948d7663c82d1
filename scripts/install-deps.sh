#!/usr/bin/env bash
# Installs every Debian 12 package Minqing Map needs to build, run and test.
# Idempotent: packages already present are skipped, and apt is not touched when nothing is missing.
#   install-deps.sh          what building, serving and testing need
#   install-deps.sh --bench  also the peers and load tools the benchmarks compare against
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgdal-dev gdal-bin libproj-dev proj-bin libgeos-dev
  libboost-dev libboost-program-options-dev
  libcairo2-dev libpango1.0-dev libpng-dev libdeflate-dev
  nlohmann-json3-dev catch2 libsqlite3-dev sqlite3 libsodium-dev
  fonts-noto-cjk
  poppler-utils
  chromium
)
# The web map (web/) is built with Node.js and npm. Debian's nodejs and npm serve; a Node.js that
# is already installed (with its own npm) is kept, since Debian's npm would conflict with it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-mapnik wrk nginx-light)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
