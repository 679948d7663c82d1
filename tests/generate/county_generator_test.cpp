// `minqing generate`: what a user checks in the generated sample — determinism, completeness,
// validity, plausible numbers, consistent keys, a tiling of villages, land cover and grids, a
// connected road network, safe shelters, and DEMs that match at village edges.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <catch2/catch.hpp>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "generate/geos_ops.hpp"
#include "generate/names.hpp"
#include "generate/road_network.hpp"
#include "geo/geos.hpp"
#include "model/validation.hpp"
#include "generated_store.hpp"

using namespace minqing;
using test::generator_catalog;
using test::int_of;
using test::read_all;
using test::text_of;
using test::three_villages;

namespace {

std::map<std::string, std::vector<model::Feature>> by_village(const std::vector<model::Feature>& fs, const std::string& cls) {
  std::map<std::string, std::vector<model::Feature>> out;
  for (const auto& f : fs) out[text_of(f, cls, "village_code")].push_back(f);
  return out;
}

bool covers(const geo::GeosContext& ctx, const geo::Geometry& poly, const geo::Geometry& pt) {
  auto a = geo::to_geos(ctx, poly);
  auto b = geo::to_geos(ctx, pt);
  return GEOSCovers_r(ctx.handle(), a.get(), b.get()) == 1;
}

std::vector<std::filesystem::path> dem_files(const std::filesystem::path& gpkg) {
  std::vector<std::filesystem::path> out;
  const auto dir = gpkg.parent_path() / (gpkg.stem().string() + ".dem");
  if (std::filesystem::exists(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("generate: the same seed gives byte-identical stores and DEMs, another seed differs", "[generate]") {
  const auto a = test::generate_into("generate-seed-a", 2, 77);
  const auto b = test::generate_into("generate-seed-b", 2, 77);
  const auto c = test::generate_into("generate-seed-c", 2, 78);
  CHECK(test::file_bytes(a) == test::file_bytes(b));
  const auto da = dem_files(a), db = dem_files(b), dc = dem_files(c);
  REQUIRE(da.size() == 2);
  REQUIRE(db.size() == 2);
  for (std::size_t i = 0; i < da.size(); ++i) {
    CHECK(da[i].filename() == db[i].filename());
    CHECK(test::file_bytes(da[i]) == test::file_bytes(db[i]));
  }
  CHECK(test::file_bytes(a) != test::file_bytes(c));
  REQUIRE(dc.size() == 2);
  CHECK(test::file_bytes(da[0]) != test::file_bytes(dc[0]));
  std::set<std::string> names_a, names_c;
  for (const auto& v : read_all(a, "villages")) names_a.insert(text_of(v, "villages", "name"));
  for (const auto& v : read_all(c, "villages")) names_c.insert(text_of(v, "villages", "name"));
  CHECK(names_a != names_c);
}

TEST_CASE("generate: every class is populated and every feature validates", "[generate]") {
  geo::GeosContext ctx;
  for (const auto& def : generator_catalog().classes()) {
    const auto features = read_all(three_villages(), def.name);
    INFO(def.name);
    CHECK(!features.empty());
    const model::FeatureValidator validator(def);
    for (const auto& f : features) {
      const auto why = validator.check(f);
      INFO("fid " << f.fid << ": " << why.value_or(""));
      CHECK(!why);
      const auto bad = geo::invalid_reason(ctx, f.geometry);
      INFO("geometry: " << bad.value_or(""));
      CHECK(!bad);
    }
  }
}

TEST_CASE("generate: three neighbouring villages of one township in Songyang", "[generate]") {
  const auto villages = read_all(three_villages(), "villages");
  REQUIRE(villages.size() == 3);
  std::set<std::string> townships, codes, names;
  for (const auto& v : villages) {
    townships.insert(text_of(v, "villages", "township"));
    codes.insert(text_of(v, "villages", "village_code"));
    names.insert(text_of(v, "villages", "name"));
    CHECK(text_of(v, "villages", "county") == "松阳县");
    CHECK(text_of(v, "villages", "village_code").rfind("331124", 0) == 0);
  }
  CHECK(townships.size() == 1);
  CHECK(codes.size() == 3);
  CHECK(names.size() == 3);

  // Around 119.48°E 28.45°N in EPSG:4549 (within ~40 km).
  const auto box = villages[0].geometry.bbox();
  CHECK(box.center().x > 400000);
  CHECK(box.center().x < 500000);
  CHECK(box.center().y > 3100000);
  CHECK(box.center().y < 3200000);

  // Neighbours share boundaries exactly: the union's area is the sum of the areas, and each
  // village touches another along a long shared edge.
  geo::GeosContext ctx;
  double sum = 0;
  std::vector<geo::Geometry> polys;
  for (const auto& v : villages) {
    sum += generate::area(ctx, v.geometry);
    polys.push_back(v.geometry);
  }
  const double united = generate::area(ctx, generate::union_all(ctx, polys));
  CHECK(std::fabs(united - sum) < 1.0);
  auto a = geo::to_geos(ctx, villages[0].geometry), b = geo::to_geos(ctx, villages[1].geometry);
  generate::GeosGeometry shared(ctx, GEOSIntersection_r(ctx.handle(), a.get(), b.get()));
  double shared_len = 0;
  GEOSLength_r(ctx.handle(), shared.get(), &shared_len);
  CHECK(shared_len > 1000);
  CHECK(generate::area(ctx, shared) < 0.01);
  for (const auto& v : villages) {
    const double km2 = generate::area(ctx, v.geometry) / 1e6;
    CHECK(km2 > 2.5);
    CHECK(km2 < 9);
  }
}

TEST_CASE("generate: household counts and village totals add up", "[generate]") {
  const auto villages = read_all(three_villages(), "villages");
  const auto households = by_village(read_all(three_villages(), "households"), "households");
  for (const auto& v : villages) {
    const auto code = text_of(v, "villages", "village_code");
    const auto& hh = households.at(code);
    INFO(code);
    CHECK(hh.size() > 200);
    CHECK(hh.size() < 420);
    std::int64_t people = 0;
    std::set<std::string> ids;
    for (const auto& h : hh) {
      people += int_of(h, "households", "members");
      ids.insert(text_of(h, "households", "household_id"));
      CHECK(text_of(h, "households", "phone").size() == 11);
      CHECK(int_of(h, "households", "migrant_members") <= int_of(h, "households", "members"));
    }
    CHECK(ids.size() == hh.size());
    CHECK(int_of(v, "villages", "households") == static_cast<std::int64_t>(hh.size()));
    CHECK(int_of(v, "villages", "population") == people);
    const double mean = static_cast<double>(people) / static_cast<double>(hh.size());
    CHECK(mean > 2.5);
    CHECK(mean < 3.2);
  }
}

TEST_CASE("generate: each household lies in its village, its grid and its building", "[generate]") {
  geo::GeosContext ctx;
  std::map<std::string, geo::Geometry> village_geom, grid_geom, building_geom;
  std::map<std::string, std::string> grid_village, building_household;
  for (const auto& v : read_all(three_villages(), "villages")) village_geom[text_of(v, "villages", "village_code")] = v.geometry;
  for (const auto& g : read_all(three_villages(), "grids")) {
    grid_geom[text_of(g, "grids", "grid_id")] = g.geometry;
    grid_village[text_of(g, "grids", "grid_id")] = text_of(g, "grids", "village_code");
  }
  for (const auto& b : read_all(three_villages(), "buildings")) {
    building_geom[text_of(b, "buildings", "building_id")] = b.geometry;
    building_household[text_of(b, "buildings", "building_id")] = text_of(b, "buildings", "household_id");
  }
  const auto grids_per_village = by_village(read_all(three_villages(), "grids"), "grids");
  for (const auto& [code, gs] : grids_per_village) {
    CHECK(gs.size() >= 3);
    CHECK(gs.size() <= 6);
  }
  for (const auto& h : read_all(three_villages(), "households")) {
    const auto id = text_of(h, "households", "household_id");
    const auto code = text_of(h, "households", "village_code");
    const auto grid = text_of(h, "households", "grid_id");
    const auto building = text_of(h, "households", "building_id");
    INFO(id);
    REQUIRE(grid_geom.count(grid));
    CHECK(grid_village[grid] == code);
    CHECK(covers(ctx, village_geom.at(code), h.geometry));
    CHECK(covers(ctx, grid_geom.at(grid), h.geometry));
    REQUIRE(building_geom.count(building));
    CHECK(covers(ctx, building_geom.at(building), h.geometry));
    CHECK(building_household[building] == id);
  }
}

TEST_CASE("generate: buildings overlap neither each other nor the roads", "[generate]") {
  geo::GeosContext ctx;
  const auto buildings = read_all(three_villages(), "buildings");
  REQUIRE(buildings.size() > 600);
  std::vector<std::pair<geo::BBox, std::size_t>> boxes;
  for (std::size_t i = 0; i < buildings.size(); ++i) boxes.push_back({buildings[i].geometry.bbox(), i});
  std::sort(boxes.begin(), boxes.end(), [](const auto& a, const auto& b) { return a.first.min_x < b.first.min_x; });
  int overlaps = 0;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    for (std::size_t j = i + 1; j < boxes.size() && boxes[j].first.min_x <= boxes[i].first.max_x; ++j) {
      if (!boxes[i].first.intersects(boxes[j].first)) continue;
      auto a = geo::to_geos(ctx, buildings[boxes[i].second].geometry);
      auto b = geo::to_geos(ctx, buildings[boxes[j].second].geometry);
      if (GEOSIntersects_r(ctx.handle(), a.get(), b.get()) == 1) ++overlaps;
    }
  }
  CHECK(overlaps == 0);

  // No building stands on a road (roads buffered to half their width).
  const auto roads = read_all(three_villages(), "roads");
  std::vector<geo::Geometry> road_areas;
  for (const auto& r : roads) {
    const double w = std::get<double>(r.values[static_cast<std::size_t>(generator_catalog().find_class("roads")->field_index("width_m"))]);
    auto g = geo::to_geos(ctx, r.geometry);
    road_areas.push_back(geo::from_geos(ctx, generate::buffer(ctx, g, w / 2, 2).get(), geo::GeometryKind::polygon));
  }
  auto paved = generate::union_all(ctx, road_areas);
  int on_road = 0;
  for (const auto& b : buildings) {
    auto g = geo::to_geos(ctx, b.geometry);
    generate::GeosGeometry cut(ctx, GEOSIntersection_r(ctx.handle(), g.get(), paved.get()));
    if (generate::area(ctx, cut) > 0.5) ++on_road;
  }
  CHECK(on_road == 0);
}

TEST_CASE("generate: each village's road network is one noded, connected graph", "[generate]") {
  const auto roads = by_village(read_all(three_villages(), "roads"), "roads");
  REQUIRE(roads.size() == 3);
  for (const auto& [code, rs] : roads) {
    INFO(code);
    std::vector<generate::Polyline> lines;
    std::set<std::string> classes;
    for (const auto& r : rs) {
      lines.push_back(r.geometry.coords);
      classes.insert(text_of(r, "roads", "class"));
    }
    CHECK(generate::connected_components(lines) == 1);
    CHECK(classes.count("county"));
    CHECK(classes.count("village"));
    CHECK(classes.count("path"));
    // Noded: no piece touches another at an interior vertex (branches start at split points).
    std::set<std::pair<double, double>> ends;
    for (const auto& l : lines) {
      ends.insert({l.front().x, l.front().y});
      ends.insert({l.back().x, l.back().y});
    }
    int interior_hits = 0;
    for (const auto& l : lines) {
      for (std::size_t i = 1; i + 1 < l.size(); ++i) interior_hits += static_cast<int>(ends.count({l[i].x, l[i].y}));
    }
    CHECK(interior_hits == 0);
  }
}

TEST_CASE("generate: the county road continues exactly into the neighbouring village", "[generate]") {
  std::map<std::pair<double, double>, std::set<std::string>> county_ends;
  for (const auto& r : read_all(three_villages(), "roads")) {
    if (text_of(r, "roads", "class") != "county") continue;
    for (const auto& c : {r.geometry.coords.front(), r.geometry.coords.back()}) {
      county_ends[{c.x, c.y}].insert(text_of(r, "roads", "village_code"));
    }
  }
  int shared = 0;
  for (const auto& [pt, villages] : county_ends) shared += villages.size() == 2;
  CHECK(shared == 2);  // 3 villages in a row: two village borders crossed
}

TEST_CASE("generate: land cover tiles each village without overlap", "[generate]") {
  geo::GeosContext ctx;
  const auto lc = by_village(read_all(three_villages(), "landcover"), "landcover");
  for (const auto& v : read_all(three_villages(), "villages")) {
    const auto code = text_of(v, "villages", "village_code");
    INFO(code);
    double sum = 0;
    std::vector<geo::Geometry> parts;
    std::set<std::string> classes;
    for (const auto& f : lc.at(code)) {
      sum += generate::area(ctx, f.geometry);
      parts.push_back(f.geometry);
      classes.insert(text_of(f, "landcover", "class"));
    }
    const double village = generate::area(ctx, v.geometry);
    const double united = generate::area(ctx, generate::union_all(ctx, parts));
    CHECK(std::fabs(sum - village) < village * 1e-6 + 1);
    CHECK(std::fabs(united - village) < village * 1e-6 + 1);
    for (const char* c : {"forest", "farmland", "water", "construction"}) CHECK(classes.count(c));
  }
}

TEST_CASE("generate: shelters stand outside every hazard zone and can take the people at risk", "[generate]") {
  geo::GeosContext ctx;
  const auto zones = read_all(three_villages(), "hazard_zones");
  const auto shelters = read_all(three_villages(), "shelters");
  REQUIRE(!zones.empty());
  REQUIRE(!shelters.empty());
  for (const auto& s : shelters) {
    for (const auto& z : zones) CHECK(!covers(ctx, z.geometry, s.geometry));
  }
  const auto routes = read_all(three_villages(), "evacuation_routes");
  CHECK(routes.size() == zones.size());
  std::map<std::string, std::int64_t> at_risk, capacity;
  for (const auto& z : zones) at_risk[text_of(z, "hazard_zones", "village_code")] += int_of(z, "hazard_zones", "households_at_risk");
  for (const auto& s : shelters) capacity[text_of(s, "shelters", "village_code")] += int_of(s, "shelters", "capacity");
  for (const auto& [code, hh] : at_risk) CHECK(static_cast<double>(capacity[code]) >= hh * 2.9);
}

TEST_CASE("generate: key persons are 3-5% of residents with valid identity numbers", "[generate]") {
  const auto persons = read_all(three_villages(), "key_persons");
  std::int64_t residents = 0;
  for (const auto& v : read_all(three_villages(), "villages")) residents += int_of(v, "villages", "population");
  CHECK(persons.size() >= static_cast<std::size_t>(residents * 0.025));
  CHECK(persons.size() <= static_cast<std::size_t>(residents * 0.055));
  for (const auto& p : persons) {
    const auto id = text_of(p, "key_persons", "id_number");
    REQUIRE(id.size() == 18);
    CHECK(id.rfind("331124", 0) == 0);
    CHECK(generate::id_check_char(id.substr(0, 17)) == id[17]);
    const int year = std::stoi(id.substr(6, 4));
    const auto cat = text_of(p, "key_persons", "category");
    if (cat == "left_behind_child") {
      CHECK(year >= 2010);
      CHECK(year <= 2020);
    }
    if (cat == "solitary_elderly" || cat == "left_behind_elderly") CHECK(year <= 1958);
  }
}

TEST_CASE("generate: one DEM per village in EPSG:4549, matching its neighbour where they overlap", "[generate]") {
  const auto dems = dem_files(three_villages());
  REQUIRE(dems.size() == 3);
  GDALAllRegister();
  struct Dem {
    double gt[6];
    int nx, ny;
    std::vector<float> z;
  };
  std::vector<Dem> loaded;
  for (const auto& path : dems) {
    GDALDatasetH ds = GDALOpen(path.string().c_str(), GA_ReadOnly);
    REQUIRE(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    CHECK(std::string(code ? code : "") == "4549");
    OSRDestroySpatialReference(srs);
    Dem d;
    GDALGetGeoTransform(ds, d.gt);
    CHECK(d.gt[1] == Approx(10));
    d.nx = GDALGetRasterXSize(ds);
    d.ny = GDALGetRasterYSize(ds);
    d.z.resize(static_cast<std::size_t>(d.nx) * d.ny);
    CHECK(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, d.nx, d.ny, d.z.data(), d.nx, d.ny, GDT_Float32, 0, 0) == CE_None);
    GDALClose(ds);
    const auto [lo, hi] = std::minmax_element(d.z.begin(), d.z.end());
    CHECK(*lo > 100);
    CHECK(*hi < 1600);
    CHECK(*hi - *lo > 300);  // mountains, not a plain
    loaded.push_back(std::move(d));
  }
  // Villages 1 and 2 are neighbours; their DEMs overlap by a few columns and agree there.
  const Dem& a = loaded[0];
  const Dem& b = loaded[1];
  int compared = 0, differing = 0;
  for (int j = 0; j < b.ny; ++j) {
    for (int i = 0; i < b.nx; ++i) {
      const double x = b.gt[0] + (i + 0.5) * 10, y = b.gt[3] - (j + 0.5) * 10;
      const int ai = static_cast<int>(std::floor((x - a.gt[0]) / 10)), aj = static_cast<int>(std::floor((a.gt[3] - y) / 10));
      if (ai < 0 || aj < 0 || ai >= a.nx || aj >= a.ny) continue;
      ++compared;
      differing += a.z[static_cast<std::size_t>(aj) * a.nx + ai] != b.z[static_cast<std::size_t>(j) * b.nx + i];
    }
  }
  CHECK(compared > 1000);
  CHECK(differing == 0);
}

TEST_CASE("generate: identity check digits follow ISO 7064 MOD 11-2", "[generate]") {
  CHECK(generate::id_check_char("11010519491231002") == 'X');  // the GB 11643 example
  CHECK(generate::id_check_char("44052418800101001") == '4');
  const auto id = generate::id_number("331124", 1950, 3, 7, 21);
  CHECK(id.substr(0, 17) == "33112419500307021");
}

TEST_CASE("generate: a road network is split where branches join", "[generate]") {
  generate::RoadNetwork net;
  net.add({{{0, 0}, {10, 0}, {20, 0}, {30, 0}}, "county", "", 7});
  net.mark_junction({10, 0});
  net.add({{{10, 0}, {10, 10}}, "village", "", 4});
  net.add({{{20, -5}, {20, 5}}, "path", "", 2});  // crosses without a shared vertex
  net.node_crossings();
  const auto pieces = net.split();
  std::vector<generate::Polyline> lines;
  for (const auto& p : pieces) lines.push_back(p.pts);
  CHECK(pieces.size() == 6);  // county in 3, village 1, path in 2
  CHECK(generate::connected_components(lines) == 1);
}
