#include "store/dem_import.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>

#include "base/error.hpp"
#include "geo/projection.hpp"
#include "store/gdal_init.hpp"

namespace minqing::store {

namespace {

struct Closer {
  GDALDatasetH ds;
  ~Closer() {
    if (ds) GDALClose(ds);
  }
};

std::string last_error() {
  const char* msg = CPLGetLastErrorMsg();
  return msg && *msg ? msg : "unknown GDAL error";
}

GDALDatasetH open_raster(const std::string& source) {
  return GDALOpenEx(source.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
}

}  // namespace

bool holds_raster(const std::string& source) {
  ensure_gdal_registered();
  CPLErrorStateBackuper keep_last_error;  // a probe's failure is no error of the import
  Closer c{open_raster(source)};
  return c.ds && GDALGetRasterCount(c.ds) > 0;
}

std::vector<std::string> raster_subdatasets(const std::string& source) {
  ensure_gdal_registered();
  CPLErrorStateBackuper keep_last_error;
  Closer c{open_raster(source)};
  std::vector<std::string> out;
  if (!c.ds) return out;
  char** md = GDALGetMetadata(c.ds, "SUBDATASETS");
  for (int i = 0; md && md[i]; ++i) {
    const std::string kv = md[i];
    const auto eq = kv.find('=');
    if (eq != std::string::npos && kv.compare(0, eq, "SUBDATASET_" + std::to_string(out.size() + 1) + "_NAME") == 0) {
      out.push_back(kv.substr(eq + 1));
    }
  }
  return out;
}

DemSource check_dem(const std::string& source, const std::optional<std::string>& source_crs, int store_epsg) {
  ensure_gdal_registered();
  const std::string where = source + ": DEM";
  Closer c{open_raster(source)};
  if (!c.ds) throw DataError(where + ": cannot be read as a raster: " + last_error());
  DemSource dem;
  dem.path = source;
  dem.width = GDALGetRasterXSize(c.ds);
  dem.height = GDALGetRasterYSize(c.ds);
  if (const int bands = GDALGetRasterCount(c.ds); bands != 1) {
    throw DataError(where + " refused: it has " + std::to_string(bands) +
                    " bands; a DEM is a single-band elevation grid (an RGB image or a multi-band file is not)");
  }
  std::array<double, 6> gt{};
  if (GDALGetGeoTransform(c.ds, gt.data()) != CE_None || gt[1] <= 0 || gt[5] >= 0 || gt[2] != 0 || gt[4] != 0) {
    throw DataError(where + " refused: it is not a north-up grid with a geotransform");
  }
  const char* wkt = GDALGetProjectionRef(c.ds);
  if (source_crs) {
    dem.crs = *source_crs;
    dem.crs_name = *source_crs;
  } else if (wkt && *wkt) {
    dem.crs = wkt;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt);
    const char* name = srs ? OSRGetName(srs) : nullptr;
    dem.crs_name = name ? name : "(unnamed CRS)";
    if (srs) OSRDestroySpatialReference(srs);
  } else {
    throw DataError(where + " refused: it declares no CRS, so where it lies is unknown (pass --source-crs EPSG:NNNN)");
  }
  const geo::BBox own{gt[0], gt[3] + dem.height * gt[5], gt[0] + dem.width * gt[1], gt[3]};
  try {
    dem.extent = geo::Transform(dem.crs, geo::epsg(store_epsg)).apply(own);
  } catch (const ProjError& e) {
    throw DataError(where + " refused: its CRS cannot be transformed to the store's: " + e.what());
  }
  return dem;
}

void write_store_dem(const DemSource& dem, int store_epsg, const geo::BBox& crop, const std::filesystem::path& out) {
  ensure_gdal_registered();
  const std::string where = "DEM " + out.string();
  Closer src{open_raster(dem.path)};
  if (!src.ds) throw StoreError(where + ": cannot reopen " + dem.path + ": " + last_error());
  auto num = [](double v) { return CPLSPrintf("%.17g", v); };
  std::vector<std::string> args = {"-of", "GTiff", "-t_srs", geo::epsg(store_epsg), "-r", "bilinear",
                                   "-ot", "Float32", "-dstnodata", "-9999", "-overwrite",
                                   "-te", num(crop.min_x), num(crop.min_y), num(crop.max_x), num(crop.max_y),
                                   "-co", "TILED=YES", "-co", "BLOCKXSIZE=256", "-co", "BLOCKYSIZE=256",
                                   "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=3"};
  if (!dem.crs.empty()) {
    args.insert(args.end(), {"-s_srs", dem.crs});
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  GDALWarpAppOptions* options = GDALWarpAppOptionsNew(argv.data(), nullptr);
  if (!options) throw StoreError(where + ": bad warp options: " + last_error());
  int usage_error = 0;
  GDALDatasetH inputs[] = {src.ds};
  Closer dst{GDALWarp(out.string().c_str(), nullptr, 1, inputs, options, &usage_error)};
  GDALWarpAppOptionsFree(options);
  if (!dst.ds || usage_error) throw StoreError(where + ": reprojection failed: " + last_error());
  // Overviews: halvings down to about 64 cells across, for views of a whole county.
  std::vector<int> levels;
  for (int f = 2; f <= 16 && std::max(GDALGetRasterXSize(dst.ds), GDALGetRasterYSize(dst.ds)) / f >= 64; f *= 2) {
    levels.push_back(f);
  }
  if (!levels.empty() && GDALBuildOverviews(dst.ds, "AVERAGE", static_cast<int>(levels.size()), levels.data(), 0, nullptr,
                                            nullptr, nullptr) != CE_None) {
    throw StoreError(where + ": overviews failed: " + last_error());
  }
}

}  // namespace minqing::store
