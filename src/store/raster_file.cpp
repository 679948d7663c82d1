#include "store/raster_file.hpp"

#include <memory>
#include <string>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "base/error.hpp"
#include "store/gdal_init.hpp"

namespace minqing::store {

namespace {

struct DatasetCloser {
  void operator()(void* ds) const noexcept { GDALClose(ds); }
};
using DatasetHandle = std::unique_ptr<void, DatasetCloser>;

// How open_raster names the CRS.
enum class CrsAs { wkt, epsg_code_if_any };

// Opens `path` and fills everything but the values.
DatasetHandle open_raster(const std::filesystem::path& path, Raster& r, CrsAs crs_as) {
  ensure_gdal_registered();
  const std::string where = path.string();
  DatasetHandle ds(GDALOpen(where.c_str(), GA_ReadOnly));
  if (!ds) throw DataError(where + ": cannot read DEM: " + CPLGetLastErrorMsg());
  if (GDALGetRasterCount(ds.get()) < 1) throw DataError(where + ": DEM has no band");
  std::array<double, 6> gt{};
  if (GDALGetGeoTransform(ds.get(), gt.data()) == CE_None) r.geotransform = gt;
  OGRSpatialReferenceH srs = crs_as == CrsAs::epsg_code_if_any ? GDALGetSpatialRef(ds.get()) : nullptr;
  const char* authority = srs ? OSRGetAuthorityName(srs, nullptr) : nullptr;
  const char* code = srs ? OSRGetAuthorityCode(srs, nullptr) : nullptr;
  if (authority && code && std::string(authority) == "EPSG") {
    r.crs = std::string("EPSG:") + code;
  } else if (const char* wkt = GDALGetProjectionRef(ds.get())) {
    r.crs = wkt;
  }
  r.width = GDALGetRasterXSize(ds.get());
  r.height = GDALGetRasterYSize(ds.get());
  int has_nodata = 0;
  const double nodata = GDALGetRasterNoDataValue(GDALGetRasterBand(ds.get(), 1), &has_nodata);
  if (has_nodata) r.nodata = nodata;
  return ds;
}

}  // namespace

Raster read_raster_header(const std::filesystem::path& path) {
  Raster r;
  open_raster(path, r, CrsAs::epsg_code_if_any);
  return r;
}

Raster read_raster(const std::filesystem::path& path) {
  Raster r;
  const DatasetHandle ds = open_raster(path, r, CrsAs::wkt);
  r.values.resize(static_cast<std::size_t>(r.width) * r.height);
  if (GDALRasterIO(GDALGetRasterBand(ds.get(), 1), GF_Read, 0, 0, r.width, r.height, r.values.data(), r.width,
                   r.height, GDT_Float32, 0, 0) != CE_None) {
    throw DataError(path.string() + ": cannot read DEM band: " + CPLGetLastErrorMsg());
  }
  return r;
}

namespace {

// The WKT of "EPSG:nnnn" (as GDAL writes it) or `crs` itself when it is WKT already.
std::string crs_wkt(const std::string& crs) {
  if (crs.rfind("EPSG:", 0) != 0) return crs;
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRImportFromEPSG(srs, std::stoi(crs.substr(5)));
  char* wkt = nullptr;
  OSRExportToWkt(srs, &wkt);
  std::string out = wkt ? wkt : "";
  CPLFree(wkt);
  OSRDestroySpatialReference(srs);
  return out;
}

}  // namespace

void write_geotiff(const std::filesystem::path& path, const Raster& raster) {
  const std::string where = "DEM " + path.string();
  ensure_gdal_registered();
  GDALDriverH driver = GDALGetDriverByName("GTiff");
  if (!driver) throw StoreError(where + ": GDAL has no GTiff driver");
  char** options = nullptr;
  options = CSLSetNameValue(options, "TILED", "YES");
  options = CSLSetNameValue(options, "BLOCKXSIZE", "256");
  options = CSLSetNameValue(options, "BLOCKYSIZE", "256");
  options = CSLSetNameValue(options, "COMPRESS", "DEFLATE");
  options = CSLSetNameValue(options, "PREDICTOR", "3");
  options = CSLSetNameValue(options, "ZLEVEL", "6");
  GDALDatasetH ds =
      GDALCreate(driver, path.string().c_str(), raster.width, raster.height, 1, GDT_Float32, options);
  CSLDestroy(options);
  if (!ds) throw StoreError(where + ": cannot create: " + CPLGetLastErrorMsg());

  if (raster.geotransform) {
    std::array<double, 6> gt = *raster.geotransform;
    GDALSetGeoTransform(ds, gt.data());
  }
  if (!raster.crs.empty()) GDALSetProjection(ds, crs_wkt(raster.crs).c_str());

  GDALRasterBandH band = GDALGetRasterBand(ds, 1);
  if (raster.nodata) GDALSetRasterNoDataValue(band, *raster.nodata);
  const CPLErr err = GDALRasterIO(band, GF_Write, 0, 0, raster.width, raster.height,
                                  const_cast<float*>(raster.values.data()), raster.width, raster.height,
                                  GDT_Float32, 0, 0);
  if (err != CE_None) {
    GDALClose(ds);
    throw StoreError(where + ": write failed: " + CPLGetLastErrorMsg());
  }
  GDALClose(ds);
}

}  // namespace minqing::store
