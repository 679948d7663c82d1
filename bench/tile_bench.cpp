// Cold tile rendering: loads a store the way `minqing serve` does (catalog, store, serving index,
// styles, village DEMs — see server/app.cpp), builds a fixed tile list (every tile at z14..z18
// whose extent intersects the villages' extent; if that exceeds --max-tiles, a fixed
// deterministic subset of the z17/z18 tiles), writes it for the Mapnik peer (bench/mapnik_peer.py),
// then renders the list through render_tile_png with no tile cache, single-threaded and with N
// threads (default: one per core), and prints tiles/s, median and p95 latency, CPU time per tile
// (user + system, the whole process) and mean PNG size.
//
// `--paths server` (or `tile,server`; `server-tile` or `server-meta` for one of its two runs) also requests the list, in list order, from a fresh
// server::App (a cold cache) as the county administrator, handed to App::handle in-process on N
// threads, each taking the next tile of the list like one of N browser connections: the path
// `minqing serve` takes — the tile cache, metatiles (server/tile_metatiles.hpp), the audit of
// key_persons tiles (durable unless --no-durable-audit) — without the HTTP.
//
// `--warm-maps MAPS` first requests the list with MAPS from the same App, untimed (reported apart):
// what a user switching from one map to another leaves behind — the shaded relief kept
// (render/shaded_relief_cache.hpp), the features' text — before the timed run of --maps.
// `--relief-cache-mb N` sets AppOptions::relief_cache_bytes (0: no shaded relief kept; default 256).
//
//   tile_bench STORE.gpkg [--maps terrain] [--threads N] [--list-out FILE] [--max-tiles 2000]
//                         [--only-list] [--tiles FILE] [--paths tile,server] [--no-durable-audit] [--serial-metatiles]
//                         [--warm-maps terrain] [--relief-cache-mb 256]
//
// The last line is machine-readable: "RESULT threads=N tiles=T tiles_per_s=… median_ms=… p95_ms=…".

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "access/password_hash.hpp"
#include "access/policy.hpp"
#include "access/scope.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "render/map_renderer.hpp"
#include "query/dataset.hpp"
#include "render/relief_source.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "style/style.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::vector<std::string> split_maps(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Tiles at zoom z whose extent intersects `m` (3857), row by row.
std::vector<geo::TileId> covering(const geo::BBox& m, int z) {
  std::vector<geo::TileId> out;
  const geo::TileId a = geo::tile_at({m.min_x, m.max_y}, z);
  const geo::TileId b = geo::tile_at({m.max_x, m.min_y}, z);
  for (std::uint32_t y = a.y; y <= b.y; ++y) {
    for (std::uint32_t x = a.x; x <= b.x; ++x) out.push_back({z, x, y});
  }
  return out;
}

// CPU time of the whole process (every thread), user + system, in ms.
double cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

struct RunResult {
  double wall_ms = 0;
  double cpu_ms = 0;
  std::vector<double> lat;  // per tile, ms
  double bytes = 0;
};

// Draws every tile of the list with `threads` workers, each taking the next tile; `draw` returns
// the tile's PNG bytes.
RunResult run_list(const std::vector<geo::TileId>& tiles, unsigned threads,
                   const std::function<std::string(geo::TileId)>& draw) {
  RunResult r;
  r.lat.assign(tiles.size(), 0);
  std::vector<std::size_t> sizes(tiles.size(), 0);
  std::atomic<std::size_t> next{0};
  const auto t0 = Clock::now();
  const double c0 = cpu_ms();
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < tiles.size();) {
      const auto q0 = Clock::now();
      sizes[i] = draw(tiles[i]).size();
      r.lat[i] = ms_since(q0);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  r.wall_ms = ms_since(t0);
  r.cpu_ms = cpu_ms() - c0;
  for (auto s : sizes) r.bytes += static_cast<double>(s);
  r.bytes /= static_cast<double>(tiles.size());
  return r;
}

RunResult run(const render::MapRenderer& renderer, const store::FeatureSource& features,
              const std::vector<std::string>& maps, const std::vector<geo::TileId>& tiles, unsigned threads) {
  return run_list(tiles, threads, [&](geo::TileId t) { return render::render_tile_png(renderer, features, maps, t, 1); });
}

server::Request get_request(const std::string& target, const std::string& token) {
  server::Request req{server::http::verb::get, target, 11};
  req.set(server::http::field::host, "127.0.0.1:8080");
  if (!token.empty()) req.set(server::http::field::authorization, "Bearer " + token);
  return req;
}

std::string sign_in_admin(const server::App& app) {
  server::Request req{server::http::verb::post, "/api/login", 11};
  req.set(server::http::field::host, "127.0.0.1:8080");
  req.set(server::http::field::content_type, "application/json");
  req.body() = nlohmann::json{{"username", "admin"}, {"password", "minqing-demo"}}.dump();
  req.prepare_payload();
  const server::Response res = app.handle(req, "127.0.0.1");
  if (res.result_int() != 200) {
    std::fprintf(stderr, "tile_bench: sign-in as admin failed: %s\n", res.body().c_str());
    std::exit(1);
  }
  return nlohmann::json::parse(res.body()).at("token").get<std::string>();
}

// The list requested from `app` in list order by `threads` workers, each taking the next tile.
RunResult run_server(const server::App& app, const std::string& token, const std::string& maps,
                     const std::vector<geo::TileId>& tiles, unsigned threads) {
  return run_list(tiles, threads, [&](geo::TileId t) {
    const server::Response res = app.handle(
        get_request("/tiles/" + maps + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".png", token),
        "127.0.0.1");
    if (res.result_int() != 200) {
      std::fprintf(stderr, "tile_bench: %d/%u/%u → %u %s\n", t.z, t.x, t.y, res.result_int(), res.body().c_str());
      std::exit(1);
    }
    return std::string(res.body().bytes());
  });
}

// `result`: also print the machine-read RESULT line (run-tile-bench.sh takes the scoped runs').
void report(const char* label, unsigned threads, RunResult r, bool result = true) {
  std::vector<double> lat = r.lat;
  std::sort(lat.begin(), lat.end());
  const double median = lat[lat.size() / 2];
  const double p95 = lat[std::min(lat.size() - 1, lat.size() * 95 / 100)];
  const double tps = static_cast<double>(lat.size()) / (r.wall_ms / 1000.0);
  const double cpu_per_tile = r.cpu_ms / static_cast<double>(lat.size());
  std::printf("%-26s %2u thread(s): %5zu tiles in %8.0f ms = %7.1f tiles/s   median %6.2f ms   p95 %6.2f ms   max %7.2f ms   "
              "CPU %6.2f ms/tile   mean PNG %6.0f B\n",
              label, threads, lat.size(), r.wall_ms, tps, median, p95, lat.back(), cpu_per_tile, r.bytes);
  if (result) {
    std::printf("RESULT threads=%u tiles=%zu tiles_per_s=%.2f median_ms=%.3f p95_ms=%.3f mean_png_bytes=%.0f cpu_ms_per_tile=%.3f\n",
                threads, lat.size(), tps, median, p95, r.bytes, cpu_per_tile);
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: tile_bench STORE.gpkg [--maps terrain] [--threads N] [--list-out FILE] [--max-tiles 2000] "
                 "[--only-list] [--tiles FILE] [--paths tile,server] [--no-durable-audit] [--serial-metatiles] "
                 "[--warm-maps MAPS] [--relief-cache-mb N]\n");
    return 2;
  }
  const std::string path = argv[1];
  std::string maps_arg = "terrain", list_out, tiles_in, paths = "tile";
  bool durable_audit = true;
  bool parallel_draw = true;  // --serial-metatiles: each metatile drawn by its requesting thread alone
  std::string warm_maps;      // --warm-maps: drawn first on the same App, untimed
  std::size_t relief_cache_bytes = server::AppOptions{}.relief_cache_bytes;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::size_t max_tiles = 2000;
  bool only_list = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tile_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--maps") maps_arg = next();
    else if (a == "--threads") threads = static_cast<unsigned>(std::max(1, std::atoi(next().c_str())));
    else if (a == "--list-out") list_out = next();
    else if (a == "--max-tiles") max_tiles = static_cast<std::size_t>(std::atol(next().c_str()));
    else if (a == "--only-list") only_list = true;
    else if (a == "--tiles") tiles_in = next();
    else if (a == "--paths") paths = next();
    else if (a == "--no-durable-audit") durable_audit = false;
    else if (a == "--serial-metatiles") parallel_draw = false;
    else if (a == "--warm-maps") warm_maps = next();
    else if (a == "--relief-cache-mb") relief_cache_bytes = static_cast<std::size_t>(std::atol(next().c_str())) << 20;
    else {
      std::fprintf(stderr, "tile_bench: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  const auto maps = split_maps(maps_arg);

  // Load exactly as server::App does.
  const auto t0 = Clock::now();
  const auto catalog = model::LayerCatalog::load_directory(model::LayerCatalog::default_directory());
  const auto data = query::Dataset::open(path, catalog);
  const store::ServingIndex* index = &data->unscoped_index();
  const auto styles = style::StyleSet::load_directory(style::StyleSet::default_directory(), catalog);
  auto relief = render::ReliefSource::load_directory(data->relief_directory());
  const render::MapRenderer renderer(styles, relief.get());
  const auto policy = access::Policy::load(access::Policy::default_path(), catalog);
  const access::Scope admin = access::Scope::for_user(policy, "bench", access::kRoleCountyAdmin, {});
  const access::Scope anonymous = access::Scope::anonymous(policy);
  std::size_t total = 0;
  for (const auto& c : catalog.classes()) total += index->size(c.name);
  std::printf("store %s: %zu features, %zu DEMs; loaded, projected to EPSG:3857 in %.0f ms (not timed below)\n",
              path.c_str(), total, relief ? relief->size() : 0, ms_since(t0));

  // The fixed tile list.
  std::vector<geo::TileId> tiles;
  if (!tiles_in.empty()) {
    std::ifstream in(tiles_in);
    geo::TileId t;
    while (in >> t.z >> t.x >> t.y) tiles.push_back(t);
    std::printf("tile list: %zu tiles read from %s\n", tiles.size(), tiles_in.c_str());
  } else {
    std::vector<store::ServedFeaturePtr> villages;
    index->query("villages", geo::BBox{-geo::kMercatorHalfWorld, -geo::kMercatorHalfWorld, geo::kMercatorHalfWorld, geo::kMercatorHalfWorld}, villages);
    geo::BBox extent;
    for (const auto& v : villages) extent.expand(v->bbox);
    if (extent.empty()) extent = index->extent();
    std::vector<geo::TileId> low, high;
    std::size_t per_zoom[19] = {};
    for (int z = 14; z <= 18; ++z) {
      auto zt = covering(extent, z);
      per_zoom[z] = zt.size();
      (z <= 16 ? low : high).insert((z <= 16 ? low : high).end(), zt.begin(), zt.end());
    }
    tiles = low;
    const std::size_t room = max_tiles > low.size() ? max_tiles - low.size() : 0;
    if (high.size() <= room) {
      tiles.insert(tiles.end(), high.begin(), high.end());
    } else {
      // Every k-th z17/z18 tile in row order: deterministic and spread over the whole extent.
      const double step = static_cast<double>(high.size()) / static_cast<double>(room);
      for (std::size_t k = 0; k < room; ++k) tiles.push_back(high[static_cast<std::size_t>(k * step)]);
    }
    std::printf("villages extent (3857): %.0f %.0f %.0f %.0f; tiles covering it: z14 %zu, z15 %zu, z16 %zu, z17 %zu, z18 %zu\n",
                extent.min_x, extent.min_y, extent.max_x, extent.max_y, per_zoom[14], per_zoom[15], per_zoom[16],
                per_zoom[17], per_zoom[18]);
    std::printf("tile list: %zu tiles (z14-z18%s), maps %s\n", tiles.size(),
                tiles.size() < low.size() + high.size() ? ", z17/z18 subsampled" : ", all", maps_arg.c_str());
  }
  if (!list_out.empty()) {
    std::ofstream out(list_out);
    for (const auto& t : tiles) out << t.z << ' ' << t.x << ' ' << t.y << '\n';
    std::printf("tile list written to %s\n", list_out.c_str());
  }
  std::fflush(stdout);
  if (only_list || tiles.empty()) return 0;

  // Cold: there is no tile cache on this path; every tile is rendered and PNG-encoded.
  // As the server draws: through the caller's scoped reader (a county administrator reads every
  // field in full, so no feature is copied). Beside it, the raw index (no access control at all)
  // and the anonymous scope (buildings copied without their household id), single-threaded, to
  // show what the access layer costs.
  const query::ScopedReader as_admin = data->reader(admin);
  const auto path_list = split_maps(paths);  // a comma list, as --maps
  auto has_path = [&](const char* p) { return std::find(path_list.begin(), path_list.end(), p) != path_list.end(); };
  if (has_path("tile")) {
    report("ours, raw index", 1, run(renderer, *index, maps, tiles, 1), false);
    if (maps.size() == 1 && maps[0] == "terrain") {
      report("ours, as anonymous", 1, run(renderer, data->reader(anonymous), maps, tiles, 1), false);
    }
    report("ours, as county_admin", 1, run(renderer, as_admin, maps, tiles, 1));
    if (threads > 1) report("ours, as county_admin", threads, run(renderer, as_admin, maps, tiles, threads));
  }
  if (has_path("server") || has_path("server-tile") || has_path("server-meta")) {
    // A fresh App per run: the cache starts cold.
    const auto scratch = std::filesystem::temp_directory_path() / ("tile-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    server::AppOptions options;
    options.store = path;
    options.layers_dir = model::LayerCatalog::default_directory();
    options.auth_db = scratch / "auth.sqlite";
    options.audit_log = scratch / "audit.jsonl";
    options.durable_audit = durable_audit;
    options.parallel_tile_draw = parallel_draw;
    options.relief_cache_bytes = relief_cache_bytes;
    options.demo_accounts = true;
    options.auth.cost = access::PasswordCost::minimum();
    std::vector<unsigned> counts{1};
    if (threads > 1) counts.push_back(threads);
    // With no cache each tile is drawn alone (as before metatiles); with one, by metatile.
    // "server" runs both; "server-tile" or "server-meta" one of them.
    std::vector<std::size_t> caches;
    if (!has_path("server-meta")) caches.push_back(0);
    if (!has_path("server-tile")) caches.push_back(std::size_t{256} << 20);
    for (const std::size_t cache_bytes : caches) {
      options.tile_cache_bytes = cache_bytes;
      for (unsigned n : counts) {
        std::filesystem::remove(options.audit_log);
        const server::App app(options);
        const std::string token = sign_in_admin(app);
        if (!warm_maps.empty()) {
          report(("(untimed) " + warm_maps + " first").c_str(), n, run_server(app, token, warm_maps, tiles, n), false);
        }
        const auto relief_before = app.shaded_relief() ? app.shaded_relief()->stats() : render::ShadedReliefCache::Stats{};
        report(cache_bytes ? "server, metatiles (admin)" : "server, per tile (admin)", n, run_server(app, token, maps_arg, tiles, n));
        if (const auto* relief_cache = app.shaded_relief()) {
          const auto st = relief_cache->stats();
          std::printf("  shaded relief kept: %llu hits, %llu misses in this run; %zu entries, %.1f of %.0f MB\n",
                      static_cast<unsigned long long>(st.hits - relief_before.hits),
                      static_cast<unsigned long long>(st.misses - relief_before.misses), st.entries,
                      static_cast<double>(st.bytes) / 1048576.0, static_cast<double>(relief_cache->max_bytes()) / 1048576.0);
        }
      }
    }
    std::filesystem::remove_all(scratch);
  }
  return 0;
}
