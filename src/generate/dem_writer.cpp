#include "generate/dem_writer.hpp"

#include <string>

#include "store/raster_file.hpp"

namespace minqing::generate {

void write_dem(const std::filesystem::path& path, const HeightGrid& grid, int epsg) {
  store::Raster raster;
  raster.width = grid.nx;
  raster.height = grid.ny;
  raster.geotransform = std::array<double, 6>{grid.min_x, grid.cell, 0, grid.max_y, 0, -grid.cell};
  raster.crs = "EPSG:" + std::to_string(epsg);
  raster.values = grid.z;
  store::write_geotiff(path, raster);
}

}  // namespace minqing::generate
