#pragma once
// Generates one administrative village: its DEM file and all its features, checked.

#include <filesystem>
#include <string>
#include <vector>

#include "generate/county_layout.hpp"
#include "generate/feature_sink.hpp"
#include "generate/terrain.hpp"
#include "geo/geos_context.hpp"
#include "model/validation.hpp"

namespace minqing::generate {

struct VillageJob {
  const VillageSpec* spec = nullptr;
  const CountyLayout* layout = nullptr;
  const Terrain* terrain = nullptr;
  const model::LayerCatalog* catalog = nullptr;
  // One per catalog class, same order.
  const std::vector<model::FeatureValidator>* validators = nullptr;
  std::filesystem::path dem_path;
  std::string updated_at;  // YYYY-MM-DD
  int epsg = 4549;
};

// Runs every generation step for the village and writes its DEM GeoTIFF to `job.dem_path`.
// The result depends only on the job (seed, layout, spec), never on other villages or threads.
// Every feature is checked against its class (attributes) and GEOS validity (geometry).
// @throws DataError naming the village, class and feature when a generated feature is invalid;
//         StoreError when the DEM cannot be written.
// Thread-safe for distinct jobs when each thread passes its own GeosContext.
FeatureSink generate_village(const VillageJob& job, const geo::GeosContext& ctx);

}  // namespace minqing::generate
