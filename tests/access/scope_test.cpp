// Every role's scope over the sample's village codes (331124207201..203, township 331124207):
// which maps, which places, which fields in full, masked or not at all; a feature read through its
// grant (access::apply_grant) never lets a masked or hidden value through; and no signed-in role
// reads less of any feature than an anonymous caller.

#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "access/masking.hpp"
#include "access/scope.hpp"
#include "access/scope_description.hpp"
#include "access_fixture.hpp"
#include "base/error.hpp"

using namespace minqing;
using namespace minqing::access;

namespace {

const std::string kV1 = "331124207201";
const std::string kV2 = "331124207202";
const std::string kV3 = "331124207203";
const std::string kOtherTownship = "331124208101";
const std::vector<std::string> kAllMaps = {"terrain",     "industry",   "organization",
                                           "key_persons", "assistance", "disaster"};

Scope user(const char* role, Assignment a) { return Scope::for_user(test::policy(), "u", role, a); }

// `f` as the caller of `s` reads it: null everywhere when it may not see the feature.
model::Feature as_seen(const Scope& s, const model::FeatureClassDef& def, model::Feature f) {
  const FieldGrant* g = s.grant(def, f);
  if (g == nullptr) {
    for (auto& v : f.values) v = model::Value{};
    return f;
  }
  apply_grant(def, *g, f.values);
  return f;
}

int rank(FieldAccess a) { return a == FieldAccess::full ? 2 : a == FieldAccess::masked ? 1 : 0; }

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("county_admin sees every map, everywhere, in full, and may edit", "[access][scope]") {
  const Scope s = user("county_admin", {});
  CHECK(sorted(s.maps()) == sorted(kAllMaps));
  CHECK(s.in_area(kV1));
  CHECK(s.in_area(kOtherTownship));
  CHECK(s.field_access("key_persons", "id_number") == FieldAccess::full);
  CHECK(s.field_access("households", "phone") == FieldAccess::full);
  CHECK(s.may_edit());
  CHECK(s.is_admin());
  CHECK_FALSE(s.is_public());
}

TEST_CASE("township_cadre sees its township's villages, personal data masked, and may not edit",
          "[access][scope]") {
  const Scope s = user("township_cadre", {"331124207", "", {}});
  CHECK(s.may_see_map("key_persons"));
  CHECK(s.in_area(kV1));
  CHECK(s.in_area(kV3));
  CHECK_FALSE(s.in_area(kOtherTownship));
  CHECK_FALSE(s.in_area(""));
  CHECK(s.field_access("key_persons", "name") == FieldAccess::masked);
  CHECK(s.field_access("key_persons", "id_number") == FieldAccess::masked);
  CHECK(s.field_access("key_persons", "responsible_cadre") == FieldAccess::full);
  CHECK(s.field_access("households", "head_name") == FieldAccess::masked);
  CHECK(s.field_access("households", "members") == FieldAccess::full);
  CHECK_FALSE(s.may_edit());
  CHECK_FALSE(s.is_admin());
}

TEST_CASE("village_cadre sees all six maps of its own village, id numbers masked",
          "[access][scope]") {
  const Scope s = user("village_cadre", {"", kV1, {}});
  CHECK(sorted(s.maps()) == sorted(kAllMaps));
  CHECK(s.in_area(kV1));
  CHECK_FALSE(s.in_area(kV2));
  CHECK_FALSE(s.in_area("33112420720"));  // a prefix is not the village
  const auto kp =
      test::feature("key_persons", {{"village_code", kV2}, {"person_id", "331124207202-K001"}});
  CHECK_FALSE(s.visible(*test::catalog().find_class("key_persons"), kp));
  CHECK(s.field_access("key_persons", "name") == FieldAccess::full);
  CHECK(s.field_access("key_persons", "phone") == FieldAccess::full);
  CHECK(s.field_access("key_persons", "id_number") == FieldAccess::masked);
  CHECK(s.may_edit_map("key_persons"));
}

TEST_CASE("grid_worker sees its grid's households and its village's non-personal features",
          "[access][scope]") {
  const Scope s = user("grid_worker", {"", "", {kV1 + "-G01"}});
  CHECK_FALSE(s.may_see_map("key_persons"));
  CHECK_FALSE(s.may_see_class("key_persons"));
  const auto& households = *test::catalog().find_class("households");
  CHECK(s.visible(households,
                  test::feature("households", {{"village_code", kV1}, {"grid_id", kV1 + "-G01"}})));
  CHECK_FALSE(s.visible(
      households, test::feature("households", {{"village_code", kV1}, {"grid_id", kV1 + "-G02"}})));
  CHECK_FALSE(s.visible(households,
                        test::feature("households", {{"village_code", kV1}})));  // no grid: refused
  CHECK_FALSE(s.visible(
      households, test::feature("households", {{"village_code", kV2}, {"grid_id", kV1 + "-G01"}})));
  // Buildings are the public's: seen everywhere, the household id only in the grid's village.
  const auto& buildings = *test::catalog().find_class("buildings");
  const auto hh = static_cast<std::size_t>(buildings.field_index("household_id"));
  const auto* own = s.grant(buildings, test::feature("buildings", {{"village_code", kV1}}));
  const auto* next = s.grant(buildings, test::feature("buildings", {{"village_code", kV2}}));
  REQUIRE(own);
  REQUIRE(next);
  CHECK(own->fields[hh] == FieldAccess::full);
  CHECK(next->fields[hh] == FieldAccess::hidden);
  // Household-level records that cannot be placed in a grid are refused, not guessed; assisted
  // households carry their household's grid (a derived field), and are seen in the grid.
  const auto& assisted = *test::catalog().find_class("assisted_households");
  CHECK_FALSE(s.visible(assisted, test::feature("assisted_households", {{"village_code", kV1}})));
  CHECK(s.visible(assisted, test::feature("assisted_households", {{"village_code", kV1}, {"grid_id", kV1 + "-G01"}})));
  CHECK_FALSE(s.visible(assisted, test::feature("assisted_households", {{"village_code", kV1}, {"grid_id", kV1 + "-G02"}})));
  CHECK(s.field_access("households", "phone") == FieldAccess::full);
  CHECK(s.may_edit_map("industry"));
  CHECK_FALSE(s.may_edit_map("terrain"));
}

TEST_CASE("disaster_planner sees terrain and disaster county-wide, no personal data",
          "[access][scope]") {
  const Scope s = user("disaster_planner", {});
  CHECK(sorted(s.maps()) == sorted({"terrain", "disaster"}));
  CHECK(s.in_area(kV1));
  CHECK(s.in_area(kOtherTownship));
  CHECK_FALSE(s.may_see_map("key_persons"));
  // Households as positions, resident counts and vulnerability, without names or ids of people
  // (policy "classes"), and no industry map.
  CHECK_FALSE(s.may_see_map("industry"));
  CHECK(s.may_see_class("households"));
  CHECK(s.field_access("households", "members") == FieldAccess::full);
  CHECK(s.field_access("households", "vulnerable_members") == FieldAccess::full);
  CHECK(s.field_access("households", "head_name") == FieldAccess::hidden);
  CHECK(s.field_access("households", "household_id") == FieldAccess::hidden);
  CHECK(s.field_access("households", "phone") == FieldAccess::hidden);
  CHECK(s.field_access("hazard_zones", "monitor") == FieldAccess::hidden);
  CHECK(s.field_access("monitoring_points", "responsible") == FieldAccess::hidden);
  CHECK(s.field_access("hazard_zones", "households_at_risk") == FieldAccess::full);
  CHECK(s.field_access("buildings", "household_id") == FieldAccess::hidden);
  CHECK(s.may_edit_map("disaster"));
}

TEST_CASE("the anonymous scope sees terrain only, without household-level attributes",
          "[access][scope]") {
  const Scope s = Scope::anonymous(test::policy());
  CHECK(s.is_public());
  CHECK(s.role() == "public");
  CHECK(s.user().empty());
  CHECK(s.maps() == std::vector<std::string>{"terrain"});
  CHECK_FALSE(s.may_see_map("key_persons"));
  CHECK_FALSE(s.may_see_map("industry"));
  CHECK(s.field_access("buildings", "household_id") == FieldAccess::hidden);
  CHECK(s.field_access("buildings", "floors") == FieldAccess::full);
  CHECK(s.field_access("key_persons", "name") == FieldAccess::hidden);
  CHECK(s.field_access("nowhere", "nothing") == FieldAccess::hidden);
  CHECK_FALSE(s.may_edit());
  const auto& b = *test::catalog().find_class("buildings");
  const auto masked = as_seen(s, b, test::feature("buildings", {{"village_code", kV1},
                                                              {"household_id", "H1"},
                                                              {"floors", std::int64_t{2}}}));
  CHECK(model::is_null(masked.values[static_cast<std::size_t>(b.field_index("household_id"))]));
  CHECK(std::get<std::int64_t>(masked.values[static_cast<std::size_t>(b.field_index("floors"))]) ==
        2);
}

TEST_CASE("a user whose assignment cannot define the role's area gets no scope",
          "[access][scope]") {
  CHECK_THROWS_AS(user("village_cadre", {}), ConfigError);
  CHECK_THROWS_AS(user("township_cadre", {}), ConfigError);
  CHECK_THROWS_AS(user("grid_worker", {"", kV1, {}}), ConfigError);
  CHECK_THROWS_AS(user("grid_worker", {"", kV2, {kV1 + "-G01"}}), ConfigError);
  CHECK_THROWS_AS(user("village_cadre", {"", "33112420720'", {}}), ConfigError);
  CHECK_THROWS_AS(user("emperor", {}), ConfigError);
}

TEST_CASE("cache keys: same role and area share, anything else differs", "[access][scope]") {
  const Scope a = Scope::for_user(test::policy(), "zhangsan", "village_cadre", {"", kV1, {}});
  const Scope b =
      Scope::for_user(test::policy(), "another", "village_cadre", {"331124207", kV1, {}});
  const Scope c = Scope::for_user(test::policy(), "cadre2", "village_cadre", {"", kV2, {}});
  const Scope g1 = user("grid_worker", {"", "", {kV1 + "-G02", kV1 + "-G01"}});
  const Scope g2 = user("grid_worker", {"", "", {kV1 + "-G01", kV1 + "-G02"}});
  const Scope g3 = user("grid_worker", {"", "", {kV1 + "-G01"}});
  const Scope pub = Scope::anonymous(test::policy());
  const Scope planner = user("disaster_planner", {});
  const Scope admin = user("county_admin", {});
  CHECK(a.cache_key() == b.cache_key());
  CHECK(a.cache_key() != c.cache_key());
  CHECK(g1.cache_key() == g2.cache_key());
  CHECK(g1.cache_key() != g3.cache_key());
  std::set<std::string> keys = {a.cache_key(),    c.cache_key(),   g1.cache_key(),
                                g3.cache_key(),   pub.cache_key(), planner.cache_key(),
                                admin.cache_key()};
  CHECK(keys.size() == 7);
  CHECK(pub.cache_key() == Scope::anonymous(test::policy()).cache_key());
  CHECK(a.cache_key().find(test::policy().fingerprint()) != std::string::npos);
  CHECK(a.cache_key().find("zhangsan") == std::string::npos);  // the user's name is not part of it
}

TEST_CASE("a feature read through its grant never shows a masked or hidden value in full, for any role, class or place",
          "[access][scope]") {
  std::vector<Scope> scopes = {Scope::anonymous(test::policy()),
                               user("county_admin", {}),
                               user("township_cadre", {"331124207", "", {}}),
                               user("village_cadre", {"", kV1, {}}),
                               user("grid_worker", {"", "", {kV1 + "-G01"}}),
                               user("disaster_planner", {})};
  for (const auto& s : scopes) {
    for (const auto& def : test::catalog().classes()) {
      for (const std::string& village : {kV1, kOtherTownship}) {
        model::Feature f;
        for (const auto& fd : def.fields) {
          if (fd.name == "village_code")
            f.values.emplace_back(village);
          else if (fd.name == "grid_id")
            f.values.emplace_back(village + "-G01");
          else if (fd.type == model::FieldType::integer)
            f.values.emplace_back(std::int64_t{13812345678});
          else if (fd.type == model::FieldType::real)
            f.values.emplace_back(3.25);
          else if (fd.name == "phone")
            f.values.emplace_back(std::string("13812345678"));
          else if (fd.name == "id_number")
            f.values.emplace_back(std::string("330326199001011234"));
          else
            f.values.emplace_back(std::string("钟强跃") + fd.name);
        }
        const FieldGrant* g = s.grant(def, f);
        const model::Feature m = as_seen(s, def, f);
        REQUIRE(m.values.size() == f.values.size());
        const bool in_area = s.in_area(def, f);
        for (std::size_t i = 0; i < def.fields.size(); ++i) {
          const auto access = g ? g->fields[i] : FieldAccess::hidden;
          INFO(s.role() << " " << def.name << "." << def.fields[i].name << " in " << village << ": " << to_string(access));
          if (!s.may_see_class(def.name)) CHECK(g == nullptr);
          // Outside the caller's area only the public's grant reads: no personal value at all.
          if (!in_area && def.fields[i].personal) CHECK(model::is_null(m.values[i]));
          // Inside it, the grant is the widest the caller has.
          if (g && in_area) CHECK(access == s.field_access(def.name, def.fields[i].name));
          if (access == FieldAccess::hidden) CHECK(model::is_null(m.values[i]));
          if (access == FieldAccess::masked) {
            CHECK(m.values[i] != f.values[i]);
            const std::string shown = model::to_display_string(m.values[i]);
            CHECK(shown.find("强跃") == std::string::npos);
            CHECK(shown.find("2345") == std::string::npos);
            CHECK(shown.find("19900101") == std::string::npos);
          }
          if (access == FieldAccess::full) CHECK(m.values[i] == f.values[i]);
          if (s.is_public() && def.fields[i].personal) CHECK(model::is_null(m.values[i]));
        }
      }
    }
  }
}

TEST_CASE("signed in never means seeing less: every role reads every feature at least as the public does",
          "[access][scope]") {
  const Scope pub = Scope::anonymous(test::policy());
  const std::vector<Scope> scopes = {user("county_admin", {}), user("township_cadre", {"331124207", "", {}}),
                                     user("village_cadre", {"", kV1, {}}), user("grid_worker", {"", "", {kV1 + "-G01"}}),
                                     user("disaster_planner", {})};
  for (const auto& s : scopes) {
    for (const auto& m : pub.maps()) CHECK(s.may_see_map(m));
    for (const auto& def : test::catalog().classes()) {
      // A feature of the neighbouring village, of another township, and of the caller's own.
      for (const std::string& village : {kV1, kV2, kOtherTownship}) {
        model::Feature f;
        for (const auto& fd : def.fields) {
          f.values.emplace_back(fd.name == "village_code" ? model::Value(village)
                                : fd.name == "grid_id"    ? model::Value(village + "-G01")
                                                          : model::Value(std::string("x")));
        }
        const FieldGrant* p = pub.grant(def, f);
        const FieldGrant* r = s.grant(def, f);
        INFO(s.role() << " " << def.name << " in " << village);
        if (p == nullptr) continue;
        REQUIRE(r != nullptr);
        for (std::size_t i = 0; i < def.fields.size(); ++i) {
          INFO(def.fields[i].name);
          CHECK(rank(r->fields[i]) >= rank(p->fields[i]));
        }
      }
    }
  }
}

TEST_CASE("a role's area limits only what the public does not see", "[access][scope]") {
  const Scope cadre = user("village_cadre", {"", kV1, {}});
  const auto& roads = *test::catalog().find_class("roads");
  const auto& households = *test::catalog().find_class("households");
  const auto road_v2 = test::feature("roads", {{"village_code", kV2}, {"name", "松玉线"}});
  const auto home_v1 = test::feature("households", {{"village_code", kV1}, {"head_name", "张三"}});
  const auto home_v2 = test::feature("households", {{"village_code", kV2}, {"head_name", "李四"}});
  CHECK(cadre.visible(roads, road_v2));        // the county road goes on into the next village
  CHECK(cadre.visible(households, home_v1));   // its own village's households
  CHECK_FALSE(cadre.visible(households, home_v2));  // not the neighbour's
  CHECK(cadre.public_sees_map("terrain"));
  CHECK_FALSE(cadre.public_sees_map("industry"));
  CHECK(cadre.sees_class_anywhere("roads"));
  CHECK_FALSE(cadre.sees_class_anywhere("households"));
}

TEST_CASE("describe() says what a scope allows and names only fields not shown in full",
          "[access][scope]") {
  const auto d = describe(user("village_cadre", {"", kV1, {}}), test::catalog());
  CHECK(d["role"] == "village_cadre");
  CHECK(d["area"]["kind"] == "village");
  CHECK(d["area"]["village_code"] == kV1);
  CHECK(d["fields"]["key_persons"]["id_number"] == "masked");
  CHECK_FALSE(d["fields"].contains("households"));
  const auto pub = describe(Scope::anonymous(test::policy()), test::catalog());
  CHECK(pub["public"] == true);
  CHECK(pub["maps"] == nlohmann::json::array({"terrain"}));
  CHECK(pub["fields"]["buildings"]["household_id"] == "hidden");
}
