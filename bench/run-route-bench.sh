#!/usr/bin/env bash
# Issue 10 benchmark: routes and evacuation plans on the county network (401 villages), beside
# pgRouting's pgr_dijkstra on the same network (the same edges and walking costs, exported by
# route_bench) in a throw-away PostgreSQL 15 cluster with PostGIS + pgRouting from Debian.
#
#   bench/run-route-bench.sh [N] [PG_N]   N routes of each kind (1000), PG_N of them for pgRouting (1000)
#
# The cluster lives in a temporary directory, listens on 127.0.0.1 on a free port, and is stopped
# and deleted on exit; the whole peer run is bounded by `timeout`. pgRouting's time is measured
# inside the server (clock_timestamp around each pgr_dijkstra call), so no client round trip is
# charged to it.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
pg_n=${2:-1000}
bash scripts/install-deps.sh --bench
pg_packages=(postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting)
missing=()
for p in "${pg_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
cmake --preset default >/dev/null
cmake --build --preset default --target minqing route_bench
mkdir -p bench/out
store=bench/out/county.gpkg
if [ ! -f "$store" ]; then
  /usr/bin/time -f "generate: %e s wall, %M KiB max RSS" build/minqing generate --villages 401 --seed 1 --out "$store"
fi

work=$(mktemp -d /tmp/minqing-route-bench.XXXXXX)
chmod 755 "$work"
pgbin=/usr/lib/postgresql/15/bin
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -f "$work/db/postmaster.pid" ]; then run_pg "$pgbin/pg_ctl" -D "$work/db" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== minqing (route_bench)"
build/bench/route_bench "$store" "$n" --export "$work"

echo "== pgRouting peer: pgr_dijkstra on the same network"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
[ "$(id -u)" -eq 0 ] && chown -R postgres "$work"
run_pg "$pgbin/initdb" -D "$work/db" -U postgres --auth=trust >/dev/null
run_pg "$pgbin/pg_ctl" -D "$work/db" -l "$work/pg.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c fsync=off -c shared_buffers=256MB" start >/dev/null
psql_run() { run_pg timeout 1800 psql -X -q -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
psql_run -d postgres <<SQL
CREATE EXTENSION postgis;
CREATE EXTENSION pgrouting;
CREATE TABLE edges (id bigint PRIMARY KEY, source bigint, target bigint, cost float8, reverse_cost float8);
\copy edges FROM '$work/edges.csv' CSV
CREATE TABLE pairs (i serial, source bigint, target bigint);
\copy pairs (source, target) FROM '$work/pairs.csv' CSV
CREATE TABLE shelter_queries (i serial, source bigint);
\copy shelter_queries (source) FROM '$work/shelter_queries.csv' CSV
CREATE TABLE shelter_nodes (node bigint);
\copy shelter_nodes FROM '$work/shelter_nodes.csv' CSV
ANALYZE;
CREATE TABLE timings (kind text, ms float8, found boolean);
DO \$\$
DECLARE
  r record; t0 timestamptz; c float8; shelters bigint[];
BEGIN
  SELECT array_agg(DISTINCT node) INTO shelters FROM shelter_nodes;
  FOR r IN SELECT * FROM pairs ORDER BY i LIMIT $pg_n LOOP
    t0 := clock_timestamp();
    SELECT max(agg_cost) INTO c FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM edges',
                                                  r.source, r.target, directed => true);
    INSERT INTO timings VALUES ('route', extract(epoch FROM clock_timestamp() - t0) * 1000, c IS NOT NULL);
  END LOOP;
  FOR r IN SELECT * FROM shelter_queries ORDER BY i LIMIT $pg_n LOOP
    t0 := clock_timestamp();
    SELECT min(agg_cost) INTO c FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM edges',
                                                  r.source, shelters, directed => true) WHERE edge = -1;
    INSERT INTO timings VALUES ('nearest shelter', extract(epoch FROM clock_timestamp() - t0) * 1000, c IS NOT NULL);
  END LOOP;
END
\$\$;
\pset footer off
SELECT kind AS "pgr_dijkstra", count(*) AS queries, count(*) FILTER (WHERE found) AS found,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS median_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS p99_ms
FROM timings GROUP BY kind ORDER BY kind DESC;
SQL
echo "(pgRouting: $(psql_run -d postgres -At -c 'SELECT pgr_version()') on PostgreSQL 15; nearest shelter = one pgr_dijkstra from the house to every shelter node, least cost taken)"
