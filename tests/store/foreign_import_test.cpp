// Issue 13: files as other GIS tools write them. Each fixture is written through GDAL the way
// QGIS, ArcGIS or a surveyor's script writes it — DateTime timestamps, reals for counts, no
// village_code on roads, rivers, land cover and POIs (DOMAIN.md lists none), a county road
// crossing three villages, a Shapefile with DBF-cut names, a GeoJSON without a CRS, a multipoint —
// and imported. Counts, derived codes and split pieces are what a person checks by hand; every
// refusal names the feature and the reason and leaves the store byte for byte as it was.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "geo/projection.hpp"
#include "model/layer_catalog.hpp"
#include "model/validation.hpp"
#include "route/road_network.hpp"
#include "route/route_planner.hpp"
#include "store/exporter.hpp"
#include "store/feature_store.hpp"
#include "store/importer.hpp"
#include "store/serving_index.hpp"
#include "support/file_bytes.hpp"
#include "support/foreign_county.hpp"
#include "support/ogr_source.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using test::SourceFeature;
using test::SourceField;

namespace {

const std::string kWest = test::kWestVillage, kMiddle = test::kMiddleVillage, kEast = test::kEastVillage;

const model::LayerCatalog& catalog() { return test::county_catalog(); }
std::string square(double x0, double y0, double x1, double y1) { return test::square_wkt(x0, y0, x1, y1); }
void write_villages(const std::filesystem::path& path) { test::write_county_villages(path); }
std::string village_store(const std::filesystem::path& dir) { return test::county_store(dir); }
std::vector<model::Feature> read_all(const std::string& store, const std::string& cls) { return test::read_class(store, cls); }
bool mentions(const store::ImportReport& r, const std::string& fragment) { return test::report_mentions(r, fragment); }

store::ImportReport import(const std::string& store, std::vector<std::string> sources,
                           std::function<void(store::ImportOptions&)> tweak = {}) {
  return test::import_into(store, std::move(sources), tweak);
}

const std::vector<SourceField> kRoadFields = {{"name", OFTString}, {"class", OFTString}, {"width_m", OFTReal}};

std::string text(const model::Feature& f, const std::string& cls, const std::string& field) {
  return model::to_display_string(f.values[static_cast<std::size_t>(catalog().find_class(cls)->field_index(field))]);
}

std::int64_t count_in(const std::vector<std::pair<std::string, std::int64_t>>& list, const std::string& cls) {
  for (const auto& [c, n] : list) {
    if (c == cls) return n;
  }
  return 0;
}

// Imports `source` into `store` expecting a refusal naming every fragment; the store must stay
// byte-identical.
void expect_refused(const std::string& store, const std::string& source, const std::vector<std::string>& fragments,
                    std::function<void(store::ImportOptions&)> tweak = {}) {
  const std::string before = test::file_bytes(store);
  try {
    import(store, {source}, tweak);
    FAIL("the import was accepted");
  } catch (const Error& e) {
    INFO(e.what());
    for (const auto& f : fragments) CHECK(std::string(e.what()).find(f) != std::string::npos);
  }
  CHECK(test::file_bytes(store) == before);
}

}  // namespace

TEST_CASE("import: DateTime, reals for counts: villages as QGIS writes them", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_villages");
  write_villages(dir / "villages.gpkg");
  const std::string store = (dir / "store.gpkg").string();
  const auto report = import(store, {(dir / "villages.gpkg").string()});
  CHECK(count_in(report.imported, "villages") == 3);
  CHECK(mentions(report, "3 values of households: reals without a fraction read as integers"));

  const auto villages = read_all(store, "villages");
  REQUIRE(villages.size() == 3);
  CHECK(text(villages[0], "villages", "updated_at") == "2024-08-08T14:56:00");  // the time is kept
  CHECK(text(villages[1], "villages", "updated_at") == "2024-08-09T09:30:15");
  CHECK(text(villages[2], "villages", "updated_at") == "2024-08-10T00:00:00");
  CHECK(std::get<std::int64_t>(villages[1].values[4]) == 95);
}

TEST_CASE("import: a DateTime with a time of day into a date field is refused with the reason", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_since");
  const std::string store = village_store(dir);
  const std::vector<SourceField> fields = {{"pairing_id", OFTString}, {"household_id", OFTString}, {"cadre_name", OFTString},
                                           {"since", OFTDateTime}};
  const auto midnight = dir / "pairings.gpkg";
  test::write_source(midnight, "GPKG", "pairings", 4549, wkbLineString, fields,
                     {{{"P1", "H1", "王明", "2023-03-01T00:00:00"}, "LINESTRING (450100 3148100, 450200 3148200)"}});
  const auto report = import(store, {midnight.string()});
  CHECK(count_in(report.derived, "pairings") == 1);
  CHECK(text(read_all(store, "pairings")[0], "pairings", "since") == "2023-03-01");

  const auto timed = dir / "pairings2.gpkg";
  test::write_source(timed, "GPKG", "pairings", 4549, wkbLineString, fields,
                     {{{"P2", "H2", "李红", "2023-03-01T14:30:00"}, "LINESTRING (450100 3148100, 450300 3148200)"}});
  expect_refused(store, timed.string(),
                 {"pairings2.gpkg", "feature 1", "field since", "2023-03-01T14:30:00", "time of day (14:30:00)"});
}

TEST_CASE("import: roads, POIs and land cover without village_code get it by location", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_location");
  const std::string store = village_store(dir);

  // A county road west to east across all three villages; a village road inside the middle one.
  test::write_source(dir / "roads.gpkg", "GPKG", "roads", 4549, wkbLineString, kRoadFields,
                     {{{"松古线", "county", "7.5"}, "LINESTRING (450100 3148500, 451500 3148520, 452900 3148500)"},
                      {{"中村路", "village", "4"}, "LINESTRING (451200 3148200, 451800 3148800)"}});
  test::write_source(dir / "pois.gpkg", "GPKG", "pois", 4549, wkbPoint,
                     {{"name", OFTString}, {"class", OFTString}, {"kind", OFTString}},
                     {{{"千年红豆杉", "ancient_tree", "natural"}, "POINT (450300 3148300)"},
                      {{"东村小学", "school", "facility"}, "POINT (452700 3148700)"}});
  // Tea terraces 700 m in the west village, 300 m in the middle one.
  test::write_source(dir / "landcover.gpkg", "GPKG", "landcover", 4549, wkbPolygon,
                     {{"class", OFTString}, {"name", OFTString}},
                     {{{"tea", "西坡茶园"}, square(450300, 3148100, 451300, 3148300)}});

  const auto report = import(store, {(dir / "roads.gpkg").string(), (dir / "pois.gpkg").string(),
                                     (dir / "landcover.gpkg").string()});
  CHECK(count_in(report.imported, "roads") == 4);  // the county road in three pieces + the village road
  CHECK(count_in(report.derived, "roads") == 4);
  CHECK(count_in(report.derived, "pois") == 2);
  CHECK(count_in(report.derived, "landcover") == 1);
  REQUIRE(report.split.size() == 1);
  CHECK(report.split[0].first == "roads");
  CHECK(report.split[0].second == std::pair<std::int64_t, std::int64_t>{1, 3});
  CHECK(mentions(report, "(松古线): split at village boundaries into 3 pieces (" + kWest + ", " + kMiddle + ", " + kEast + ")"));
  CHECK(mentions(report, "(西坡茶园): spans villages; keyed to " + kWest + ", which holds 70% of its area"));

  const auto roads = read_all(store, "roads");
  REQUIRE(roads.size() == 4);
  // The pieces in order along the road, each named 松古线, each in its village, meeting exactly at
  // the boundaries x = 451000 and x = 452000.
  std::map<std::string, model::Feature> county;
  for (const auto& r : roads) {
    if (text(r, "roads", "name") == "松古线") county[text(r, "roads", "village_code")] = r;
  }
  REQUIRE(county.size() == 3);
  const auto& west = county[kWest].geometry.coords;
  const auto& middle = county[kMiddle].geometry.coords;
  const auto& east = county[kEast].geometry.coords;
  CHECK(west.front().x == 450100);
  CHECK(west.back().x == Approx(451000).margin(1e-6));
  CHECK(middle.front() == west.back());  // the same cut point, bit for bit
  CHECK(middle.back().x == Approx(452000).margin(1e-6));
  CHECK(east.front() == middle.back());
  CHECK(east.back().x == 452900);
  CHECK(text(county[kMiddle], "roads", "width_m") == "7.5");
  CHECK(county[kMiddle].geometry.coords.size() == 3);  // keeps the bend at 451500
  for (const auto& r : roads) {
    if (text(r, "roads", "name") == "中村路") CHECK(text(r, "roads", "village_code") == kMiddle);
  }

  const auto pois = read_all(store, "pois");
  REQUIRE(pois.size() == 2);
  CHECK(text(pois[0], "pois", "village_code") == kWest);
  CHECK(text(pois[1], "pois", "village_code") == kEast);
  CHECK(text(read_all(store, "landcover")[0], "landcover", "village_code") == kWest);

  // The split county road still routes end to end: one network, the whole length.
  const auto s = store::FeatureStore::open(store, catalog(), store::FeatureStore::Mode::read_only);
  const auto index = store::ServingIndex::load(s);
  const auto net = route::RoadNetwork::build(*index);
  CHECK(net->component_count() == 1);
  const geo::Transform to_3857("EPSG:4549", "EPSG:3857");
  route::RouteRequest request;
  request.from = to_3857.apply(geo::Coord{450100, 3148500});
  request.targets = {to_3857.apply(geo::Coord{452900, 3148500})};
  const auto route = route::plan_route(*net, request);
  const double straight = std::hypot(1400.0, 20.0) * 2;  // ground length of the two legs
  CHECK(route.path.length_m == Approx(straight).epsilon(0.01));
}

TEST_CASE("import: villages and keyless features in one import", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_same");
  write_villages(dir / "villages.gpkg");
  test::write_source(dir / "rivers.geojson", "GeoJSON", "rivers", 4549, wkbLineString, {{"name", OFTString}, {"class", OFTString}},
                     {{{"松阴溪", "river"}, "LINESTRING (450500 3148050, 451500 3148950)"}});
  const std::string store = (dir / "store.gpkg").string();
  const auto report = import(store, {(dir / "villages.gpkg").string(), (dir / "rivers.geojson").string()});
  CHECK(count_in(report.imported, "villages") == 3);
  CHECK(count_in(report.imported, "rivers") == 2);
  CHECK(count_in(report.derived, "rivers") == 2);
}

TEST_CASE("import: features outside every village are refused with their ids, or kept with --outside keep", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_outside");
  const std::string store = village_store(dir);
  const auto src = dir / "shelters.gpkg";
  test::write_source(src, "GPKG", "shelters", 4549, wkbPoint,
                     {{"shelter_id", OFTString}, {"name", OFTString}, {"capacity", OFTInteger}, {"type", OFTString}},
                     {{{"S1", "西村礼堂", "200", "hall"}, "POINT (450500 3148500)"},
                      {{"S9", "县体育场", "5000", "open_space"}, "POINT (460000 3150000)"}});
  expect_refused(store, src.string(), {"1 feature(s)", "outside every village", "shelters.gpkg layer shelters feature 2 (S9)"});

  // A road that leaves the county's villages: its outside piece is named too.
  test::write_source(dir / "roads.gpkg", "GPKG", "roads", 4549, wkbLineString, kRoadFields,
                     {{{"出村路", "township", "6"}, "LINESTRING (452500 3148500, 453500 3148500)"}});
  expect_refused(store, (dir / "roads.gpkg").string(), {"feature 1 piece 2 (出村路)", "outside every village"});

  const auto report = import(store, {src.string()}, [](store::ImportOptions& o) { o.outside_code = "331124000000"; });
  CHECK(mentions(report, "outside every village; kept with code 331124000000"));
  CHECK(count_in(report.derived, "shelters") == 1);
  const auto shelters = read_all(store, "shelters");
  REQUIRE(shelters.size() == 2);
  CHECK(text(shelters[1], "shelters", "village_code") == "331124000000");
}

TEST_CASE("import: a Shapefile with DBF-cut names, a GeoJSON without CRS, a multipoint", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_formats");
  const std::string store = village_store(dir);
  // GDAL's Shapefile writer cuts building_id, household_id and village_code to 10 characters, as
  // ArcGIS does; floors and built_year come as reals.
  test::write_source(dir / "buildings.shp", "ESRI Shapefile", "buildings", 4549, wkbPolygon,
                     {{"building_id", OFTString}, {"household_id", OFTString}, {"use", OFTString},
                      {"structure", OFTString}, {"floors", OFTReal}, {"built_year", OFTReal}},
                     {{{"B1", "H1", "residential", "brick_concrete", "3", "1998"}, square(451100, 3148100, 451120, 3148115)}});
  // A GeoJSON as geojson.io writes it: no "crs" member, longitude/latitude (RFC 7946).
  const geo::Coord ll = geo::Transform("EPSG:4549", "EPSG:4326").apply(geo::Coord{452500, 3148500});
  test::write_source(dir / "org_units.geojson", "GeoJSON", "org_units", 0, wkbPoint,
                     {{"name", OFTString}, {"type", OFTString}, {"members", OFTInteger}},
                     {{{"东村党支部", "party_branch", "7"}, "POINT (" + std::to_string(ll.x) + " " + std::to_string(ll.y) + ")"}});
  // Households digitised as one multipoint (two houses of one family).
  test::write_source(dir / "households.gpkg", "GPKG", "households", 4549, wkbMultiPoint,
                     {{"household_id", OFTString}, {"head_name", OFTString}, {"members", OFTString}},
                     {{{"H7", "叶建国", " 4 "}, "MULTIPOINT ((450200 3148200), (451200 3148200))"}});

  const auto report = import(store, {(dir / "buildings.shp").string(), (dir / "org_units.geojson").string(),
                                     (dir / "households.gpkg").string()});
  CHECK(mentions(report, "field \"building_i\" read as building_id (a name cut to 10 characters by the DBF format)"));
  CHECK(mentions(report, "field \"village_co\"") == false);  // the file has none: derived instead
  CHECK(mentions(report, "org_units: read as CRS84 (longitude, latitude)"));
  CHECK(mentions(report, "a multipoint of 2 points where households holds single points; exploded into 2 features (household_id H7-1, H7-2)"));

  const auto buildings = read_all(store, "buildings");
  REQUIRE(buildings.size() == 1);
  CHECK(text(buildings[0], "buildings", "household_id") == "H1");
  CHECK(text(buildings[0], "buildings", "floors") == "3");
  CHECK(text(buildings[0], "buildings", "village_code") == kMiddle);
  const auto org = read_all(store, "org_units");
  REQUIRE(org.size() == 1);
  CHECK(org[0].geometry.coords[0].x == Approx(452500).margin(0.001));
  CHECK(text(org[0], "org_units", "village_code") == kEast);
  const auto households = read_all(store, "households");
  REQUIRE(households.size() == 2);
  CHECK(text(households[0], "households", "household_id") == "H7-1");
  CHECK(text(households[0], "households", "village_code") == kWest);
  CHECK(text(households[1], "households", "village_code") == kMiddle);
  CHECK(text(households[1], "households", "members") == "4");
}

TEST_CASE("import: --map-fields renames layers, fields and values, and --dry-run writes nothing", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_mapping");
  const std::string store = village_store(dir);
  // A surveyor's road layer with pinyin-initial names, as Chinese GIS projects often use.
  test::write_source(dir / "survey.gpkg", "GPKG", "DLXX", 4549, wkbLineString,
                     {{"DLMC", OFTString}, {"DJ", OFTString}, {"KD", OFTString}},
                     {{{"新兴路", "乡道", "5.5"}, "LINESTRING (451100 3148100, 451900 3148900)"}});
  std::ofstream(dir / "mapping.json") << R"({"layers": {"DLXX": {"class": "roads",
      "fields": {"DLMC": "name", "DJ": "class", "KD": "width_m"},
      "values": {"class": {"县道": "county", "乡道": "township"}}}}})";
  const std::string before = test::file_bytes(store);
  const auto dry = import(store, {(dir / "survey.gpkg").string()}, [&](store::ImportOptions& o) {
    o.field_mapping = dir / "mapping.json";
    o.dry_run = true;
  });
  CHECK_FALSE(dry.written);
  CHECK(count_in(dry.imported, "roads") == 1);
  CHECK(count_in(dry.derived, "roads") == 1);
  CHECK(test::file_bytes(store) == before);

  const auto report = import(store, {(dir / "survey.gpkg").string()},
                             [&](store::ImportOptions& o) { o.field_mapping = dir / "mapping.json"; });
  CHECK(report.written);
  CHECK(mentions(report, "field \"DLMC\" read as name (field mapping)"));
  const auto roads = read_all(store, "roads");
  REQUIRE(roads.size() == 1);
  CHECK(text(roads[0], "roads", "class") == "township");
  CHECK(text(roads[0], "roads", "name") == "新兴路");
  CHECK(std::get<double>(roads[0].values[3]) == 5.5);

  // A value the mapping does not cover is refused with the field and the value.
  test::write_source(dir / "survey2.gpkg", "GPKG", "DLXX", 4549, wkbLineString,
                     {{"DLMC", OFTString}, {"DJ", OFTString}, {"KD", OFTString}},
                     {{{"机耕路", "机耕道", "2"}, "LINESTRING (451100 3148100, 451200 3148300)"}});
  expect_refused(store, (dir / "survey2.gpkg").string(), {"feature 1", "field class", "\"机耕道\" is not one of"},
                 [&](store::ImportOptions& o) { o.field_mapping = dir / "mapping.json"; });

  // A mapping naming a field that does not exist is a configuration error naming the key.
  std::ofstream(dir / "bad.json") << R"({"layers": {"DLXX": {"class": "roads", "fields": {"DLMC": "road_name"}}}})";
  CHECK_THROWS_WITH(import(store, {(dir / "survey.gpkg").string()}, [&](store::ImportOptions& o) { o.field_mapping = dir / "bad.json"; }),
                    Catch::Contains("layers.DLXX.fields.DLMC") && Catch::Contains("road_name"));
}

TEST_CASE("import: a store written before updated_at became a date-time still loads and takes times", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_migrate");
  const auto store = dir / "old.gpkg";
  std::filesystem::copy_file(test::sample_store(), store);
  // The committed sample has a DATE column: its values read as the days they are.
  const auto before = read_all(store.string(), "villages");
  REQUIRE_FALSE(before.empty());
  const std::string day = text(before[0], "villages", "updated_at");
  CHECK(model::is_iso_date(day));

  // Importing a village with a time widens the column; old values keep their day, the new time is kept.
  const geo::Coord far{300000, 3000000};
  test::write_source(dir / "v.gpkg", "GPKG", "villages", 4549, wkbPolygon,
                     {{"village_code", OFTString}, {"name", OFTString}, {"township", OFTString}, {"county", OFTString},
                      {"updated_at", OFTDateTime}},
                     {{{"331124999999", "新村", "新兴镇", "松阳县", "2025-01-02T08:15:00"},
                       square(far.x, far.y, far.x + 100, far.y + 100)}});
  import(store.string(), {(dir / "v.gpkg").string()});
  const auto after = read_all(store.string(), "villages");
  REQUIRE(after.size() == before.size() + 1);
  CHECK(text(after[0], "villages", "updated_at").substr(0, 10) == day);
  CHECK(text(after.back(), "villages", "updated_at") == "2025-01-02T08:15:00");
}

TEST_CASE("import: the sample's households without village_code get back the codes they had", "[store][import][issue13]") {
  const auto dir = test::scratch_dir("import_foreign_sample");
  // The villages (with the rest of the terrain map) as another tool would hand them over…
  store::ExportOptions out;
  out.store = test::sample_store().string();
  out.maps = {"terrain"};
  out.out = dir / "terrain.gpkg";
  store::export_features(out, catalog());
  // …and the households as a surveyor's file: id and position only, no village_code.
  std::vector<SourceFeature> houses;
  std::map<std::string, std::string> expected;
  const auto& def = *catalog().find_class("households");
  const auto id_k = static_cast<std::size_t>(def.field_index("household_id"));
  const auto code_k = static_cast<std::size_t>(def.field_index("village_code"));
  for (const auto& h : read_all(test::sample_store().string(), "households")) {
    const std::string id = text(h, "households", "household_id");
    expected[id] = model::to_display_string(h.values[code_k]);
    char wkt[96];
    std::snprintf(wkt, sizeof wkt, "POINT (%.6f %.6f)", h.geometry.coords[0].x, h.geometry.coords[0].y);
    houses.push_back({{id}, wkt});
  }
  REQUIRE(houses.size() > 100);
  test::write_source(dir / "households.gpkg", "GPKG", "households", 4549, wkbPoint, {{"household_id", OFTString}}, houses);

  const std::string store = (dir / "store.gpkg").string();
  const auto report = import(store, {(dir / "terrain.gpkg").string(), (dir / "households.gpkg").string()});
  CHECK(count_in(report.derived, "households") == static_cast<std::int64_t>(houses.size()));
  std::size_t same = 0;
  for (const auto& h : read_all(store, "households")) {
    same += expected.at(model::to_display_string(h.values[id_k])) == model::to_display_string(h.values[code_k]);
  }
  CHECK(same == houses.size());
}
