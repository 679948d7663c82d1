#pragma once
// `minqing import`: reads anything OGR reads (GeoPackage, Shapefile, GeoJSON, KML…), maps source
// layers onto feature classes and source fields onto fields by name, reprojects to the store CRS,
// validates every feature, and writes all of it in one transaction — or nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/layer_catalog.hpp"

namespace minqing::store {

struct ImportOptions {
  std::vector<std::string> sources;        // files (or any GDAL connection string)
  std::string store;                       // target store; created when absent
  int new_store_epsg = 4549;               // CRS of a store created by this import
  bool repair = false;                     // make invalid geometries valid (GEOS MakeValid), reported
  std::optional<std::string> source_crs;   // CRS for sources that declare none ("EPSG:4490")
  std::optional<std::string> target_class; // import every source layer into this class
};

struct ImportReport {
  std::vector<std::pair<std::string, std::int64_t>> imported;  // per class, catalog order
  std::vector<std::string> notes;  // fields left out, geometries repaired, conversions made
};

// Imports all sources or nothing. On any bad feature — unconvertible value, missing village key,
// invalid geometry (without `repair`), wrong geometry type, unknown CRS, unknown layer — throws
// DataError naming the file, layer, feature id and reason, and leaves the store exactly as it was
// (a store this call would have created is not created).
// @throws DataError for bad input, StoreError when the store cannot be written.
ImportReport import_sources(const ImportOptions& options, const model::LayerCatalog& catalog);

}  // namespace minqing::store
