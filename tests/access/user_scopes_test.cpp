// Signed-in scopes are built once per account state and shared; a changed role or assignment is a
// new scope at once.

#include <catch2/catch.hpp>

#include "access/user_scopes.hpp"
#include "access_fixture.hpp"
#include "base/error.hpp"

using namespace minqing;
using namespace minqing::access;

TEST_CASE("an account's scope is shared by its requests and follows a changed assignment",
          "[access][scope]") {
  UserScopes scopes(test::policy());
  const Assignment v1{"", "331124207201", {}};
  const Assignment v2{"", "331124207202", {}};
  const auto a = scopes.of("cadre", "village_cadre", v1);
  CHECK(scopes.of("cadre", "village_cadre", v1) == a);
  CHECK(a->cache_key() == Scope::for_user(test::policy(), "cadre", "village_cadre", v1).cache_key());

  const auto moved = scopes.of("cadre", "village_cadre", v2);
  CHECK(moved != a);
  CHECK(moved->cache_key() != a->cache_key());
  CHECK(moved->cache_key().find("331124207202") != std::string::npos);

  const auto promoted = scopes.of("cadre", "township_cadre", Assignment{"331124207", "", {}});
  CHECK(promoted != a);
  CHECK(promoted->cache_key().find("township") != std::string::npos);

  // Another account of the same area has its own scope (its user name goes into the audit log).
  const auto other = scopes.of("cadre2", "village_cadre", v1);
  CHECK(other != a);
  CHECK(other->user() == "cadre2");

  // A role the policy does not know is refused every time, never cached.
  CHECK_THROWS_AS(scopes.of("x", "no_such_role", v1), ConfigError);
  CHECK_THROWS_AS(scopes.of("x", "no_such_role", v1), ConfigError);
}
