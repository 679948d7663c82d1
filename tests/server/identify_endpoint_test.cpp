// GET /api/identify over the sample villages with the demo accounts: what each caller finds under
// a click (anonymous: terrain only; a village cadre: their own village's key persons with the
// id_number masked, audited; another village's cadre: none of them; the disaster planner: no
// personal field), the maps parameter, and every malformed or hostile parameter refused with a
// 400 naming it.

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "geo/tile.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

const App& demo_app() {
  static const App app(test::demo_app_options("identify_endpoint"));
  return app;
}

using test::status;

std::string token_of(const std::string& user) {
  static test::DemoTokens tokens(demo_app(), "198.51.100.7");
  return tokens(user);
}

Response get(const std::string& target, const std::string& user = {}) {
  return test::get(demo_app(), target, token_of(user), "198.51.100.8");
}

json get_json(const std::string& target, const std::string& user = {}) {
  const Response r = get(target, user);
  INFO((user.empty() ? "anonymous" : user) << " " << target << " → " << r.body().substr(0, 300));
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::content_type] == "application/geo+json");
  // server/cache_policy.hpp: anonymous answers are public; signed-in ones private (no-store when
  // they hold personal data).
  CHECK(r[http::field::vary] == "Authorization, Cookie");
  CHECK(to_std(r[http::field::cache_control]).rfind(user.empty() ? "public, " : "private, ", 0) == 0);
  return json::parse(r.body());
}

std::vector<std::string> audit_lines() { return test::audit_lines(demo_app()); }

std::string text(const store::ServedFeature& f, const std::string& cls, const std::string& field) {
  const int i = demo_app().catalog().find_class(cls)->field_index(field);
  const auto* s = std::get_if<std::string>(&f.feature.values.at(static_cast<std::size_t>(i)));
  return s ? *s : std::string{};
}

std::vector<store::ServedFeaturePtr> all_of(const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  demo_app().index().query(cls, {-1e300, -1e300, 1e300, 1e300}, out);
  return out;
}

// A key person of the first sample village (where the cadre works), at their residence.
store::ServedFeaturePtr key_person_of_first_village() {
  for (const auto& k : all_of("key_persons")) {
    if (text(*k, "key_persons", "village_code") == "331124207201" && !text(*k, "key_persons", "id_number").empty()) return k;
  }
  FAIL("no key person in village 331124207201");
  return {};
}

std::string identify_at(geo::Coord mercator, const std::string& rest = "zoom=18") {
  const geo::Coord ll = geo::mercator_to_lonlat(mercator);
  char buf[96];
  std::snprintf(buf, sizeof buf, "lon=%.9f&lat=%.9f", ll.x, ll.y);
  return "/api/identify?" + std::string(buf) + (rest.empty() ? "" : "&" + rest);
}

std::set<std::string> classes_of(const json& fc) {
  std::set<std::string> out;
  for (const auto& f : fc.at("features")) out.insert(f.at("class").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("identify endpoint: a GeoJSON answer with class, map, title and distance", "[server][identify]") {
  const auto kp = key_person_of_first_village();
  const json fc = get_json(identify_at(kp->feature.geometry.coords[0]), "admin");
  CHECK(fc.at("type") == "FeatureCollection");
  REQUIRE_FALSE(fc.at("features").empty());
  CHECK(fc.at("numberReturned") == fc.at("features").size());
  CHECK(fc.at("numberMatched").get<std::size_t>() >= fc.at("features").size());
  CHECK(fc.at("tolerance_m").get<double>() > 2);
  for (const auto& f : fc.at("features")) {
    CHECK(f.at("type") == "Feature");
    const auto* def = demo_app().catalog().find_class(f.at("class").get<std::string>());
    REQUIRE(def);
    CHECK(f.at("map") == def->map);
    CHECK(f.at("title") == def->title.zh);
    CHECK(f.at("distance_m").get<double>() >= 0);
    CHECK(f.at("distance_m").get<double>() <= fc.at("tolerance_m").get<double>() + 0.01);
    CHECK(f.contains("geometry"));
    CHECK(f.at("properties").is_object());
  }
  // The residence's building, the first village and its land cover are all under the click.
  const auto classes = classes_of(fc);
  for (const char* cls : {"key_persons", "households", "buildings", "villages", "landcover"}) CHECK(classes.count(cls));

  // limit
  const json one = get_json(identify_at(kp->feature.geometry.coords[0], "zoom=18&limit=1"), "admin");
  CHECK(one.at("features").size() == 1);
  CHECK(one.at("numberMatched") == fc.at("numberMatched"));
  CHECK(one.at("features")[0] == fc.at("features")[0]);
  CHECK(get_json(identify_at(kp->feature.geometry.coords[0], "zoom=18&limit=100000"), "admin").at("features").size() <= 100);

  // Nothing under a click in the sea: an empty collection.
  const json none = get_json("/api/identify?lon=125&lat=25&zoom=17");
  CHECK(none.at("features").empty());
  CHECK(none.at("numberMatched") == 0);
}

TEST_CASE("identify endpoint: each caller finds only what their scope holds", "[server][identify]") {
  const auto kp = key_person_of_first_village();
  const geo::Coord at = kp->feature.geometry.coords[0];
  const std::string raw_id = text(*kp, "key_persons", "id_number");
  const std::string raw_name = text(*kp, "key_persons", "name");

  SECTION("anonymous: terrain only, no household") {
    const json fc = get_json(identify_at(at));
    REQUIRE_FALSE(fc.at("features").empty());
    for (const auto& f : fc.at("features")) CHECK(f.at("map") == "terrain");
    CHECK(classes_of(fc).count("buildings"));
    CHECK_FALSE(classes_of(fc).count("households"));
    for (const auto& f : fc.at("features")) CHECK_FALSE(f.at("properties").contains("household_id"));
  }

  SECTION("cadre of the village: the key person, id_number masked, audited") {
    token_of("cadre");  // signing in is audited too: count from after it
    const auto before = audit_lines().size();
    const json fc = get_json(identify_at(at), "cadre");
    bool found = false;
    for (const auto& f : fc.at("features")) {
      if (f.at("class") != "key_persons" || f.at("id") != kp->feature.fid) continue;
      found = true;
      const std::string id = f.at("properties").at("id_number").get<std::string>();
      // DOMAIN.md: 330***********1234 — the first 3 and last 4 characters, the rest starred.
      CHECK(id != raw_id);
      CHECK(id == raw_id.substr(0, 3) + std::string(raw_id.size() - 7, '*') + raw_id.substr(raw_id.size() - 4));
      CHECK(f.at("properties").at("name") == raw_name);  // a village cadre reads names in full
    }
    CHECK(found);
    const auto lines = audit_lines();
    REQUIRE(lines.size() == before + 1);
    const json entry = json::parse(lines.back());
    CHECK(entry.dump().find("key_persons_identify") != std::string::npos);
    CHECK(entry.dump().find("\"cadre\"") != std::string::npos);
    CHECK(entry.dump().find(std::to_string(kp->feature.fid)) != std::string::npos);
    CHECK(entry.dump().find(raw_id) == std::string::npos);

    // A click that returns no key person leaves no audit line.
    get_json("/api/identify?lon=125&lat=25&zoom=17", "cadre");
    CHECK(audit_lines().size() == before + 1);
  }

  SECTION("cadre of another village: none of this village's households or key persons, its terrain as the public's") {
    token_of("cadre2");
    token_of("cadre");
    const auto before = audit_lines().size();
    const json fc = get_json(identify_at(at, "zoom=14"), "cadre2");
    const json pub = get_json(identify_at(at, "zoom=14"), "");
    for (const auto& f : fc.at("features")) {
      const auto& p = f.at("properties");
      INFO(f.at("class"));
      // Only what the public sees of another village: the terrain map, as the public reads it.
      if (p.contains("village_code") && p.at("village_code") == "331124207201") CHECK(f.at("map") == "terrain");
    }
    CHECK(fc.at("numberMatched") == pub.at("numberMatched"));
    CHECK(audit_lines().size() == before);
    // The same click by the village's own cadre does find them: the test above can fail.
    CHECK(classes_of(get_json(identify_at(at, "zoom=14"), "cadre")).count("households"));
  }

  SECTION("disaster planner: terrain, disaster and households as counts; no name, phone or id of people") {
    const json fc = get_json(identify_at(at, "zoom=15"), "planner");
    REQUIRE_FALSE(fc.at("features").empty());
    bool household = false;
    for (const auto& f : fc.at("features")) {
      const auto* def = demo_app().catalog().find_class(f.at("class").get<std::string>());
      CHECK((def->map == "terrain" || def->map == "disaster" || def->name == "households"));
      household = household || def->name == "households";
      for (const auto& [k, v] : f.at("properties").items()) {
        const auto* field = def->field(k);
        REQUIRE(field);
        INFO(def->name << "." << k);
        // The one personal field a planner reads is a count: how many need help to evacuate.
        if (field->personal) CHECK(k == "vulnerable_members");
      }
      CHECK_FALSE(f.at("properties").contains("household_id"));
      CHECK_FALSE(f.at("properties").contains("head_name"));
      CHECK_FALSE(f.at("properties").contains("phone"));
    }
    CHECK(household);  // the click is on a house
  }
}

TEST_CASE("identify endpoint: the maps parameter", "[server][identify]") {
  const auto kp = key_person_of_first_village();
  const geo::Coord at = kp->feature.geometry.coords[0];
  const json only = get_json(identify_at(at, "zoom=18&maps=key_persons"), "cadre");
  REQUIRE_FALSE(only.at("features").empty());
  for (const auto& f : only.at("features")) CHECK(f.at("map") == "key_persons");
  const json two = get_json(identify_at(at, "zoom=18&maps=terrain,industry,terrain"), "cadre");
  for (const auto& f : two.at("features")) CHECK((f.at("map") == "terrain" || f.at("map") == "industry"));
  CHECK(classes_of(two).count("households"));

  // Not granted: 403, and 404 for the confidential map, as for one that does not exist.
  CHECK(status(get(identify_at(at, "zoom=18&maps=disaster"))) == 403);
  CHECK(status(get(identify_at(at, "zoom=18&maps=key_persons"))) == 404);
  CHECK(status(get(identify_at(at, "zoom=18&maps=terrain,key_persons"))) == 404);
  CHECK(status(get(identify_at(at, "zoom=18&maps=no_such_map"))) == 404);
  CHECK(status(get(identify_at(at, "zoom=18&maps=key_persons"), "grid")) == 404);
}

TEST_CASE("identify endpoint: malformed and hostile parameters are refused, naming them", "[server][identify]") {
  const std::string big(10 * 1024, '9');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"lat=28.4&zoom=17", "lon"},
      {"lon=119.5&zoom=17", "lat"},
      {"lon=119.5&lat=28.4", "zoom"},
      {"lon=NaN&lat=28.4&zoom=17", "lon"},
      {"lon=nan&lat=28.4&zoom=17", "lon"},
      {"lon=inf&lat=28.4&zoom=17", "lon"},
      {"lon=1e999&lat=28.4&zoom=17", "lon"},
      {"lon=119.5&lat=91&zoom=17", "lat"},
      {"lon=119.5&lat=86&zoom=17", "lat"},  // outside Web Mercator
      {"lon=181&lat=28.4&zoom=17", "lon"},
      {"lon=119.5&lat=28.4&zoom=23", "zoom"},
      {"lon=119.5&lat=28.4&zoom=-1", "zoom"},
      {"lon=119.5&lat=28.4&zoom=", "zoom"},
      {"lon=1%3BDROP%20TABLE%20households&lat=28.4&zoom=17", "lon"},
      {"lon=119.5&lat=%27%20OR%201%3D1%20--&zoom=17", "lat"},
      {"lon=%20119.5&lat=28.4&zoom=17", "lon"},
      {"lon=0x10&lat=28.4&zoom=17", "lon"},
      {"lon=" + big + "&lat=28.4&zoom=17", "lon"},
      {"lon=119.5&lat=28.4&zoom=17&maps=" + big, "maps"},
      {"lon=119.5&lat=28.4&zoom=17&maps=%27%20OR%201%3D1%20--", "maps"},
      {"lon=119.5&lat=28.4&zoom=17&maps=terrain,,industry", "maps"},
      {"lon=119.5&lat=28.4&zoom=17&maps=", "maps"},
      {"lon=119.5&lat=28.4&zoom=17&limit=0", "limit"},
      {"lon=119.5&lat=28.4&zoom=17&limit=-5", "limit"},
      {"lon=119.5&lat=28.4&zoom=17&limit=1;DROP", "limit"},
      {"lon=119.5&lat=28.4&zoom=17&lon=120", "lon"},
      {"lon=119.5&lat=28.4&zoom=17&radius=5", "radius"},
      {"lon=119.5&lat=28.4&zoom=17&%27%20OR%201%3D1%20--=1", "' OR 1=1 --"},
  };
  for (const auto& [query, param] : cases) {
    const Response r = get("/api/identify?" + query, "admin");
    INFO(query.substr(0, 120) << " → " << r.body().substr(0, 200));
    CHECK(status(r) == 400);
    const json body = json::parse(r.body());
    CHECK(body.at("detail").get<std::string>().find(param) != std::string::npos);
    CHECK(body.at("detail").get<std::string>().size() < 400);  // the 10 KB value is not echoed
  }
  // Fractional zoom and the edges of the ranges are fine.
  for (const char* ok : {"lon=119.5&lat=28.4&zoom=16.5", "lon=-180&lat=-85.05&zoom=0", "lon=180&lat=85.05&zoom=22"}) {
    INFO(ok);
    CHECK(status(get(std::string("/api/identify?") + ok)) == 200);
  }
}
