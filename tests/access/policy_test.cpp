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
  return R"({"version": 1, "roles": {
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
  require_refused(R"({"version": 1, "roles": {"public": {"maps": ["terrain"], "area": "county"}}})",
                  "missing role");
  require_refused("{not json", "not valid JSON");
  require_refused(R"({"version": 2, "roles": {}})", "version");
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
