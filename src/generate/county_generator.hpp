#pragma once
// The entry point of `minqing generate`: a whole county of realistic mountain villages around
// Songyang, deterministic for a seed, written into a new feature store with one DEM per village.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "model/layer_catalog.hpp"

namespace minqing::generate {

struct GenerateOptions {
  int villages = 3;        // 1 … 2000; 3 gives three neighbouring villages of one township
  std::uint64_t seed = 1;  // same seed, same bytes
  std::filesystem::path out;  // the GeoPackage to create; must not exist
  int threads = 2;         // village workers (output order does not depend on it)
};

struct GenerateReport {
  std::vector<std::pair<std::string, std::int64_t>> counts;  // per feature class, catalog order
  std::int64_t residents = 0;
  double seconds = 0;
};

// Generates `options.villages` villages into a new GeoPackage at `options.out` (EPSG:4549), all
// features in one transaction, written in village order; DEM GeoTIFFs go to the store's relief
// directory (emptied first). The same options give byte-identical files.
// @throws RequestError for a bad option, StoreError when the store or a DEM cannot be written,
//         DataError when a generated feature fails validation (a generator bug).
GenerateReport generate_county(const GenerateOptions& options, const model::LayerCatalog& catalog);

}  // namespace minqing::generate
