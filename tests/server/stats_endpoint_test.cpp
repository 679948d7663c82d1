// GET /api/stats (issue 5 item 5) with the demo accounts: who may ask for which place and which
// maps, auditing of key_persons statistics, the answers' counts against the index, and bad
// parameters refused with 400 naming the parameter.

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

constexpr const char* kVillage = "331124207201";   // cadre's
constexpr const char* kVillage2 = "331124207202";  // cadre2's
constexpr const char* kTownship = "331124207";     // township's

const App& demo_app() {
  static const App app(test::demo_app_options("stats_endpoint"));
  return app;
}

using test::status;

Response get(const std::string& target, const std::string& token = {}) {
  return test::get(demo_app(), target, token, "192.0.2.7");
}

std::string token_of(const std::string& user) {
  static test::DemoTokens tokens(demo_app(), "192.0.2.7");
  return tokens(user);
}

json get_json(const std::string& target, const std::string& user, int expected) {
  const Response r = get(target, user.empty() ? std::string{} : token_of(user));
  INFO((user.empty() ? "anonymous" : user) << " " << target << " → " << r.body().substr(0, 400));
  REQUIRE(status(r) == expected);
  return json::parse(r.body());
}

std::set<std::string> maps_of(const json& answer) {
  std::set<std::string> out;
  for (const auto& [k, v] : answer.at("maps").items()) out.insert(k);
  return out;
}

std::vector<json> audit_entries() { return test::audit_entries(demo_app()); }

// Households of `village` in the index with employment `value` (no scope: the admin sees all).
std::size_t households_with(const std::string& village, const std::string& value) {
  const auto& def = *demo_app().catalog().find_class("households");
  std::vector<store::ServedFeaturePtr> all;
  demo_app().index().query("households", {-1e300, -1e300, 1e300, 1e300}, all);
  std::size_t n = 0;
  for (const auto& f : all) {
    const auto& vals = f->feature.values;
    const auto* code = std::get_if<std::string>(&vals[static_cast<std::size_t>(def.field_index("village_code"))]);
    const auto* emp = std::get_if<std::string>(&vals[static_cast<std::size_t>(def.field_index("employment"))]);
    n += code && emp && code->rfind(village, 0) == 0 && *emp == value;
  }
  return n;
}

}  // namespace

TEST_CASE("stats: the village cadre sees its own village only", "[server][stats]") {
  const json own = get_json(std::string("/api/stats?village=") + kVillage, "cadre", 200);
  CHECK(own.at("place").at("village") == kVillage);
  CHECK(own.at("place").at("name") == "溪岭村");
  CHECK(maps_of(own) == std::set<std::string>{"terrain", "industry", "organization", "key_persons", "assistance", "disaster"});
  // The panel's numbers are the index's.
  for (const auto& row : own.at("maps").at("industry").at("tables").at("households_by_employment").at("rows")) {
    if (row.at("value").is_string()) CHECK(row.at("count") == households_with(kVillage, row.at("value")));
  }
  // Another village: what the public sees of it (terrain), never less than anonymous, and nothing of
  // the cadre's own maps.
  const json other = get_json(std::string("/api/stats?village=") + kVillage2, "cadre", 200);
  CHECK(maps_of(other) == std::set<std::string>{"terrain"});
  CHECK(other == get_json(std::string("/api/stats?village=") + kVillage2, "", 200));
  const Response industry = get(std::string("/api/stats?village=") + kVillage2 + "&map=industry", token_of("cadre"));
  CHECK(status(industry) == 403);
  CHECK(json::parse(industry.body()).at("detail").get<std::string>().find("outside the area") != std::string::npos);
  CHECK(status(get(std::string("/api/stats?township=") + kTownship + "&map=industry", token_of("cadre"))) == 403);
  CHECK(maps_of(get_json(std::string("/api/stats?township=") + kTownship, "cadre", 200)) == std::set<std::string>{"terrain"});
  // An unknown village outside the area is refused like a real one for a map only the role sees:
  // existence is not confirmed beyond what the public map tells anyone.
  CHECK(status(get("/api/stats?village=331124207299&map=industry", token_of("cadre"))) == 403);
  CHECK(status(get("/api/stats?village=331124207299", token_of("cadre"))) == 404);
  CHECK(status(get("/api/stats?village=331124207299", "")) == 404);
  CHECK(maps_of(get_json(std::string("/api/stats?village=") + kVillage2, "cadre2", 200)).size() == 6);
}

TEST_CASE("stats: the township cadre sees its township, the planner disaster and terrain, anonymous terrain",
          "[server][stats]") {
  const json t = get_json(std::string("/api/stats?township=") + kTownship, "township", 200);
  CHECK(t.at("place").at("villages").size() == 3);
  CHECK(maps_of(t).count("key_persons") == 1);
  for (const auto& row : t.at("maps").at("industry").at("tables").at("households_by_employment").at("rows")) {
    if (row.at("value").is_string()) CHECK(row.at("count") == households_with(kTownship, row.at("value")));
  }
  CHECK(status(get("/api/stats?township=331124208&map=industry", token_of("township"))) == 403);
  CHECK(status(get("/api/stats?township=331124208", token_of("township"))) == 404);  // terrain: none there

  const json p = get_json(std::string("/api/stats?township=") + kTownship, "planner", 200);
  CHECK(maps_of(p) == std::set<std::string>{"terrain", "disaster"});
  // A planner counts households (positions and residents, no names): the population at risk.
  CHECK(p.at("maps").at("disaster").at("evacuation").at("population_at_risk").is_number());
  const Response kp = get(std::string("/api/stats?village=") + kVillage + "&map=key_persons", token_of("planner"));
  CHECK(status(kp) == 404);
  // The same answer as a map that does not exist at all.
  const Response nothing = get(std::string("/api/stats?village=") + kVillage + "&map=no_such_map", token_of("planner"));
  CHECK(status(nothing) == 404);
  CHECK(json::parse(kp.body()).at("detail").get<std::string>().substr(0, 14) ==
        json::parse(nothing.body()).at("detail").get<std::string>().substr(0, 14));
  CHECK(status(get(std::string("/api/stats?village=") + kVillage + "&map=industry", token_of("planner"))) == 403);

  const json anon = get_json(std::string("/api/stats?village=") + kVillage2, "", 200);
  CHECK(maps_of(anon) == std::set<std::string>{"terrain"});
  CHECK(get_json(std::string("/api/stats?township=") + kTownship, "", 200).at("maps").size() == 1);
  CHECK(status(get(std::string("/api/stats?village=") + kVillage + "&map=disaster")) == 403);
  CHECK(status(get(std::string("/api/stats?village=") + kVillage + "&map=key_persons")) == 404);
}

TEST_CASE("stats: the admin sees everything, unknown places are 404", "[server][stats]") {
  const json a = get_json(std::string("/api/stats?township=") + kTownship + "&map=disaster,industry", "admin", 200);
  CHECK(maps_of(a) == std::set<std::string>{"disaster", "industry"});
  CHECK(a.at("maps").at("disaster").at("evacuation").at("population_at_risk").is_number());
  CHECK_FALSE(a.at("notes").empty());
  const Response v = get("/api/stats?village=331124207299", token_of("admin"));
  CHECK(status(v) == 404);
  CHECK(json::parse(v.body()).at("detail") == "no village 331124207299");
  CHECK(status(get("/api/stats?township=331124299", token_of("admin"))) == 404);
}

TEST_CASE("stats: key_persons statistics are audited with the place and map", "[server][stats]") {
  token_of("cadre");  // signed in first: the login has its own audit entry
  const auto before = audit_entries().size();
  get_json(std::string("/api/stats?village=") + kVillage + "&map=terrain", "cadre", 200);
  CHECK(audit_entries().size() == before);  // nothing confidential read
  const Response r = get(std::string("/api/stats?village=") + kVillage + "&map=key_persons", token_of("cadre"));
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::cache_control] == "private, no-store");
  const auto entries = audit_entries();
  REQUIRE(entries.size() == before + 1);
  const json& e = entries.back();
  CHECK(e.at("action") == "key_persons_query");
  CHECK(e.at("user") == "cadre");
  CHECK(e.at("detail").at("place").at("village") == kVillage);
  CHECK(e.at("detail").at("map") == "key_persons");
  const json body = json::parse(r.body());
  const auto& rows = body.at("maps").at("key_persons").at("tables").at("key_persons_by_category").at("rows");
  CHECK(rows.size() >= 7);  // every category, zeros included
  CHECK(body.at("maps").at("key_persons").at("tables").contains("key_persons_by_risk_level"));
}

TEST_CASE("stats: bad parameters are refused with 400 naming the parameter", "[server][stats]") {
  const std::string admin = token_of("admin");
  const auto detail = [&](const std::string& query) {
    const Response r = get("/api/stats" + query, admin);
    INFO(query << " → " << r.body());
    CHECK(status(r) == 400);
    return json::parse(r.body()).at("detail").get<std::string>();
  };
  CHECK(detail("").find("village or township") != std::string::npos);
  CHECK(detail("?map=terrain").find("village or township") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&township=" + kTownship).find("village and township") != std::string::npos);
  CHECK(detail("?village=33112420720").find("parameter village") != std::string::npos);      // 11 digits
  CHECK(detail("?village=3311242072011").find("parameter village") != std::string::npos);    // 13 digits
  CHECK(detail("?village=33112420720a").find("parameter village") != std::string::npos);     // a letter
  CHECK(detail("?village=%EF%BC%93%EF%BC%93112420720").find("parameter village") != std::string::npos);  // full-width digits
  CHECK(detail("?village=331124207201'%20OR%20'1'='1").find("parameter village") != std::string::npos);
  CHECK(detail("?village=331124207201;DROP%20TABLE%20households").find("parameter village") != std::string::npos);
  CHECK(detail("?township=33112420").find("parameter township") != std::string::npos);
  CHECK(detail("?township=331124207201").find("parameter township") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&map=").find("parameter map") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&map=terrain,,disaster").find("parameter map") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&map=Terrain").find("parameter map") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&map=terrain,terrain").find("parameter map") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&map=terrain'--").find("parameter map") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&bbox=1,2,3,4").find("unknown parameter 'bbox'") != std::string::npos);
  CHECK(detail(std::string("?village=") + kVillage + "&village=" + kVillage2).find("parameter village") != std::string::npos);
  // A well-formed but unknown map name answers as tiles do: 404, like the hidden key_persons.
  const Response unknown = get(std::string("/api/stats?village=") + kVillage + "&map=no_such_map", admin);
  CHECK(status(unknown) == 404);
  CHECK(json::parse(unknown.body()).at("detail").get<std::string>().find("parameter map") != std::string::npos);
}
