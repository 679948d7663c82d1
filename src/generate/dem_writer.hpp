#pragma once
// Writes a village DEM as a GeoTIFF: Float32, tiled 256×256, DEFLATE with the floating-point
// predictor, in the given EPSG CRS, with no timestamps or other varying metadata (same grid, same
// bytes). The generator's GDAL raster adapter. Thread-safe for distinct paths.

#include <filesystem>

#include "generate/terrain.hpp"

namespace minqing::generate {

// @throws StoreError naming the path when GDAL cannot write it.
void write_dem(const std::filesystem::path& path, const HeightGrid& grid, int epsg);

}  // namespace minqing::generate

namespace minqing::generate {

// Pins the dates GDAL writes into new files (GeoPackage gpkg_contents.last_change) so that the
// same input gives the same bytes: sets OGR_CURRENT_DATE process-wide.
void pin_gdal_output_dates();

}  // namespace minqing::generate
