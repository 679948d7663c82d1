// Issue 13, DEMs in: a county DEM as a GeoTIFF in EPSG:4326 and as a raster table in the same
// GeoPackage as the villages, an ASCII grid without CRS; each imported beside the store in its
// CRS (tiled, with overviews), after which the terrain tiles of the imported store show
// hillshade. A DEM without CRS, with three bands or covering no village is refused with the
// reason and leaves the store and its relief directory as they were.

#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "base/error.hpp"
#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "render/map_renderer.hpp"
#include "render/png_encoder.hpp"
#include "render/relief_source.hpp"
#include "store/feature_store.hpp"
#include "store/gdal_init.hpp"
#include "store/raster_file.hpp"
#include "store/serving_index.hpp"
#include "style/style.hpp"
#include "support/file_bytes.hpp"
#include "support/foreign_county.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

std::string wkt_of(int epsg) {
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRImportFromEPSG(srs, epsg);
  char* wkt = nullptr;
  OSRExportToWkt(srs, &wkt);
  std::string out = wkt;
  CPLFree(wkt);
  OSRDestroySpatialReference(srs);
  return out;
}

// Ridges and valleys: 300 m ± 60 m, a wave of about 250 m east–west and 350 m north–south.
float height(double x_m, double y_m) {
  return static_cast<float>(300 + 60 * std::sin(x_m / 40.0) * std::cos(y_m / 55.0));
}

// The county DEM in lon/lat (EPSG:4326), ~0.0001° cells (~10 m), over `store_box` (EPSG:4549),
// written by `driver` with `options` (a GeoTIFF, or a raster table appended to a GeoPackage).
// `epsg` 0 writes no CRS; `bands` > 1 makes an RGB-like file.
void write_dem(const std::filesystem::path& path, const char* driver, const geo::BBox& store_box, int epsg = 4326,
               int bands = 1, std::vector<const char*> options = {}) {
  store::ensure_gdal_registered();
  const geo::Transform to_ll("EPSG:4549", "EPSG:4326"), to_m("EPSG:4326", "EPSG:4549");
  const geo::BBox ll = to_ll.apply(store_box);
  const double cell = 0.0001;
  const int nx = static_cast<int>(ll.width() / cell) + 1, ny = static_cast<int>(ll.height() / cell) + 1;
  GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", nx, ny, bands, GDT_Float32, nullptr);
  double gt[6] = {ll.min_x, cell, 0, ll.max_y, 0, -cell};
  GDALSetGeoTransform(mem, gt);
  if (epsg) GDALSetProjection(mem, wkt_of(epsg).c_str());
  std::vector<float> z(static_cast<std::size_t>(nx) * ny);
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) {
      const geo::Coord m = to_m.apply(geo::Coord{ll.min_x + (x + 0.5) * cell, ll.max_y - (y + 0.5) * cell});
      z[static_cast<std::size_t>(y) * nx + x] = height(m.x, m.y);
    }
  }
  for (int b = 1; b <= bands; ++b) {
    REQUIRE(GDALRasterIO(GDALGetRasterBand(mem, b), GF_Write, 0, 0, nx, ny, z.data(), nx, ny, GDT_Float32, 0, 0) == CE_None);
  }
  options.push_back(nullptr);
  GDALDatasetH out = GDALCreateCopy(GDALGetDriverByName(driver), path.string().c_str(), mem, FALSE,
                                    const_cast<char**>(options.data()), nullptr, nullptr);
  REQUIRE(out);
  GDALClose(out);
  GDALClose(mem);
}

const geo::BBox kCounty{449800, 3147800, 453200, 3149200};  // the three villages and a margin

const style::StyleSet& styles() {
  static const auto s = style::StyleSet::load_directory(test::source_dir() / "styles", test::county_catalog());
  return s;
}

// Luminance spread of a tile: 0 for a flat colour, several units where hillshade draws relief.
double spread(const std::string& png) {
  const auto img = render::decode_png(png);
  double sum = 0, sum2 = 0;
  const int n = img.width * img.height;
  const auto* p = reinterpret_cast<const unsigned char*>(img.rgba.data());
  for (int i = 0; i < n; ++i) {
    const double l = 0.3 * p[4 * i] + 0.59 * p[4 * i + 1] + 0.11 * p[4 * i + 2];
    sum += l;
    sum2 += l * l;
  }
  return std::sqrt(std::max(0.0, sum2 / n - (sum / n) * (sum / n)));
}

// The terrain tile at z17 over the middle of the middle village, rendered from the store as the
// server does: its relief directory loaded by ReliefSource.
std::pair<std::string, std::string> terrain_tiles(const std::string& store) {
  auto s = store::FeatureStore::open(store, test::county_catalog(), store::FeatureStore::Mode::read_only);
  const auto index = store::ServingIndex::load(s);
  const auto relief = render::ReliefSource::load_directory(s.relief_directory());
  const auto tile = geo::tile_at(geo::Transform("EPSG:4549", "EPSG:3857").apply(geo::Coord{451500, 3148500}), 17);
  const render::MapRenderer flat(styles(), nullptr), shaded(styles(), relief.get());
  return {render::render_tile_png(flat, *index, {"terrain"}, tile, 1), render::render_tile_png(shaded, *index, {"terrain"}, tile, 1)};
}

}  // namespace

TEST_CASE("import a county DEM GeoTIFF in EPSG:4326: stored in the store CRS, tiled, hillshade shows", "[store][import][dem][issue13]") {
  const auto dir = test::scratch_dir("import_dem_tif");
  const std::string store = test::county_store(dir);
  write_dem(dir / "county-dem.tif", "GTiff", kCounty);

  const auto before = terrain_tiles(store);
  CHECK(spread(before.second) < 0.01);  // no DEM yet: nothing shaded

  const auto report = test::import_into(store, {(dir / "county-dem.tif").string()});
  REQUIRE(report.dems.size() == 1);
  CHECK(report.dems[0].find("covers 3 village(s)") != std::string::npos);
  CHECK(report.dems[0].find("WGS 84") != std::string::npos);
  const auto stored = dir / "store.dem" / "dem-county-dem.tif";
  REQUIRE(std::filesystem::exists(stored));
  CHECK_FALSE(std::filesystem::exists(stored.string() + ".importing"));

  // Reprojected once into EPSG:4549, ~10 m cells, tiled 256×256 with overviews.
  const store::Raster r = store::read_raster(stored);
  CHECK(r.crs.find("CGCS2000") != std::string::npos);
  REQUIRE(r.geotransform);
  CHECK((*r.geotransform)[1] == Approx(9.8).epsilon(0.1));
  GDALDatasetH ds = GDALOpen(stored.string().c_str(), GA_ReadOnly);
  REQUIRE(ds);
  int bx = 0, by = 0;
  GDALGetBlockSize(GDALGetRasterBand(ds, 1), &bx, &by);
  CHECK(bx == 256);
  CHECK(GDALGetOverviewCount(GDALGetRasterBand(ds, 1)) >= 1);
  GDALClose(ds);
  // Heights survive the reprojection: the cell over the middle village's centre.
  const auto& gt = *r.geotransform;
  const int col = static_cast<int>((451500 - gt[0]) / gt[1]), row = static_cast<int>((3148500 - gt[3]) / gt[5]);
  const double cx = gt[0] + (col + 0.5) * gt[1], cy = gt[3] + (row + 0.5) * gt[5];
  CHECK(r.values[static_cast<std::size_t>(row) * r.width + col] == Approx(height(cx, cy)).margin(3));

  // The pixel test: the terrain tile over the village now shows relief.
  const auto after = terrain_tiles(store);
  CHECK(spread(after.first) < 0.01);
  CHECK(spread(after.second) > 5);
}

TEST_CASE("import villages and their DEM from one GeoPackage (a raster table beside the vectors)", "[store][import][dem][issue13]") {
  const auto dir = test::scratch_dir("import_dem_gpkg");
  const auto src = dir / "county.gpkg";
  test::write_county_villages(src);
  write_dem(src, "GPKG", kCounty, 4326, 1, {"APPEND_SUBDATASET=YES", "RASTER_TABLE=dem", "TILE_FORMAT=TIFF"});
  const std::string store = (dir / "store.gpkg").string();
  const auto report = test::import_into(store, {src.string()});
  CHECK(report.imported == std::vector<std::pair<std::string, std::int64_t>>{{"villages", 3}});
  REQUIRE(report.dems.size() == 1);
  CHECK(std::filesystem::exists(dir / "store.dem" / "dem-county.tif"));
  CHECK(spread(terrain_tiles(store).second) > 5);

  // A second raster table (say, a slope grid): the file no longer says which one is the DEM.
  write_dem(src, "GPKG", kCounty, 4326, 1, {"APPEND_SUBDATASET=YES", "RASTER_TABLE=slope", "TILE_FORMAT=TIFF"});
  const std::string other = (dir / "other.gpkg").string();
  CHECK_THROWS_WITH(test::import_into(other, {src.string()}),
                    Catch::Contains("holds 2 rasters; name the DEM among them") && Catch::Contains("GPKG:" + src.string() + ":dem"));
  CHECK_FALSE(std::filesystem::exists(other));
  const auto named = test::import_into(other, {src.string(), "GPKG:" + src.string() + ":dem"});
  REQUIRE(named.dems.size() == 1);
}

TEST_CASE("an ASCII grid without CRS is refused, and imported with --source-crs", "[store][import][dem][issue13]") {
  const auto dir = test::scratch_dir("import_dem_asc");
  const std::string store = test::county_store(dir);
  // An ASCII grid in metres (EPSG:4549) without a .prj, as many survey tools export it.
  {
    store::ensure_gdal_registered();
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", 340, 140, 1, GDT_Float32, nullptr);
    double gt[6] = {kCounty.min_x, 10, 0, kCounty.max_y, 0, -10};
    GDALSetGeoTransform(mem, gt);
    std::vector<float> z(340 * 140);
    for (int y = 0; y < 140; ++y) {
      for (int x = 0; x < 340; ++x) z[static_cast<std::size_t>(y) * 340 + x] = height(kCounty.min_x + x * 10 + 5, kCounty.max_y - y * 10 - 5);
    }
    REQUIRE(GDALRasterIO(GDALGetRasterBand(mem, 1), GF_Write, 0, 0, 340, 140, z.data(), 340, 140, GDT_Float32, 0, 0) == CE_None);
    GDALClose(GDALCreateCopy(GDALGetDriverByName("AAIGrid"), (dir / "dem.asc").string().c_str(), mem, FALSE, nullptr, nullptr, nullptr));
    GDALClose(mem);
  }
  const std::string bytes = test::file_bytes(store);
  CHECK_THROWS_WITH(test::import_into(store, {(dir / "dem.asc").string()}),
                    Catch::Contains("dem.asc: DEM refused: it declares no CRS"));
  CHECK(test::file_bytes(store) == bytes);
  CHECK_FALSE(std::filesystem::exists(dir / "store.dem"));

  const auto report = test::import_into(store, {(dir / "dem.asc").string()}, [](store::ImportOptions& o) { o.source_crs = "EPSG:4549"; });
  REQUIRE(report.dems.size() == 1);
  CHECK(std::filesystem::exists(dir / "store.dem" / "dem-dem.tif"));
}

TEST_CASE("DEMs that are not single-band, have no CRS or cover no village are refused and nothing changes", "[store][import][dem][issue13]") {
  const auto dir = test::scratch_dir("import_dem_refused");
  const std::string store = test::county_store(dir);
  // A DEM already in place from an earlier import: it must survive the refusals untouched.
  write_dem(dir / "good.tif", "GTiff", kCounty);
  test::import_into(store, {(dir / "good.tif").string()});
  const auto relief_before = test::directory_bytes(dir / "store.dem");
  const std::string store_before = test::file_bytes(store);

  auto refused = [&](const std::filesystem::path& src, const std::string& fragment) {
    INFO(src.string());
    // With a valid vector file in the same import: all or nothing.
    test::write_source(dir / "pois.gpkg", "GPKG", "pois", 4549, wkbPoint, {{"name", OFTString}, {"class", OFTString}},
                       {{{"古樟", "ancient_tree"}, "POINT (450500 3148500)"}});
    CHECK_THROWS_WITH(test::import_into(store, {(dir / "pois.gpkg").string(), src.string()}),
                      Catch::Contains(src.filename().string()) && Catch::Contains(fragment));
    CHECK(test::file_bytes(store) == store_before);
    CHECK(test::directory_bytes(dir / "store.dem") == relief_before);
  };
  write_dem(dir / "nocrs.tif", "GTiff", kCounty, 0);
  refused(dir / "nocrs.tif", "DEM refused: it declares no CRS");
  write_dem(dir / "rgb.tif", "GTiff", kCounty, 4326, 3);
  refused(dir / "rgb.tif", "DEM refused: it has 3 bands; a DEM is a single-band elevation grid");
  write_dem(dir / "elsewhere.tif", "GTiff", geo::BBox{500000, 3200000, 501000, 3201000});
  refused(dir / "elsewhere.tif", "DEM refused: it covers no village of the store or the import");
}
