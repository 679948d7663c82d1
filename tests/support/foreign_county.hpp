#pragma once
// A small county as other GIS tools hand it over (issue 13): three 1 km villages side by side in
// EPSG:4549 written through GDAL as QGIS writes them (counts as reals, the update time as a
// DateTime), and helpers to import into and read back from a store.

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "store/importer.hpp"
#include "support/ogr_source.hpp"
#include "support/test_env.hpp"

namespace minqing::test {

// West 450000–451000, middle 451000–452000, east 452000–453000; y 3148000–3149000.
inline const std::string kWestVillage = "331124101201", kMiddleVillage = "331124101202", kEastVillage = "331124101203";

inline const model::LayerCatalog& county_catalog() {
  static const auto c = model::LayerCatalog::load_directory(layers_dir());
  return c;
}

inline std::string square_wkt(double x0, double y0, double x1, double y1) {
  auto p = [](double x, double y) { return std::to_string(x) + " " + std::to_string(y); };
  return "POLYGON ((" + p(x0, y0) + ", " + p(x1, y0) + ", " + p(x1, y1) + ", " + p(x0, y1) + ", " + p(x0, y0) + "))";
}

inline void write_county_villages(const std::filesystem::path& path) {
  write_source(path, "GPKG", "villages", 4549, wkbPolygon,
               {{"village_code", OFTString}, {"name", OFTString}, {"township", OFTString}, {"county", OFTString},
                {"households", OFTReal}, {"population", OFTReal}, {"updated_at", OFTDateTime}},
               {{{kWestVillage, "西村", "新兴镇", "松阳县", "120", "410", "2024-08-08T14:56:00"}, square_wkt(450000, 3148000, 451000, 3149000)},
                {{kMiddleVillage, "中村", "新兴镇", "松阳县", "95.0", "300", "2024-08-09T09:30:15"}, square_wkt(451000, 3148000, 452000, 3149000)},
                {{kEastVillage, "东村", "新兴镇", "松阳县", "80", "260", "2024-08-10T00:00:00"}, square_wkt(452000, 3148000, 453000, 3149000)}});
}

inline store::ImportReport import_into(const std::string& store, std::vector<std::string> sources,
                                       const std::function<void(store::ImportOptions&)>& tweak = {}) {
  store::ImportOptions o;
  o.store = store;
  o.sources = std::move(sources);
  if (tweak) tweak(o);
  return store::import_sources(o, county_catalog());
}

// A store in `dir` holding the three villages, imported from the QGIS-style file.
inline std::string county_store(const std::filesystem::path& dir) {
  write_county_villages(dir / "villages.gpkg");
  const std::string store = (dir / "store.gpkg").string();
  import_into(store, {(dir / "villages.gpkg").string()});
  return store;
}

inline std::vector<model::Feature> read_class(const std::string& store, const std::string& cls) {
  auto s = store::FeatureStore::open(store, county_catalog(), store::FeatureStore::Mode::read_only);
  std::vector<model::Feature> out;
  s.for_each(cls, [&](model::Feature& f) { out.push_back(f); });
  return out;
}

inline bool report_mentions(const store::ImportReport& r, const std::string& fragment) {
  for (const auto& n : r.notes) {
    if (n.find(fragment) != std::string::npos) return true;
  }
  return false;
}

}  // namespace minqing::test
