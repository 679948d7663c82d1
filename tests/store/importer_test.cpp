// `minqing import`: each tested format and CRS arrives in the store CRS with its fields mapped;
// each kind of bad input is refused with a message naming file, layer, feature and reason, and
// leaves the store byte for byte as it was.

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "geo/projection.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "store/importer.hpp"
#include "support/file_bytes.hpp"
#include "support/ogr_source.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using test::SourceFeature;
using test::SourceField;

namespace {

const model::LayerCatalog& catalog() {
  static const auto c = model::LayerCatalog::load_directory(test::layers_dir());
  return c;
}

const std::vector<SourceField> kHouseholdFields = {
    {"household_id", OFTString}, {"village_code", OFTString}, {"head_name", OFTString},
    {"members", OFTReal},        {"employment", OFTString},   {"remark", OFTString}};

// Three households near Songyang, 119.48°E 28.45°N, in WGS 84.
std::vector<SourceFeature> households_wgs84() {
  return {{{"H1", "331124101201", "叶建国", "3", "farming", "东头"}, "POINT (119.4801 28.4502)"},
          {{"H2", "331124101201", "周美华", "4.0", "migrant", ""}, "POINT (119.4805 28.4507)"},
          {{"H3", "331124101201", "", "", "business", ""}, "POINT (119.4811 28.4499)"}};
}

std::vector<model::Feature> read_all(const std::string& store, const std::string& cls) {
  auto s = store::FeatureStore::open(store, catalog(), store::FeatureStore::Mode::read_only);
  std::vector<model::Feature> out;
  s.for_each(cls, [&](model::Feature& f) { out.push_back(f); });
  return out;
}

store::ImportReport import(const std::string& store, std::vector<std::string> sources,
                           std::function<void(store::ImportOptions&)> tweak = {}) {
  store::ImportOptions o;
  o.store = store;
  o.sources = std::move(sources);
  if (tweak) tweak(o);
  return store::import_sources(o, catalog());
}

bool mentions(const store::ImportReport& r, const std::string& fragment) {
  for (const auto& n : r.notes) {
    if (n.find(fragment) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("import GeoJSON in WGS 84: reprojected, fields mapped, unknown field reported", "[store][import]") {
  const auto dir = test::scratch_dir("import_geojson");
  const auto src = dir / "households.geojson";
  test::write_source(src, "GeoJSON", "households", 4326, wkbPoint, kHouseholdFields, households_wgs84());
  const std::string store = (dir / "store.gpkg").string();

  const auto report = import(store, {src.string()});
  REQUIRE(report.imported.size() == 1);
  CHECK(report.imported[0] == std::pair<std::string, std::int64_t>{"households", 3});
  CHECK(mentions(report, "\"remark\" is not defined for households"));

  const auto features = read_all(store, "households");
  REQUIRE(features.size() == 3);
  const auto& def = *catalog().find_class("households");
  const auto expected = geo::Transform("EPSG:4326", "EPSG:4549").apply(geo::Coord{119.4801, 28.4502});
  CHECK(features[0].geometry.coords[0].x == Approx(expected.x).margin(0.001));
  CHECK(features[0].geometry.coords[0].y == Approx(expected.y).margin(0.001));
  CHECK(std::get<std::string>(features[0].values[def.field_index("head_name")]) == "叶建国");
  CHECK(std::get<std::int64_t>(features[1].values[def.field_index("members")]) == 4);  // real 4.0 → integer
  CHECK(model::is_null(features[2].values[def.field_index("head_name")]));
}

TEST_CASE("import a Shapefile in EPSG:4549 with DBF-cut names and numbers written as text", "[store][import]") {
  const auto dir = test::scratch_dir("import_shp");
  const auto src = dir / "roads.shp";
  test::write_source(src, "ESRI Shapefile", "roads", 4549, wkbLineString,
                     {{"village_code", OFTString}, {"name", OFTString}, {"class", OFTString}, {"width_m", OFTString}},
                     {{{"331124101201", "松古线", "county", "7.5"}, "LINESTRING (452000 3148000, 452500 3148100)"},
                      {{"331124101201", "", "path", " 2 "}, "LINESTRING (452500 3148100, 452600 3148400)"}});
  const std::string store = (dir / "store.gpkg").string();
  const auto report = import(store, {src.string()});
  CHECK(mentions(report, "read as village_code"));
  const auto roads = read_all(store, "roads");
  REQUIRE(roads.size() == 2);
  const auto& def = *catalog().find_class("roads");
  CHECK(std::get<std::string>(roads[0].values[def.field_index("village_code")]) == "331124101201");
  CHECK(std::get<double>(roads[0].values[def.field_index("width_m")]) == 7.5);
  CHECK(std::get<double>(roads[1].values[def.field_index("width_m")]) == 2.0);
  CHECK(roads[0].geometry.coords[1].x == Approx(452500).margin(1e-6));  // same CRS: untouched
}

TEST_CASE("import GeoPackages in CGCS2000 geographic (4490) and zone-prefixed GK (4528)", "[store][import]") {
  const auto dir = test::scratch_dir("import_gpkg");
  const std::vector<SourceField> fields = {{"shelter_id", OFTString}, {"village_code", OFTString}, {"name", OFTString},
                                           {"capacity", OFTInteger}, {"type", OFTString}};
  test::write_source(dir / "a.gpkg", "GPKG", "shelters", 4490, wkbPoint, fields,
                     {{{"S1", "331124101201", "村文化礼堂", "200", "hall"}, "POINT (119.48 28.45)"}});
  const geo::Coord gk = geo::Transform("EPSG:4490", "EPSG:4549").apply(geo::Coord{119.481, 28.451});
  test::write_source(dir / "b.gpkg", "GPKG", "shelters", 4528, wkbPoint, fields,
                     {{{"S2", "331124101201", "村小学", "300", "school"},
                       "POINT (" + std::to_string(40000000 + gk.x) + " " + std::to_string(gk.y) + ")"}});
  const std::string store = (dir / "store.gpkg").string();
  import(store, {(dir / "a.gpkg").string(), (dir / "b.gpkg").string()});
  const auto shelters = read_all(store, "shelters");
  REQUIRE(shelters.size() == 2);
  const geo::Coord a = geo::Transform("EPSG:4490", "EPSG:4549").apply(geo::Coord{119.48, 28.45});
  CHECK(shelters[0].geometry.coords[0].x == Approx(a.x).margin(0.001));
  CHECK(shelters[1].geometry.coords[0].x == Approx(gk.x).margin(0.001));  // prefix removed
  CHECK(shelters[1].geometry.coords[0].y == Approx(gk.y).margin(0.001));
}

TEST_CASE("import KML", "[store][import]") {
  const auto dir = test::scratch_dir("import_kml");
  const auto src = dir / "pois.kml";
  test::write_source(src, "LIBKML", "pois", 4326, wkbPoint,
                     {{"name", OFTString}, {"village_code", OFTString}, {"class", OFTString}, {"kind", OFTString}},
                     {{{"千年红豆杉", "331124101201", "ancient_tree", "natural"}, "POINT (119.4802 28.4503)"}});
  const std::string store = (dir / "store.gpkg").string();
  import(store, {src.string()});
  const auto pois = read_all(store, "pois");
  REQUIRE(pois.size() == 1);
  CHECK(std::get<std::string>(pois[0].values[catalog().find_class("pois")->field_index("name")]) == "千年红豆杉");
}

namespace {

// Imports `source` into a store that already holds households and expects a refusal that names
// every fragment, with the store (and its DEM directory) byte-identical afterwards.
void expect_refused(const test::SourceFeature& bad, const std::vector<std::string>& fragments,
                    int epsg = 4326, OGRwkbGeometryType type = wkbPoint, const std::string& layer = "households") {
  const auto dir = test::scratch_dir("import_refused");
  const auto good = dir / "good.geojson";
  test::write_source(good, "GeoJSON", "households", 4326, wkbPoint, kHouseholdFields, households_wgs84());
  const std::string store = (dir / "store.gpkg").string();
  import(store, {good.string()});
  const std::string before = test::file_bytes(store);

  const auto src = dir / "bad.gpkg";
  auto features = households_wgs84();
  for (auto& f : features) f.values[0] += "-new";
  features.push_back(bad);
  test::write_source(src, "GPKG", layer, epsg, type, kHouseholdFields, features);
  try {
    import(store, {src.string()});
    FAIL("the import was accepted");
  } catch (const DataError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("bad.gpkg") != std::string::npos);
    for (const auto& f : fragments) CHECK(std::string(e.what()).find(f) != std::string::npos);
  }
  CHECK(test::file_bytes(store) == before);
  CHECK(read_all(store, "households").size() == 3);
}

}  // namespace

TEST_CASE("bad imports are refused and leave the store unchanged", "[store][import]") {
  SECTION("missing village key, and no village to derive it from (issue 13)") {
    expect_refused({{"H9", "", "王五", "2", "farming", ""}, "POINT (119.48 28.45)"},
                   {"layer households", "feature 4 (H9)", "no village code and lie outside every village",
                    "neither the store nor the import holds villages"});
  }
  SECTION("value that cannot be converted without loss") {
    expect_refused({{"H9", "331124101201", "王五", "2.5", "farming", ""}, "POINT (119.48 28.45)"},
                   {"feature 4", "field members", "\"2.5\" cannot be converted to integer without loss: it has a fraction"});
  }
  SECTION("value outside the field's domain") {
    expect_refused({{"H9", "331124101201", "王五", "2", "farmer", ""}, "POINT (119.48 28.45)"},
                   {"feature 4", "\"farmer\" is not one of"});
  }
  SECTION("wrong geometry type") {
    expect_refused({{"H9", "331124101201", "王五", "2", "farming", ""}, "LINESTRING (119.48 28.45, 119.49 28.46)"},
                   {"feature 4", "wrong geometry type"}, 4326, wkbUnknown);
  }
  SECTION("unknown CRS") {
    expect_refused({{"H9", "331124101201", "王五", "2", "farming", ""}, "POINT (119.48 28.45)"},
                   {"layer households", "unknown CRS"}, 0);
  }
  SECTION("a layer that matches no feature class") {
    expect_refused({{"H9", "331124101201", "王五", "2", "farming", ""}, "POINT (119.48 28.45)"},
                   {"layer farmhouses", "matches no feature class"}, 4326, wkbPoint, "farmhouses");
  }
  SECTION("a key that is already in the store") {
    expect_refused({{"H1", "331124101201", "王五", "2", "farming", ""}, "POINT (119.48 28.45)"},
                   {"household_id \"H1\" occurs twice"});
  }
}

TEST_CASE("invalid geometries are refused, or repaired and reported with --repair", "[store][import]") {
  const auto dir = test::scratch_dir("import_invalid");
  const auto src = dir / "hazards.geojson";
  // A bow-tie: the ring crosses itself.
  test::write_source(src, "GeoJSON", "hazard_zones", 4326, wkbPolygon,
                     {{"zone_id", OFTString}, {"village_code", OFTString}, {"hazard", OFTString}, {"risk", OFTString}},
                     {{{"Z1", "331124101201", "landslide", "high"},
                       "POLYGON ((119.48 28.45, 119.49 28.46, 119.49 28.45, 119.48 28.46, 119.48 28.45))"}});
  const std::string store = (dir / "store.gpkg").string();
  CHECK_THROWS_WITH(import(store, {src.string()}),
                    Catch::Contains("feature 0") && Catch::Contains("invalid geometry") && Catch::Contains("Self-intersection"));
  CHECK_FALSE(std::filesystem::exists(store));  // a store the import would have created is not left behind

  const auto report = import(store, {src.string()}, [](store::ImportOptions& o) { o.repair = true; });
  CHECK(mentions(report, "repaired invalid geometry"));
  const auto zones = read_all(store, "hazard_zones");
  REQUIRE(zones.size() == 1);
  CHECK(zones[0].geometry.polygon_ends.size() == 2);  // the bow-tie becomes two triangles
}

TEST_CASE("a list field is an unknown field type", "[store][import]") {
  const auto dir = test::scratch_dir("import_list");
  const auto src = dir / "h.geojson";
  std::ofstream(src) << R"({"type":"FeatureCollection","name":"households","features":[{"type":"Feature",)"
                        R"("properties":{"household_id":"H1","village_code":"331124101201","members":[1,2]},)"
                        R"("geometry":{"type":"Point","coordinates":[119.48,28.45]}}]})";
  CHECK_THROWS_WITH(import((dir / "s.gpkg").string(), {src.string()}),
                    Catch::Contains("field members") && Catch::Contains("unknown field type"));
}
