#pragma once
// DEMs in (issue 13): a county or village elevation grid in any raster format GDAL reads
// (GeoTIFF, a GeoPackage raster table, an ASCII grid…) and any CRS PROJ knows, checked, then
// reprojected once into the store CRS and kept beside the store as a tiled GeoTIFF with
// overviews in the store's relief directory (FeatureStore::relief_directory), where the hillshade
// (render/relief_source.hpp) finds it. The generator's per-village DEMs are the same kind of file.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/coord.hpp"

namespace minqing::store {

// A raster source checked to be a DEM: one band, a north-up geotransform, a CRS.
struct DemSource {
  std::string path;      // as given (a GDAL connection string for a GeoPackage raster table)
  std::string crs;       // the CRS PROJ reads it in: the file's WKT, or the --source-crs given
  int width = 0;
  int height = 0;
  geo::BBox extent;      // in the store CRS
  std::string crs_name;  // for the report, e.g. "WGS 84"
};

// Whether `source` holds raster data GDAL can read (a GeoTIFF, a GeoPackage with a raster
// table…). Never throws.
bool holds_raster(const std::string& source);

// The raster subdatasets of `source` when it holds several rasters (a GeoPackage with two raster
// tables opens as none of them): their GDAL names ("GPKG:county.gpkg:dem"), else empty.
// Never throws.
std::vector<std::string> raster_subdatasets(const std::string& source);

// Checks `source` as a DEM and computes its extent in EPSG:`store_epsg`. `source_crs` stands in
// for a file without a CRS (an ASCII grid without .prj).
// @throws DataError naming the file and the reason: no CRS, not a single band, not north-up, a
// CRS PROJ does not know.
DemSource check_dem(const std::string& source, const std::optional<std::string>& source_crs, int store_epsg);

// Reprojects `dem` into EPSG:`store_epsg` (bilinear, cells of about the source's size), cropped
// to `crop` (store CRS), and writes it to `out`: Float32 GeoTIFF, 256×256 tiles, DEFLATE, no-data
// -9999, internal overviews ×2…×16. @throws StoreError naming `out` when GDAL fails.
void write_store_dem(const DemSource& dem, int store_epsg, const geo::BBox& crop, const std::filesystem::path& out);

}  // namespace minqing::store
