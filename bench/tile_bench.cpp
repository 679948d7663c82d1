// Cold tile rendering: loads a store the way `minqing serve` does (catalog, store, serving index,
// styles, village DEMs — see server/app.cpp), builds a fixed tile list (every tile at z14..z18
// whose extent intersects the villages' extent; if that exceeds --max-tiles, a fixed
// deterministic subset of the z17/z18 tiles), writes it for the Mapnik peer (bench/mapnik_peer.py),
// then renders the list through render_tile_png with no tile cache, single-threaded and with N
// threads (default: one per core), and prints tiles/s, median and p95 latency and mean PNG size.
//
//   tile_bench STORE.gpkg [--maps terrain] [--threads N] [--list-out FILE] [--max-tiles 2000]
//                         [--only-list] [--tiles FILE]
//
// The last line is machine-readable: "RESULT threads=N tiles=T tiles_per_s=… median_ms=… p95_ms=…".

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "render/map_renderer.hpp"
#include "query/dataset.hpp"
#include "render/relief_source.hpp"
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

struct RunResult {
  double wall_ms = 0;
  std::vector<double> lat;  // per tile, ms
  double bytes = 0;
};

RunResult run(const render::MapRenderer& renderer, const store::FeatureSource& features,
              const std::vector<std::string>& maps, const std::vector<geo::TileId>& tiles, unsigned threads) {
  RunResult r;
  r.lat.assign(tiles.size(), 0);
  std::vector<std::size_t> sizes(tiles.size(), 0);
  std::atomic<std::size_t> next{0};
  const auto t0 = Clock::now();
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < tiles.size();) {
      const auto q0 = Clock::now();
      const std::string png = render::render_tile_png(renderer, features, maps, tiles[i], 1);
      r.lat[i] = ms_since(q0);
      sizes[i] = png.size();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  r.wall_ms = ms_since(t0);
  for (auto s : sizes) r.bytes += static_cast<double>(s);
  r.bytes /= static_cast<double>(tiles.size());
  return r;
}

// `result`: also print the machine-read RESULT line (run-tile-bench.sh takes the scoped runs').
void report(const char* label, unsigned threads, RunResult r, bool result = true) {
  std::vector<double> lat = r.lat;
  std::sort(lat.begin(), lat.end());
  const double median = lat[lat.size() / 2];
  const double p95 = lat[std::min(lat.size() - 1, lat.size() * 95 / 100)];
  const double tps = static_cast<double>(lat.size()) / (r.wall_ms / 1000.0);
  std::printf("%-26s %2u thread(s): %5zu tiles in %8.0f ms = %7.1f tiles/s   median %6.2f ms   p95 %6.2f ms   max %7.2f ms   mean PNG %6.0f B\n",
              label, threads, lat.size(), r.wall_ms, tps, median, p95, lat.back(), r.bytes);
  if (result) {
    std::printf("RESULT threads=%u tiles=%zu tiles_per_s=%.2f median_ms=%.3f p95_ms=%.3f mean_png_bytes=%.0f\n", threads,
                lat.size(), tps, median, p95, r.bytes);
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: tile_bench STORE.gpkg [--maps terrain] [--threads N] [--list-out FILE] [--max-tiles 2000] "
                 "[--only-list] [--tiles FILE]\n");
    return 2;
  }
  const std::string path = argv[1];
  std::string maps_arg = "terrain", list_out, tiles_in;
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
  report("ours, raw index", 1, run(renderer, *index, maps, tiles, 1), false);
  if (maps.size() == 1 && maps[0] == "terrain") {
    report("ours, as anonymous", 1, run(renderer, data->reader(anonymous), maps, tiles, 1), false);
  }
  report("ours, as county_admin", 1, run(renderer, as_admin, maps, tiles, 1));
  if (threads > 1) report("ours, as county_admin", threads, run(renderer, as_admin, maps, tiles, threads));
  return 0;
}
