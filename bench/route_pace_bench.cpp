// How long each route's handler holds the thread that calls it (issue 12, io threads): the
// measurement behind every Pace::quick registration (server/router.hpp). Loads an App over a store
// (the county store of bench/run-query-bench.sh for worst cases), signs in a county administrator
// (all six maps, the widest scope) in a scratch auth database, then asks each request N times
// through RequestHandler::handle on this one thread — no sockets, so what is timed is the
// caller's resolution, the handler and the answer's finishing, exactly what an io thread would do.
// Audit entries are appended at once (not durable): a confidential read's fdatasync never holds an
// io thread in the server (server/deferred_audit.hpp).
//
//   route_pace_bench STORE.gpkg [N]
//
// Spatial requests cycle through points on every 100th building of the first 10,000. Prints, per
// request, the slowest first asking (cold caches), then p50 / p99 / max over N askings in ms, the
// largest answer and the highest status. A route is quick when its worst request stays well under
// a millisecond.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/password_hash.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "server/app.hpp"
#include "server/auth_endpoint.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

struct Case {
  std::string label;
  std::vector<std::string> targets;  // asked in turn
  bool admin = true;
};

server::Request get(const std::string& target, const std::string& token) {
  server::Request req{server::http::verb::get, target, 11};
  req.set(server::http::field::host, "127.0.0.1:8080");
  if (!token.empty()) req.set(server::http::field::authorization, "Bearer " + token);
  return req;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: route_pace_bench STORE.gpkg [N]\n");
    return 2;
  }
  const int n = argc > 2 ? std::atoi(argv[2]) : 200;
  char dir_template[] = "/tmp/route-pace-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) return 1;
  server::AppOptions o{argv[1], model::LayerCatalog::default_directory()};
  o.auth_db = std::filesystem::path(dir) / "auth.sqlite";
  o.audit_log = std::filesystem::path(dir) / "audit.jsonl";
  o.auth.cost = access::PasswordCost::minimum();
  o.durable_audit = false;
  const auto t0 = Clock::now();
  server::App app(o);
  std::printf("store %s: %zu features, loaded in %.0f ms\n", argv[1], app.feature_count(),
              std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  const auto now = std::chrono::system_clock::now();
  const access::User admin = app.auth_db().create_user("pace-admin", "pace-bench-password-1", "county_admin", {}, now);
  const std::string token = app.auth_db().create_session(admin, now);

  // Points on the data: the first coordinate of every 1,000th building, from the items endpoint
  // itself; the spatial requests below cycle through them (dense village centres and sparse edges).
  const server::Response some = app.handle(get("/collections/buildings/items?limit=10000", token));
  const auto doc = nlohmann::json::parse(some.body());
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i < doc.at("features").size(); i += 100) {
    auto c = doc.at("features").at(i).at("geometry").at("coordinates");
    while (c.is_array() && c.at(0).is_array()) c = c.at(0);
    points.emplace_back(c.at(0).get<double>(), c.at(1).get<double>());
  }
  if (points.empty()) return 1;
  const std::string fid = doc.at("features").at(0).at("id").dump();
  // A box around each point of `zoom`'s tile size (a z16 box is what the query benchmark asks).
  const auto box = [&](int zoom) {
    std::vector<std::string> out;
    for (const auto& [lon, lat] : points) {
      const double half = 360.0 / (1 << zoom) / 2;  // degrees of longitude; latitude scaled alike
      const double half_lat = half * std::cos(lat * 3.141592653589793 / 180);
      out.push_back(fmt(lon - half) + "," + fmt(lat - half_lat) + "," + fmt(lon + half) + "," + fmt(lat + half_lat));
    }
    return out;
  };
  std::vector<std::string> at;
  for (const auto& [lon, lat] : points) at.push_back("lon=" + fmt(lon) + "&lat=" + fmt(lat));
  const auto [lon0, lat0] = points.front();
  const geo::TileId tile = geo::tile_at(geo::lonlat_to_mercator({lon0, lat0}), 17);
  const std::string tile_path = "/tiles/terrain/17/" + std::to_string(tile.x) + "/" + std::to_string(tile.y) + ".png";
  // `prefix` + each of `tails`: one request per point.
  const auto each = [](const std::string& prefix, const std::vector<std::string>& tails) {
    std::vector<std::string> out;
    for (const auto& t : tails) out.push_back(prefix + t);
    return out;
  };

  std::vector<Case> cases = {
      {"healthz", {"/healthz"}},
      {"me", {"/api/me"}},
      {"layers", {"/api/layers"}},
      {"legend terrain", {"/api/legend/terrain"}},
      {"legend key_persons", {"/api/legend/key_persons"}},
      {"tilejson terrain", {"/tiles/terrain.json"}},
      {"tilejson all six", {"/tiles/terrain,disaster,industry,assistance,organization,key_persons.json"}},
      {"tilejson anonymous", {"/tiles/terrain.json"}, false},
      {"wmts capabilities", {"/wmts/1.0.0/WMTSCapabilities.xml"}},
      {"wmts kvp", {"/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"}},
      {"tile z17 cached", {tile_path}},
      {"landing json", {"/"}},
      {"openapi", {"/api"}},
      {"conformance", {"/conformance"}},
      {"collections", {"/collections"}},
      {"collection buildings", {"/collections/buildings"}},
      {"queryables buildings", {"/collections/buildings/queryables"}},
      {"item buildings", {"/collections/buildings/items/" + fid}},
      {"items bbox z16 limit 1000", each("/collections/buildings/items?limit=1000&bbox=", box(16))},
      {"items bbox z15 limit 1000", each("/collections/buildings/items?limit=1000&bbox=", box(15))},
      {"items bbox z14 limit 1000", each("/collections/buildings/items?limit=1000&bbox=", box(14))},
      {"items bbox z13 limit 1000", each("/collections/buildings/items?limit=1000&bbox=", box(13))},
      {"items bbox z12 limit 1000", each("/collections/buildings/items?limit=1000&bbox=", box(12))},
      {"items bbox z11 limit 1000", each("/collections/buildings/items?limit=1000&bbox=", box(11))},
      {"items bbox z14 limit 10000", each("/collections/buildings/items?limit=10000&bbox=", box(14))},
      {"items bbox z16 key_persons", each("/collections/key_persons/items?limit=1000&bbox=", box(16))},
      {"items no bbox limit 100", {"/collections/buildings/items"}},
      {"items no bbox limit 1000", {"/collections/buildings/items?limit=1000"}},
      {"items no bbox limit 10000", {"/collections/buildings/items?limit=10000"}},
      {"items no bbox offset 70000", {"/collections/buildings/items?limit=1000&offset=70000"}},
      {"items filter no bbox", {"/collections/households/items?limit=1000&filter=members%3E3%20AND%20members%3C6"}},
      {"items bbox z16 + filter", each("/collections/households/items?limit=1000&filter=members%3E3&bbox=", box(16))},
      {"identify z17", each("/api/identify?zoom=17&", at)},
      {"identify z17 limit 100", each("/api/identify?zoom=17&limit=100&", at)},
      {"identify z10 limit 100", each("/api/identify?zoom=10&limit=100&", at)},
      {"nearby 500 m", each("/api/nearby?radius_m=500&class=households&", at)},
      {"nearby 5 km limit 1000", each("/api/nearby?radius_m=5000&limit=1000&class=households&", at)},
      {"nearby 5 km key_persons 1000", each("/api/nearby?radius_m=5000&limit=1000&class=key_persons&", at)},
  };
  // The tile drawn once, so that what is timed is the hit.
  app.handle(get(tile_path, token));

  std::printf("%-32s %9s %9s %9s %9s %10s  %s\n", "request", "first ms", "p50 ms", "p99 ms", "max ms", "max bytes",
              "status");
  for (const Case& c : cases) {
    std::vector<server::Request> reqs;
    for (const auto& t : c.targets) reqs.push_back(get(t, c.admin ? token : ""));
    std::vector<double> ms;
    std::size_t bytes = 0;
    unsigned status = 0;
    // The first time each request is asked (nothing of it in the CPU's caches), then n more.
    double first = 0;
    for (const auto& req : reqs) {
      const auto s = Clock::now();
      app.handle(req);
      first = std::max(first, std::chrono::duration<double, std::milli>(Clock::now() - s).count());
    }
    for (int i = 0; i < n; ++i) {
      const server::Request& req = reqs[static_cast<std::size_t>(i) % reqs.size()];
      const auto s = Clock::now();
      const server::Response res = app.handle(req);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      bytes = std::max(bytes, res.body().byte_size());
      status = std::max(status, res.result_int());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-32s %9.3f %9.3f %9.3f %9.3f %10zu  %u\n", c.label.c_str(), first, ms[ms.size() / 2],
                ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back(), bytes, status);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
