#pragma once
// Single-band raster files (the village DEM GeoTIFFs) read into and written from a plain struct:
// the GDAL raster adapter of the project, so that render/ and generate/ need no GDAL header.

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace minqing::store {

// One band of 32-bit floats on a grid, row-major from the first row of the file.
struct Raster {
  int width = 0;
  int height = 0;
  // GDAL's affine geotransform: x = gt[0] + col·gt[1] + row·gt[2], y = gt[3] + col·gt[4] +
  // row·gt[5] (north-up: gt[2] = gt[4] = 0, gt[5] < 0). nullopt when the file has none.
  std::optional<std::array<double, 6>> geotransform;
  // The CRS: "EPSG:nnnn" or WKT; read: the file's WKT, empty when it declares none.
  std::string crs;
  // The no-data value, when the band declares one (the values keep it as stored).
  std::optional<double> nodata;
  std::vector<float> values;  // width × height
};

// Reads band 1 of any raster GDAL reads, as Float32.
// @throws DataError naming `path` when GDAL cannot open it or read the band, or it has no band.
// Thread-safe for distinct files.
Raster read_raster(const std::filesystem::path& path);
// The same without the values (`values` empty): size, geotransform, CRS and no-data value only,
// for a reader that reads the values later, if at all. The CRS is "EPSG:nnnn" when the file's
// carries an EPSG code (the same CRS, and the same PROJ operation as the store's own: no WKT to
// write out and no second search of PROJ's database), its WKT otherwise. Same errors; thread-safe
// for distinct files.
Raster read_raster_header(const std::filesystem::path& path);

// Writes `raster` as a GeoTIFF: Float32, tiled 256×256, DEFLATE with the floating-point
// predictor, no timestamps or other varying metadata (same raster, same bytes). `raster.crs`
// must be "EPSG:nnnn" or WKT (empty writes none); a no-data value is written when set.
// @pre raster.values.size() == width × height.
// @throws StoreError naming `path` when GDAL cannot write it. Thread-safe for distinct paths.
void write_geotiff(const std::filesystem::path& path, const Raster& raster);

}  // namespace minqing::store
