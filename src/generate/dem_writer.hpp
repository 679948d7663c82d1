#pragma once
// Writes a village DEM as a GeoTIFF (store/raster_file.hpp: Float32, tiled, DEFLATE, no
// timestamps — same grid, same bytes) in the given EPSG CRS. Thread-safe for distinct paths.

#include <filesystem>

#include "generate/terrain.hpp"

namespace minqing::generate {

// @throws StoreError naming the path when it cannot be written.
void write_dem(const std::filesystem::path& path, const HeightGrid& grid, int epsg);

}  // namespace minqing::generate
