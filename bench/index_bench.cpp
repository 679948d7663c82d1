// Loads a store into the serving index and answers 10,000 random bbox queries; then runs the same
// queries through GDAL/OGR's spatial filter on the GeoPackage (its SQLite R-tree) as the peer.
//
//   index_bench STORE.gpkg [QUERIES]
//
// Prints load time, queries/s, p50/p99 latency and features returned, for both.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Stats {
  double total_ms = 0;
  double p50 = 0;
  double p99 = 0;
  std::size_t features = 0;
};

Stats summarise(std::vector<double>& lat, std::size_t features) {
  Stats s;
  for (double l : lat) s.total_ms += l;
  std::sort(lat.begin(), lat.end());
  s.p50 = lat[lat.size() / 2];
  s.p99 = lat[lat.size() * 99 / 100];
  s.features = features;
  return s;
}

void print(const char* who, const Stats& s, std::size_t n) {
  std::printf("%-34s %9.0f queries/s   p50 %7.3f ms   p99 %7.3f ms   %9zu features\n", who,
              n / (s.total_ms / 1000.0), s.p50, s.p99, s.features);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: index_bench STORE.gpkg [QUERIES]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2]) : 10000;
  const auto catalog = model::LayerCatalog::load_directory(model::LayerCatalog::default_directory());

  auto t0 = Clock::now();
  auto store = store::FeatureStore::open(path, catalog, store::FeatureStore::Mode::read_only);
  auto index = store::ServingIndex::load(store);
  const double load_ms = ms_since(t0);
  std::size_t total = 0;
  for (const auto& c : catalog.classes()) total += index->size(c.name);
  std::printf("store %s: %zu features in %zu classes, loaded and projected to EPSG:3857 in %.0f ms\n",
              path.c_str(), total, catalog.classes().size(), load_ms);

  // Random boxes the size of a z16 tile plus a label buffer, anywhere in the store's extent,
  // each asked of every feature class (what a multi-map tile does).
  const geo::BBox extent = index->extent();
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> ux(extent.min_x, extent.max_x), uy(extent.min_y, extent.max_y);
  const double half = geo::tile_span(16) * 0.75;
  std::vector<geo::BBox> boxes;
  for (int i = 0; i < n; ++i) {
    const double x = ux(rng), y = uy(rng);
    boxes.push_back({x - half, y - half, x + half, y + half});
  }

  std::vector<double> lat;
  std::size_t found = 0;
  std::vector<store::ServedFeaturePtr> hits;
  for (const auto& b : boxes) {
    const auto q0 = Clock::now();
    for (const auto& c : catalog.classes()) {
      hits.clear();
      index->query(c.name, b, hits);
      found += hits.size();
    }
    lat.push_back(ms_since(q0));
  }
  print("serving index (R-tree, in memory)", summarise(lat, found), boxes.size());

  // Peer: the same boxes through OGR's spatial filter on the GeoPackage (SQLite R-tree), boxes
  // transformed to the store CRS first (the file holds EPSG:4549), reading every feature found.
  GDALDataset* ds = GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  const geo::Transform to_store("EPSG:3857", geo::epsg(store.epsg()));
  lat.clear();
  found = 0;
  const int peer_n = std::min(n, 2000);
  for (int i = 0; i < peer_n; ++i) {
    const geo::BBox b = to_store.apply(boxes[static_cast<std::size_t>(i)]);
    const auto q0 = Clock::now();
    for (const auto& c : catalog.classes()) {
      OGRLayer* l = ds->GetLayerByName(c.name.c_str());
      if (!l) continue;
      l->SetSpatialFilterRect(b.min_x, b.min_y, b.max_x, b.max_y);
      for (auto& f : *l) {
        (void)f;
        ++found;
      }
    }
    lat.push_back(ms_since(q0));
  }
  char label[64];
  std::snprintf(label, sizeof label, "peer: OGR GPKG R-tree (%d queries)", peer_n);
  print(label, summarise(lat, found), static_cast<std::size_t>(peer_n));
  GDALClose(ds);
  return 0;
}
