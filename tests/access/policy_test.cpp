// The policy file: the committed one loads; anything unknown or unsafe fails at load, naming the
// file and the key.

#include <catch2/catch.hpp>

#include "access/policy.hpp"
#include "access_fixture.hpp"
#include "base/error.hpp"

using namespace minqing;
using namespace minqing::access;

namespace {

// The committed policy with one role's JSON replaced.
std::string minimal_policy(
    const std::string& extra_role_text = "",
    const std::string& public_role = R"({"maps": ["terrain"], "area": "county"})") {
  return R"({"version": 2, "signed_in": "public_plus_role", "roles": {
    "county_admin": {"maps": ["terrain"], "area": "county"},
    "township_cadre": {"maps": ["terrain"], "area": "township"},
    "village_cadre": {"maps": ["terrain"], "area": "village"},
    "grid_worker": {"maps": ["terrain"], "area": "grid"},
    "disaster_planner": {"maps": ["terrain"], "area": "county"},
    "public": )" +
         public_role + extra_role_text + "}}";
}

void require_refused(const std::string& text, const std::string& needle) {
  try {
    Policy::parse(text, "test-policy.json", test::catalog());
    FAIL("the policy was accepted; expected an error about " << needle);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find("test-policy.json") != std::string::npos);
    CHECK(what.find(needle) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("the committed policy loads and defines every role", "[access][policy]") {
  const Policy& p = test::policy();
  for (auto role : known_roles()) REQUIRE(p.role(role) != nullptr);
  CHECK(p.fingerprint().size() == 16);
  CHECK(p.role("county_admin")->admin);
  CHECK_FALSE(p.role("village_cadre")->admin);
  CHECK(p.role("nobody") == nullptr);
}

TEST_CASE("a minimal policy loads, unlisted personal fields are hidden", "[access][policy]") {
  const Policy p = Policy::parse(minimal_policy(), "test-policy.json", test::catalog());
  const auto admin = p.role("county_admin");
  REQUIRE(admin);
  CHECK(admin->personal == FieldAccess::hidden);
  CHECK(admin->maps == std::vector<std::string>{"terrain"});
  CHECK(admin->edit_maps.empty());
}

TEST_CASE("a policy naming anything unknown fails at load, naming file and key",
          "[access][policy]") {
  require_refused(minimal_policy(R"(, "superuser": {"maps": ["terrain"], "area": "county"})"),
                  "roles.superuser");
  require_refused(minimal_policy("", R"({"maps": ["terrain", "moon"], "area": "county"})"),
                  "unknown map \"moon\"");
  require_refused(
      minimal_policy(
          "", R"({"maps": ["terrain"], "area": "county", "fields": {"castles.name": "hidden"}})"),
      "roles.public.fields.castles.name");
  require_refused(
      minimal_policy(
          "",
          R"({"maps": ["terrain"], "area": "county", "fields": {"buildings.owner": "hidden"}})"),
      "unknown field \"owner\"");
  require_refused(
      minimal_policy(
          "",
          R"({"maps": ["terrain"], "area": "county", "fields": {"buildings.floors": "blurred"}})"),
      "\"blurred\" is not full, masked or hidden");
  require_refused(minimal_policy("", R"({"maps": ["terrain"], "area": "planet"})"),
                  "roles.public.area");
  require_refused(minimal_policy("", R"({"maps": ["terrain"], "area": "county", "colour": "red"})"),
                  "unknown key \"colour\"");
  require_refused(
      minimal_policy("", R"({"maps": ["terrain"], "area": "county", "edit": ["disaster"]})"),
      "roles.public.edit");
  require_refused(
      R"({"version": 2, "signed_in": "public_plus_role", "roles": {"public": {"maps": ["terrain"], "area": "county"}}})",
      "missing role");
  require_refused("{not json", "not valid JSON");
  require_refused(R"({"version": 3, "signed_in": "public_plus_role", "roles": {}})", "version");
  // A version 1 policy limited the public's maps to a signed-in role's area: refused with the
  // reason, so that an administrator upgrading knows what changed.
  require_refused(R"({"version": 1, "roles": {}})", "public_plus_role");
  require_refused(R"({"version": 2, "roles": {}})", "signed_in");
  require_refused(R"({"version": 2, "signed_in": "role_only", "roles": {}})", "signed_in");
  // A class granted outside its map must exist, not duplicate its map, and not be confidential.
  require_refused(minimal_policy("", R"({"maps": ["terrain"], "area": "county", "classes": ["castles"]})"),
                  "unknown feature class \"castles\"");
  require_refused(minimal_policy("", R"({"maps": ["terrain"], "area": "county", "classes": ["roads"]})"),
                  "already granted");
  require_refused(minimal_policy("", R"({"maps": ["terrain"], "area": "county", "classes": ["key_persons"]})"),
                  "confidential map key_persons");
  // Field rules for a class the role is not granted are a mistake, not a no-op.
  require_refused(
      minimal_policy("", R"({"maps": ["terrain"], "area": "county", "fields": {"shelters.name": "hidden"}})"),
      "not granted to this role");
}

TEST_CASE("signed in is public plus role: maps united, the public's grant reaches outside the area",
          "[access][policy]") {
  const Policy& p = test::policy();
  const auto cadre = p.role("village_cadre");
  const auto pub = p.role("public");
  REQUIRE(cadre);
  REQUIRE(pub);
  for (const auto& m : pub->maps) CHECK(cadre->may_see_map(m));
  // buildings: the public reads them anywhere without household_id; a cadre reads household_id in
  // its village only.
  const ClassGrant& b = cadre->grants.at("buildings");
  REQUIRE(b.anywhere);
  REQUIRE(b.in_area);
  const auto hh = static_cast<std::size_t>(test::catalog().find_class("buildings")->field_index("household_id"));
  CHECK(b.anywhere->fields[hh] == FieldAccess::hidden);
  CHECK(b.in_area->fields[hh] == FieldAccess::full);
  // households: nothing for the public, so nothing outside the cadre's area.
  CHECK_FALSE(cadre->grants.at("households").anywhere);
  // The planner's households: a class outside its maps, with no name and no id of people.
  const auto planner = p.role("disaster_planner");
  REQUIRE(planner);
  CHECK_FALSE(planner->may_see_map("industry"));
  const ClassGrant& h = planner->grants.at("households");
  REQUIRE(h.in_area);
  const auto& def = *test::catalog().find_class("households");
  for (const char* hidden : {"household_id", "head_name", "phone", "building_id"}) {
    INFO(hidden);
    CHECK(h.in_area->fields[static_cast<std::size_t>(def.field_index(hidden))] == FieldAccess::hidden);
  }
  for (const char* shown : {"members", "vulnerable_members", "village_code"}) {
    INFO(shown);
    CHECK(h.in_area->fields[static_cast<std::size_t>(def.field_index(shown))] == FieldAccess::full);
  }
}

TEST_CASE("no policy may open personal data, a confidential map or editing to the public",
          "[access][policy]") {
  require_refused(minimal_policy("", R"({"maps": ["terrain", "key_persons"], "area": "county"})"),
                  "confidential map key_persons");
  require_refused(
      minimal_policy("", R"({"maps": ["industry"], "area": "county", "personal": "masked"})"),
      "personal data");
  require_refused(
      minimal_policy(
          "",
          R"({"maps": ["industry"], "area": "county", "fields": {"households.phone": "full"}})"),
      "households.phone");
  require_refused(minimal_policy("", R"({"maps": ["terrain"], "area": "village"})"),
                  "area must be county");
}

TEST_CASE("a missing policy file is a ConfigError naming it", "[access][policy]") {
  CHECK_THROWS_WITH(Policy::load("/nonexistent/policy.json", test::catalog()),
                    Catch::Contains("/nonexistent/policy.json"));
}
