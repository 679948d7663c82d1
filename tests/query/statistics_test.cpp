// Classification statistics (issue 5 item 5) over the sample store: every count and sum against
// an independent brute-force count over the serving index through the class view, category totals
// against class totals, ground areas against PROJ (EPSG:4549) + GEOS, the hazard-zone spatial
// join against a GEOS test of every household, scopes, and regrouping after an edit.

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <variant>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "geo/geos.hpp"
#include "geo/projection.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/dataset.hpp"
#include "query/statistics.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using nlohmann::json;

namespace {

constexpr const char* kVillage = "331124207201";
constexpr const char* kVillage2 = "331124207202";
constexpr const char* kTownship = "331124207";

struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  std::unique_ptr<query::Dataset> data;
  const store::ServingIndex* index = nullptr;
  access::Policy policy = access::Policy::load(access::Policy::default_path(), catalog);
  Sample() {
    auto store = store::FeatureStore::open(test::sample_store().string(), catalog, store::FeatureStore::Mode::read_only);
    data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
    index = &data->unscoped_index();
  }
};

// The statistics engine of a dataset, asked as a caller (through the caller's scoped reader).
struct Engine {
  const query::Dataset& data;
  json compute(const access::Scope& scope, const query::Place& place, const std::vector<std::string>& maps) const {
    return query::statistics(data.reader(scope), place, maps);
  }
  bool place_exists(const query::Place& place) const {
    const access::Scope anyone = access::Scope::anonymous(access::Policy::load(access::Policy::default_path(), data.catalog()));
    return query::place_exists(data.reader(anyone), place);
  }
};

const Sample& sample() {
  static const Sample s;
  return s;
}

access::Scope scope_of(const std::string& role, const access::Assignment& a = {}) {
  return access::Scope::for_user(sample().policy, "tester", role, a);
}

access::Scope admin() { return scope_of("county_admin"); }

query::Place village(const std::string& code) { return {query::Place::Kind::village, code}; }
query::Place township(const std::string& code) { return {query::Place::Kind::township, code}; }

std::vector<std::string> all_maps() {
  std::vector<std::string> out;
  for (const auto& m : sample().catalog.maps()) out.push_back(m.name);
  return out;
}

// Every feature of a class in the index, whatever its place.
std::vector<store::ServedFeaturePtr> everything(const store::ServingIndex& index, const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  index.query(cls, {-1e300, -1e300, 1e300, 1e300}, out);
  return out;
}

std::string text(const model::FeatureClassDef& def, const store::ServedFeature& f, const std::string& field) {
  const auto* s = std::get_if<std::string>(&f.feature.values[static_cast<std::size_t>(def.field_index(field))]);
  return s ? *s : std::string{};
}

std::optional<double> number(const model::FeatureClassDef& def, const store::ServedFeature& f, const std::string& field) {
  const auto& v = f.feature.values[static_cast<std::size_t>(def.field_index(field))];
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

// The brute-force answer: a full scan of the class, the place tested on the village key, the
// caller's view deciding visibility.
std::vector<store::ServedFeaturePtr> brute(const store::ServingIndex& index, const access::Scope& scope,
                                           const std::string& cls, const query::Place& place) {
  const auto view = query::class_view(sample().catalog, scope, cls);
  std::vector<store::ServedFeaturePtr> out;
  if (!view) return out;
  for (auto& f : everything(index, cls)) {
    const std::string code = text(*view->def, *f, view->def->village_key);
    const bool in_place = place.kind == query::Place::Kind::village ? code == place.code
                                                                    : code.rfind(place.code, 0) == 0 && code.size() == 12;
    if (in_place && scope.grant(*view->def, f->feature) != nullptr) out.push_back(f);
  }
  return out;
}

// PROJ (3857 → EPSG:4549) then GEOS area: the independent area of a served polygon, in m².
double proj_geos_area(const geo::Geometry& mercator) {
  geo::Geometry g = mercator;
  const geo::Transform t("EPSG:3857", "EPSG:4549");
  t.apply(g.coords);
  geo::GeosContext ctx;
  const geo::GeosGeometry gg = geo::to_geos(ctx, g);
  double area = 0;
  REQUIRE(GEOSArea_r(ctx.handle(), gg.get(), &area) == 1);
  return area;
}

// Checks every table and class total of `answer` against brute force over `index`.
void check_against_brute_force(const store::ServingIndex& index, const access::Scope& scope, const query::Place& place,
                               const json& answer) {
  for (const auto& [map_name, section] : answer.at("maps").items()) {
    const model::MapDef* map = sample().catalog.find_map(map_name);
    REQUIRE(map != nullptr);
    for (const auto& cls : map->classes) {
      const auto features = brute(index, scope, cls, place);
      INFO(map_name << "." << cls);
      REQUIRE(section.at("totals").contains(cls));
      CHECK(section.at("totals").at(cls).at("count") == features.size());
    }
    for (const auto& [name, table] : section.at("tables").items()) {
      INFO(map_name << " table " << name);
      const std::string cls = table.at("class");
      const std::string field = table.at("field");
      const auto& def = *sample().catalog.find_class(cls);
      const auto features = brute(index, scope, cls, place);
      // The categories add up to the class.
      std::size_t sum = 0;
      for (const auto& row : table.at("rows")) sum += row.at("count").get<std::size_t>();
      CHECK(sum == table.at("total").get<std::size_t>());
      CHECK(table.at("total") == section.at("totals").at(cls).at("count"));
      // Each category on its own.
      const auto& fd = *def.field(field);
      if (!fd.values.empty()) {
        REQUIRE(table.at("rows").size() >= fd.values.size());
        for (std::size_t i = 0; i < fd.values.size(); ++i) {
          const json& row = table.at("rows")[i];
          CHECK(row.at("value") == fd.values[i]);  // enum order, zero rows kept
          std::size_t n = 0;
          for (const auto& f : features) n += text(def, *f, field) == fd.values[i];
          CHECK(row.at("count") == n);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("statistics: every count equals a brute-force count, for a village and the township", "[query][stats]") {
  const auto& s = sample();
  const Engine stats{*s.data};
  const auto scope = admin();
  for (const auto& place : {village(kVillage), township(kTownship)}) {
    INFO(place.code);
    REQUIRE(stats.place_exists(place));
    const json answer = stats.compute(scope, place, all_maps());
    REQUIRE(answer.at("maps").size() == 6);
    check_against_brute_force(*s.index, scope, place, answer);

    // Sums: residents by employment, shelter capacity, surveyed households at risk.
    const auto& hdef = *s.catalog.find_class("households");
    for (const auto& row : answer.at("maps").at("industry").at("tables").at("households_by_employment").at("rows")) {
      double residents = 0;
      for (const auto& f : brute(*s.index, scope, "households", place)) {
        if (row.at("value").is_string() && text(hdef, *f, "employment") == row.at("value").get<std::string>()) {
          residents += number(hdef, *f, "members").value_or(0);
        }
      }
      CHECK(row.at("residents").get<double>() == residents);
    }
    const auto& sdef = *s.catalog.find_class("shelters");
    double capacity = 0;
    for (const auto& f : brute(*s.index, scope, "shelters", place)) capacity += number(sdef, *f, "capacity").value_or(0);
    const json& evac = answer.at("maps").at("disaster").at("evacuation");
    CHECK(evac.at("shelter_capacity").get<double>() == capacity);
    CHECK(evac.at("shelters") == brute(*s.index, scope, "shelters", place).size());

    // Buildings by age: the buckets hold exactly their years.
    const auto& bdef = *s.catalog.find_class("buildings");
    const auto& age = answer.at("maps").at("terrain").at("tables").at("buildings_by_age").at("rows");
    REQUIRE(age.size() >= 4);
    std::size_t before_1980 = 0, from_2010 = 0;
    for (const auto& f : brute(*s.index, scope, "buildings", place)) {
      const auto y = number(bdef, *f, "built_year");
      before_1980 += y && *y < 1980;
      from_2010 += y && *y >= 2010;
    }
    CHECK(age[0].at("value") == "before_1980");
    CHECK(age[0].at("count") == before_1980);
    CHECK(age[3].at("value") == "2010_later");
    CHECK(age[3].at("count") == from_2010);
  }
  // The township is the sum of its three villages.
  const json t = stats.compute(scope, township(kTownship), {"industry"});
  std::size_t sum = 0;
  for (const char* v : {"331124207201", "331124207202", "331124207203"}) {
    sum += stats.compute(scope, village(v), {"industry"}).at("maps").at("industry").at("totals").at("households").at("count").get<std::size_t>();
  }
  CHECK(t.at("maps").at("industry").at("totals").at("households").at("count") == sum);
  CHECK(t.at("place").at("villages").size() == 3);
  CHECK(t.at("place").at("name") == "四都乡");
}

TEST_CASE("statistics: ground areas agree with PROJ (EPSG:4549) + GEOS within 0.5 %", "[query][stats]") {
  const auto& s = sample();
  const auto& def = *s.catalog.find_class("landcover");
  const auto all = everything(*s.index, "landcover");
  REQUIRE_FALSE(all.empty());
  // One polygon, the largest (areas of small ones are as exact, but the largest spans the most
  // latitude).
  const auto largest = *std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a->bbox.height() < b->bbox.height();
  });
  const double ours = query::ground_area_m2(largest->feature.geometry);
  const double reference = proj_geos_area(largest->feature.geometry);
  REQUIRE(reference > 0);
  CHECK(std::abs(ours - reference) / reference < 0.005);

  // The table's area in mu for one village and class, against the same reference.
  const Engine stats{*s.data};
  const json answer = stats.compute(admin(), village(kVillage), {"terrain"});
  for (const auto& row : answer.at("maps").at("terrain").at("tables").at("landcover_by_class").at("rows")) {
    double mu = 0;
    for (const auto& f : brute(*s.index, admin(), "landcover", village(kVillage))) {
      if (text(def, *f, "class") == row.at("value")) mu += proj_geos_area(f->feature.geometry) / (10000.0 / 15.0);
    }
    INFO(row.dump());
    if (mu == 0) {
      CHECK(row.at("area_mu").get<double>() == 0);
    } else {
      CHECK(std::abs(row.at("area_mu").get<double>() - mu) / mu < 0.005);
    }
  }
}

TEST_CASE("statistics: ground lengths agree with PROJ (EPSG:4549)", "[query][stats]") {
  const auto roads = everything(*sample().index, "roads");
  REQUIRE_FALSE(roads.empty());
  const geo::Transform t("EPSG:3857", "EPSG:4549");
  for (std::size_t k = 0; k < roads.size(); k += 7) {
    geo::Geometry g = roads[k]->feature.geometry;
    t.apply(g.coords);
    double reference = 0;
    std::size_t begin = 0;
    for (auto end : g.part_ends) {
      for (std::size_t i = begin; i + 1 < end; ++i) reference += std::hypot(g.coords[i + 1].x - g.coords[i].x, g.coords[i + 1].y - g.coords[i].y);
      begin = end;
    }
    if (reference < 1) continue;
    CHECK(std::abs(query::ground_length_m(roads[k]->feature.geometry) - reference) / reference < 0.005);
  }
}

TEST_CASE("statistics: households inside hazard zones match a GEOS test of every household", "[query][stats]") {
  const auto& s = sample();
  const Engine stats{*s.data};
  const auto scope = admin();
  const auto place = township(kTownship);
  const json answer = stats.compute(scope, place, {"disaster"});
  const auto& zdef = *s.catalog.find_class("hazard_zones");
  const auto& hdef = *s.catalog.find_class("households");
  const auto zones = brute(*s.index, scope, "hazard_zones", place);
  const auto households = brute(*s.index, scope, "households", place);
  REQUIRE_FALSE(zones.empty());

  geo::GeosContext ctx;
  std::map<std::string, std::size_t> inside_by_risk;
  std::map<std::string, double> surveyed_by_risk;
  std::set<std::int64_t> at_risk;
  double residents = 0;
  std::size_t differing = 0;
  for (const auto& z : zones) {
    const auto zg = geo::to_geos(ctx, z->feature.geometry);
    std::size_t n = 0;
    for (const auto& h : households) {  // every household, no index
      const auto hg = geo::to_geos(ctx, h->feature.geometry);
      if (GEOSCovers_r(ctx.handle(), zg.get(), hg.get()) != 1) continue;
      ++n;
      if (at_risk.insert(h->feature.fid).second) residents += number(hdef, *h, "members").value_or(0);
    }
    const std::string risk = text(zdef, *z, "risk");
    inside_by_risk[risk] += n;
    const double surveyed = number(zdef, *z, "households_at_risk").value_or(0);
    surveyed_by_risk[risk] += surveyed;
    differing += static_cast<std::size_t>(surveyed) != n;
  }
  const json& section = answer.at("maps").at("disaster");
  for (const auto& row : section.at("tables").at("hazard_zones_by_risk").at("rows")) {
    const std::string risk = row.at("value");
    INFO(risk);
    CHECK(row.at("households_inside") == inside_by_risk[risk]);
    CHECK(row.at("households_at_risk").get<double>() == surveyed_by_risk[risk]);
  }
  const json& evac = section.at("evacuation");
  CHECK(evac.at("households_in_zones") == at_risk.size());
  CHECK(evac.at("population_at_risk").get<double>() == residents);
  CHECK(evac.at("shortfall").get<double>() == std::max(0.0, residents - evac.at("shelter_capacity").get<double>()));
  CHECK(section.at("zones_field_vs_spatial").at("differing") == differing);
  CHECK(answer.at("notes").dump().find("受威胁人口 = ") != std::string::npos);
}

TEST_CASE("statistics: a scope counts only what it sees and never outputs personal values", "[query][stats]") {
  const auto& s = sample();
  const Engine stats{*s.data};

  SECTION("the disaster planner: households as positions and resident counts, so the population at risk") {
    const auto planner = scope_of("disaster_planner");
    const json a = stats.compute(planner, village(kVillage), {"terrain", "disaster"});
    check_against_brute_force(*s.index, planner, village(kVillage), a);
    const json& evac = a.at("maps").at("disaster").at("evacuation");
    const json full = stats.compute(admin(), village(kVillage), {"disaster"}).at("maps").at("disaster").at("evacuation");
    REQUIRE_FALSE(evac.at("population_at_risk").is_null());
    CHECK(evac.at("population_at_risk") == full.at("population_at_risk"));
    CHECK(evac.at("households_in_zones") == full.at("households_in_zones"));
    const auto& rows = a.at("maps").at("disaster").at("tables").at("hazard_zones_by_risk").at("rows");
    CHECK(rows[0].contains("buildings_inside"));
    CHECK(rows[0].contains("households_inside"));
    // No household head's name anywhere in the answer.
    const auto& hdef = *s.catalog.find_class("households");
    const std::string dump = a.dump();
    for (const auto& f : brute(*s.index, admin(), "households", village(kVillage))) {
      const std::string head = text(hdef, *f, "head_name");
      if (!head.empty()) CHECK(dump.find(head) == std::string::npos);
    }
  }
  SECTION("a grid worker counts the households of its grid only") {
    const auto grid = scope_of("grid_worker", {"", "", {"331124207201-G01"}});
    const json a = stats.compute(grid, village(kVillage), {"industry"});
    check_against_brute_force(*s.index, grid, village(kVillage), a);
    const auto n = a.at("maps").at("industry").at("totals").at("households").at("count").get<std::size_t>();
    const auto all = stats.compute(admin(), village(kVillage), {"industry"}).at("maps").at("industry").at("totals").at("households").at("count").get<std::size_t>();
    CHECK(n > 0);
    CHECK(n < all);
  }
  SECTION("no personal value appears in any answer") {
    const json a = stats.compute(admin(), township(kTownship), all_maps());
    const std::string text_out = a.dump();
    for (const auto& def : s.catalog.classes()) {
      for (std::size_t i = 0; i < def.fields.size(); ++i) {
        if (!def.fields[i].personal) continue;
        std::size_t checked = 0;
        for (const auto& f : everything(*s.index, def.name)) {
          const auto* v = std::get_if<std::string>(&f->feature.values[i]);
          if (!v || v->size() < 2 || checked++ > 50) continue;
          INFO(def.name << "." << def.fields[i].name << " = " << *v);
          CHECK(text_out.find("\"" + *v + "\"") == std::string::npos);
        }
      }
    }
  }
}

TEST_CASE("statistics: which places lie in which area", "[query][stats]") {
  const auto cadre = scope_of("village_cadre", {"", kVillage, {}});
  CHECK(query::place_in_area(cadre, village(kVillage)));
  CHECK_FALSE(query::place_in_area(cadre, village(kVillage2)));
  CHECK_FALSE(query::place_in_area(cadre, township(kTownship)));
  const auto town = scope_of("township_cadre", {kTownship, "", {}});
  CHECK(query::place_in_area(town, township(kTownship)));
  CHECK(query::place_in_area(town, village(kVillage2)));
  CHECK_FALSE(query::place_in_area(town, township("331124208")));
  CHECK_FALSE(query::place_in_area(town, village("331124208201")));
  const auto grid = scope_of("grid_worker", {"", "", {"331124207201-G01"}});
  CHECK(query::place_in_area(grid, village(kVillage)));
  CHECK_FALSE(query::place_in_area(grid, township(kTownship)));
  CHECK(query::place_in_area(admin(), township("999999999")));  // in area; then 404 for not existing
  CHECK_FALSE(query::place_in_area(admin(), village("33112420720")));  // malformed is never in area

  const Engine stats{*sample().data};
  CHECK_FALSE(stats.place_exists(village("331124207299")));
  CHECK_FALSE(stats.place_exists(township("331124208")));
}

TEST_CASE("statistics: an edit regroups the class (keyed by its data version)", "[query][stats]") {
  const auto& catalog = sample().catalog;
  auto store = store::FeatureStore::open(test::sample_store().string(), catalog, store::FeatureStore::Mode::read_only);
  auto data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  store::ServingIndex* index = &data->editable_index();
  const Engine stats{*data};
  const auto scope = admin();
  auto count = [&](const char* code) {
    return stats.compute(scope, village(code), {"industry"}).at("maps").at("industry").at("totals").at("households").at("count").get<std::size_t>();
  };
  const std::size_t first = count(kVillage);
  const std::size_t second = count(kVillage2);
  // Move one household of the first village to the second (its record, in the store CRS).
  const auto& def = *catalog.find_class("households");
  model::Feature moved;
  store.for_each("households", [&](model::Feature& f) {
    if (moved.fid == 0 && std::get<std::string>(f.values[static_cast<std::size_t>(def.field_index("village_code"))]) == kVillage) {
      moved = f;
    }
  });
  REQUIRE(moved.fid != 0);
  moved.values[static_cast<std::size_t>(def.field_index("village_code"))] = std::string(kVillage2);
  index->upsert("households", moved);
  CHECK(count(kVillage) == first - 1);
  CHECK(count(kVillage2) == second + 1);
  check_against_brute_force(*index, scope, village(kVillage2), stats.compute(scope, village(kVillage2), {"industry"}));
}
