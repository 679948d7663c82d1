#pragma once
// A small feature store for server tests: created fresh under the test scratch directory with
// the real layer catalog, holding `shelters` point features (and nothing else).

#include <filesystem>
#include <string>

#include "geo/geometry.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "support/test_env.hpp"

namespace minqing::test {

// Creates <scratch>/<name>/store.gpkg with `shelters` shelter points (EPSG:4549, near Songyang).
inline std::filesystem::path make_scratch_store(const std::string& name, int shelters) {
  const auto catalog = model::LayerCatalog::load_directory(layers_dir());
  const auto path = scratch_dir(name) / "store.gpkg";
  auto store = store::FeatureStore::create(path, catalog);
  store.begin();
  for (int i = 0; i < shelters; ++i) {
    model::Feature f;
    f.values = {std::string("S") + std::to_string(i), std::string("331123100200"),
                std::string("礼堂"), std::int64_t{100 + i}, std::string("hall")};
    f.geometry = geo::Geometry::point({450000.0 + 100 * i, 3150000.0});
    store.insert("shelters", f);
  }
  store.commit();
  return path;
}

}  // namespace minqing::test
