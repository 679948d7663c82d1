#include "generate/dem_writer.hpp"

#include <string>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "base/error.hpp"

namespace minqing::generate {

void write_dem(const std::filesystem::path& path, const HeightGrid& grid, int epsg) {
  const std::string where = "DEM " + path.string();
  GDALAllRegister();
  GDALDriverH driver = GDALGetDriverByName("GTiff");
  if (!driver) throw StoreError(where + ": GDAL has no GTiff driver");
  char** options = nullptr;
  options = CSLSetNameValue(options, "TILED", "YES");
  options = CSLSetNameValue(options, "BLOCKXSIZE", "256");
  options = CSLSetNameValue(options, "BLOCKYSIZE", "256");
  options = CSLSetNameValue(options, "COMPRESS", "DEFLATE");
  options = CSLSetNameValue(options, "PREDICTOR", "3");
  options = CSLSetNameValue(options, "ZLEVEL", "6");
  GDALDatasetH ds = GDALCreate(driver, path.string().c_str(), grid.nx, grid.ny, 1, GDT_Float32, options);
  CSLDestroy(options);
  if (!ds) throw StoreError(where + ": cannot create: " + CPLGetLastErrorMsg());

  double transform[6] = {grid.min_x, grid.cell, 0, grid.max_y, 0, -grid.cell};
  GDALSetGeoTransform(ds, transform);
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRImportFromEPSG(srs, epsg);
  char* wkt = nullptr;
  OSRExportToWkt(srs, &wkt);
  GDALSetProjection(ds, wkt);
  CPLFree(wkt);
  OSRDestroySpatialReference(srs);

  GDALRasterBandH band = GDALGetRasterBand(ds, 1);
  const CPLErr err = GDALRasterIO(band, GF_Write, 0, 0, grid.nx, grid.ny, const_cast<float*>(grid.z.data()), grid.nx,
                                  grid.ny, GDT_Float32, 0, 0);
  if (err != CE_None) {
    GDALClose(ds);
    throw StoreError(where + ": write failed: " + CPLGetLastErrorMsg());
  }
  GDALClose(ds);
}

}  // namespace minqing::generate

namespace minqing::generate {

void pin_gdal_output_dates() { CPLSetConfigOption("OGR_CURRENT_DATE", "2025-01-01T00:00:00.000Z"); }

}  // namespace minqing::generate
