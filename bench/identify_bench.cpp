// Identify latency below HTTP: loads a store into the serving index and clicks N times at z17 —
// half on random households (where a village map is dense), half anywhere in the store's extent —
// as the county administrator (all six maps) and as an anonymous caller (terrain), each answer
// written as the endpoint writes it (GeoJSON, CRS84, masked). Then nearby: households within
// 500 m of the same points.
//
//   identify_bench STORE.gpkg [N]
//
// Prints clicks/s, p50/p99 latency and features returned per click.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/crs.hpp"
#include "query/dataset.hpp"
#include "query/geojson_writer.hpp"
#include "query/identify.hpp"
#include "query/nearby.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

void print(const char* who, std::vector<double>& lat, std::size_t features) {
  double total = 0;
  for (double l : lat) total += l;
  std::sort(lat.begin(), lat.end());
  std::printf("%-40s %8.0f /s   p50 %7.3f ms   p99 %7.3f ms   %6.1f features each\n", who, lat.size() / (total / 1000.0),
              lat[lat.size() / 2], lat[lat.size() * 99 / 100], static_cast<double>(features) / lat.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: identify_bench STORE.gpkg [N]\n");
    return 2;
  }
  const int n = argc > 2 ? std::atoi(argv[2]) : 2000;
  const auto catalog = model::LayerCatalog::load_directory(model::LayerCatalog::default_directory());
  const auto policy = access::Policy::load(access::Policy::default_path(), catalog);
  auto t0 = Clock::now();
  const auto data = query::Dataset::open(argv[1], catalog);
  const store::ServingIndex* index = &data->unscoped_index();
  std::printf("store %s loaded in %.0f ms\n", argv[1], ms_since(t0));

  std::vector<store::ServedFeaturePtr> households;
  index->query("households", index->extent(), households);
  const geo::BBox extent = index->extent();
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> ux(extent.min_x, extent.max_x), uy(extent.min_y, extent.max_y);
  std::uniform_int_distribution<std::size_t> uh(0, households.empty() ? 0 : households.size() - 1);
  std::vector<geo::Coord> clicks;
  for (int i = 0; i < n; ++i) {
    if (i % 2 == 0 && !households.empty()) {
      const geo::Coord c = households[uh(rng)]->feature.geometry.coords[0];
      clicks.push_back({c.x + 3, c.y - 2});  // a few metres off the point, as a hand clicks
    } else {
      clicks.push_back({ux(rng), uy(rng)});
    }
  }

  const access::Scope admin = access::Scope::for_user(policy, "bench", "county_admin", {});
  const access::Scope anonymous = access::Scope::anonymous(policy);
  for (const auto* scope : {&admin, &anonymous}) {
    const query::ScopedReader reader = data->reader(*scope);
    const auto& views = reader.views();
    std::vector<double> lat;
    std::size_t found = 0, bytes = 0;
    for (const auto& click : clicks) {
      const auto q0 = Clock::now();
      found += query::identify(reader, views, click, 17).hits.size();
      lat.push_back(ms_since(q0));
    }
    print(("identify z17 (search only), " + scope->role()).c_str(), lat, found);
    // Again at the same points: what a server that has run a while does (each feature's edge slabs
    // made on its first click are kept).
    lat.clear();
    found = 0;
    for (const auto& click : clicks) {
      const auto q0 = Clock::now();
      found += query::identify(reader, views, click, 17).hits.size();
      lat.push_back(ms_since(q0));
    }
    print(("identify z17 (search only, again), " + scope->role()).c_str(), lat, found);
    lat.clear();
    found = 0;
    for (const auto& click : clicks) {
      const auto q0 = Clock::now();
      const auto r = query::identify(reader, views, click, 17);
      nlohmann::json features = nlohmann::json::array();
      for (const auto& h : r.hits) features.push_back(query::feature_json(*h.feature, *h.view, query::crs84()));
      bytes += features.dump().size();
      lat.push_back(ms_since(q0));
      found += r.hits.size();
    }
    const std::string label = "identify z17 + GeoJSON, " + scope->role();
    print(label.c_str(), lat, found);
    std::printf("%-40s %8.1f KB GeoJSON per answer\n", "", bytes / 1024.0 / static_cast<double>(clicks.size()));
  }

  const query::ScopedReader admin_reader = data->reader(admin);
  const auto& households_view = *admin_reader.view("households");
  std::vector<double> lat;
  std::size_t found = 0;
  for (const auto& click : clicks) {
    const auto q0 = Clock::now();
    found += query::nearby(admin_reader, households_view, click, 500).hits.size();
    lat.push_back(ms_since(q0));
  }
  print("nearby households 500 m, county_admin", lat, found);
  return 0;
}
