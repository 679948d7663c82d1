// Sessions over HTTP and the scope they give (issue 4, first slice): login / logout / me, the
// session cookie and its flags, Bearer tokens, forged and logged-out tokens, CSRF on cookie writes,
// lockout — and the pixel test: a key-persons tile is drawn with its symbols only for a cadre of
// that village, and every scope has its own cache entry.

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "geo/tile.hpp"
#include "render/png_encoder.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

const App& demo_app() {
  static const App app(test::demo_app_options("auth_endpoint"));
  return app;
}

using test::status;

using test::request;

Response get(const std::string& target, const std::string& token = {}, const std::string& peer = "192.0.2.1") {
  return test::get(demo_app(), target, token, peer);
}

Response post_login(const std::string& body, const std::string& peer, const char* type = "application/json") {
  return test::post(demo_app(), "/api/login", body, {}, peer, type);
}

Response login(const std::string& user, const std::string& password, const std::string& peer = "192.0.2.10") {
  return test::login(demo_app(), user, password, peer);
}

std::string token_of(const std::string& user) { return test::sign_in(demo_app(), user, "192.0.2.10"); }

std::vector<std::string> audit_lines() { return test::audit_lines(demo_app()); }

std::string text_of(const model::Feature& f, const std::string& cls, const std::string& field) {
  const int i = demo_app().catalog().find_class(cls)->field_index(field);
  REQUIRE(i >= 0);
  const auto* s = std::get_if<std::string>(&f.values[static_cast<std::size_t>(i)]);
  return s ? *s : std::string{};
}

// The demo area as the App chose it (the store's first two villages by code).
std::string first_village() {
  for (const auto& a : demo_app().demo_accounts()) {
    if (a.username == "cadre") return a.assignment.village_code;
  }
  FAIL("no cadre demo account");
  return {};
}

// The circle-color match values of styles/key_persons.json (not the fallback).
std::vector<std::array<int, 3>> key_person_colours() {
  std::ifstream in(test::styles_dir() / "key_persons.json");
  const json style = json::parse(in);
  std::vector<std::array<int, 3>> out;
  for (const auto& layer : style.at("layers")) {
    if (layer.at("type") != "circle") continue;
    const json& m = layer.at("paint").at("circle-color");
    REQUIRE(m.at(0) == "match");
    for (std::size_t i = 3; i + 1 < m.size(); i += 2) {
      const std::string hex = m.at(i).get<std::string>();
      REQUIRE(hex.size() == 7);
      out.push_back({std::stoi(hex.substr(1, 2), nullptr, 16), std::stoi(hex.substr(3, 2), nullptr, 16),
                     std::stoi(hex.substr(5, 2), nullptr, 16)});
    }
  }
  REQUIRE(out.size() >= 5);
  return out;
}

// Opaque pixels of `png` within 3 of one of `colours`.
int key_person_pixels(const std::string& png_bytes) {
  const auto colours = key_person_colours();
  const auto png = render::decode_png(png_bytes);
  int n = 0;
  for (std::size_t i = 0; i + 3 < png.rgba.size(); i += 4) {
    const int r = static_cast<unsigned char>(png.rgba[i]);
    const int g = static_cast<unsigned char>(png.rgba[i + 1]);
    const int b = static_cast<unsigned char>(png.rgba[i + 2]);
    const int a = static_cast<unsigned char>(png.rgba[i + 3]);
    if (a < 250) continue;
    for (const auto& c : colours) {
      if (std::abs(r - c[0]) <= 3 && std::abs(g - c[1]) <= 3 && std::abs(b - c[2]) <= 3) {
        ++n;
        break;
      }
    }
  }
  return n;
}

// A z15 tile holding a key person of the first village (no glyphs at z15: circles only).
geo::TileId key_person_tile() {
  std::vector<store::ServedFeaturePtr> people;
  demo_app().index().query("key_persons", demo_app().index().extent(), people);
  const std::string village = first_village();
  for (const auto& p : people) {
    if (text_of(p->feature, "key_persons", "village_code") == village) return geo::tile_at(p->bbox.center(), 15);
  }
  FAIL("the sample has no key person in village " + village);
  return {};
}

std::string tile_path(const std::string& maps, geo::TileId t) {
  return "/tiles/" + maps + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".png";
}

}  // namespace

TEST_CASE("demo mode creates the six demo accounts from the store's own villages", "[server][auth]") {
  std::set<std::string> names;
  for (const auto& a : demo_app().demo_accounts()) names.insert(a.username);
  CHECK(names == std::set<std::string>{"admin", "township", "cadre", "cadre2", "grid", "planner"});
  CHECK(first_village() == "331124207201");
  for (const auto& u : demo_app().auth_db().list_users()) CHECK(names.count(u.username));
}

TEST_CASE("login answers a token, a hardened cookie and an audit entry", "[server][auth]") {
  const auto before = audit_lines().size();
  const Response r = login("cadre", access::kDemoPassword, "192.0.2.20");
  REQUIRE(status(r) == 200);
  const json body = json::parse(r.body());
  CHECK(body.at("user") == "cadre");
  CHECK(body.at("role") == "village_cadre");
  CHECK(body.at("expires").get<std::string>().size() >= 20);
  const std::string token = body.at("token");
  CHECK(token.size() == 43);
  const std::string cookie(r[http::field::set_cookie]);
  CHECK(cookie.rfind("minqing_session=" + token + ";", 0) == 0);
  CHECK(cookie.find("; HttpOnly") != std::string::npos);
  CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("; Path=/") != std::string::npos);
  CHECK(cookie.find("; Max-Age=43200") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP; a TLS front end adds it
  CHECK(r[http::field::cache_control] == "private, no-store");
  const auto lines = audit_lines();
  REQUIRE(lines.size() == before + 1);
  const json entry = json::parse(lines.back());
  CHECK(entry.at("action") == "login");
  CHECK(entry.at("user") == "cadre");
  CHECK(entry.at("address") == "192.0.2.20");
  CHECK(lines.back().find(token) == std::string::npos);
  CHECK(lines.back().find(access::kDemoPassword) == std::string::npos);
}

TEST_CASE("a failed login gets one identical 401 whatever the reason", "[server][auth]") {
  demo_app().auth_db().set_disabled("grid", true, access::Clock::now());
  const Response wrong = login("cadre", "not-the-password", "192.0.2.30");
  const Response unknown = login("nobody-here", "whatever-password", "192.0.2.31");
  const Response disabled = login("grid", access::kDemoPassword, "192.0.2.32");
  demo_app().auth_db().set_disabled("grid", false, access::Clock::now());
  CHECK(status(wrong) == 401);
  CHECK(status(unknown) == 401);
  CHECK(status(disabled) == 401);
  CHECK(wrong.body() == unknown.body());
  CHECK(wrong.body() == disabled.body());
  CHECK(wrong[http::field::set_cookie].empty());
  const json entry = json::parse(audit_lines().back());
  CHECK(entry.at("action") == "login_failed");
  CHECK(audit_lines().back().find("not-the-password") == std::string::npos);
}

TEST_CASE("malformed logins get 400 or 415", "[server][auth]") {
  CHECK(status(post_login("{", "192.0.2.40")) == 400);
  CHECK(status(post_login("[]", "192.0.2.40")) == 400);
  CHECK(status(post_login(R"({"username":"cadre"})", "192.0.2.40")) == 400);
  CHECK(status(post_login(R"({"username":"cadre","password":5})", "192.0.2.40")) == 400);
  CHECK(status(post_login(std::string(5000, ' ') + "{}", "192.0.2.40")) == 400);
  CHECK(status(post_login(R"({"username":"cadre","password":"minqing-demo"})", "192.0.2.40", "text/plain")) == 415);
  CHECK(status(post_login(R"({"username":"cadre","password":"minqing-demo"})", "192.0.2.40", nullptr)) == 415);
}

TEST_CASE("repeated failures lock the account: 429 with Retry-After, even with the right password", "[server][auth]") {
  // An account of its own, so that the lockout does not touch the demo accounts.
  demo_app().auth_db().create_user("lockme", "lockme-password", "disaster_planner", {},
                                   access::Clock::now());
  int locked_at = 0;
  for (int i = 1; i <= 20 && !locked_at; ++i) {
    const Response r = login("lockme", "wrong-password", "192.0.2.50");
    if (status(r) == 429) locked_at = i;
    else CHECK(status(r) == 401);
  }
  REQUIRE(locked_at > 0);
  const Response r = login("lockme", "lockme-password", "192.0.2.51");
  CHECK(status(r) == 429);
  CHECK(std::stoi(std::string(r[http::field::retry_after])) > 0);
  CHECK(r.body().find("token") == std::string::npos);
  CHECK(json::parse(audit_lines().back()).at("detail").at("reason") == "locked");
}

TEST_CASE("Bearer tokens and cookies both resolve the session, forged and logged-out ones do not", "[server][auth]") {
  const std::string token = token_of("planner");
  CHECK(json::parse(get("/api/me", token).body()).at("role") == "disaster_planner");

  Request by_cookie = request(http::verb::get, "/api/me");
  by_cookie.set(http::field::cookie, "theme=dark; minqing_session=" + token);
  CHECK(json::parse(demo_app().handle(by_cookie).body()).at("role") == "disaster_planner");

  // A presented-but-invalid Bearer token: 401 (the client must learn it is not signed in).
  const std::string forged(43, 'A');
  const Response bad = get("/api/me", forged);
  CHECK(status(bad) == 401);
  CHECK(bad[http::field::www_authenticate].find("Bearer") != std::string::npos);
  CHECK(status(get("/api/me", "not a token")) == 401);
  Request basic = request(http::verb::get, "/api/me");
  basic.set(http::field::authorization, "Basic YWRtaW46eA==");
  CHECK(status(demo_app().handle(basic)) == 401);
  // An invalid cookie: anonymous.
  Request stale = request(http::verb::get, "/api/me");
  stale.set(http::field::cookie, "minqing_session=" + forged);
  const Response anon = demo_app().handle(stale);
  CHECK(status(anon) == 200);
  CHECK(json::parse(anon.body()).at("role") == "public");

  // Logout (Bearer: no CSRF header needed) ends it: 204, the cookie expired, then 401 / anonymous.
  Request out = request(http::verb::post, "/api/logout");
  out.set(http::field::authorization, "Bearer " + token);
  const Response bye = demo_app().handle(out, "192.0.2.60");
  CHECK(status(bye) == 204);
  CHECK(std::string(bye[http::field::set_cookie]).find("Max-Age=0") != std::string::npos);
  CHECK(json::parse(audit_lines().back()).at("action") == "logout");
  CHECK(status(get("/api/me", token)) == 401);
  CHECK(json::parse(demo_app().handle(by_cookie).body()).at("role") == "public");
}

TEST_CASE("CSRF: a write authenticated by the cookie needs the custom header", "[server][auth]") {
  const std::string token = token_of("admin");
  Request out = request(http::verb::post, "/api/logout");
  out.set(http::field::cookie, "minqing_session=" + token);
  const Response refused = demo_app().handle(out);
  CHECK(status(refused) == 403);
  CHECK(json::parse(get("/api/me", token).body()).at("role") == "county_admin");  // still signed in
  out.set("X-Requested-With", "something-else");
  CHECK(status(demo_app().handle(out)) == 403);
  out.set("X-Requested-With", "minqing");
  CHECK(status(demo_app().handle(out)) == 204);
  CHECK(status(get("/api/me", token)) == 401);
}

TEST_CASE("/api/me describes each demo role, anonymous is public", "[server][auth]") {
  const std::vector<std::pair<std::string, std::string>> roles = {
      {"admin", "county_admin"},     {"township", "township_cadre"}, {"cadre", "village_cadre"},
      {"cadre2", "village_cadre"},   {"grid", "grid_worker"},        {"planner", "disaster_planner"}};
  for (const auto& [user, role] : roles) {
    const Response r = get("/api/me", token_of(user));
    REQUIRE(status(r) == 200);
    const json me = json::parse(r.body());
    INFO(me.dump());
    CHECK(me.at("user") == user);
    CHECK(me.at("role") == role);
    CHECK(me.at("public") == false);
    CHECK(r[http::field::cache_control] == "private, no-store");
    const auto maps = me.at("maps").get<std::vector<std::string>>();
    const bool kp = std::find(maps.begin(), maps.end(), "key_persons") != maps.end();
    CHECK(kp == (role == "county_admin" || role == "township_cadre" || role == "village_cadre"));
  }
  const json cadre = json::parse(get("/api/me", token_of("cadre")).body());
  CHECK(cadre.at("area").at("village_code") == first_village());
  const json anon = json::parse(get("/api/me").body());
  CHECK(anon.at("role") == "public");
  CHECK(anon.at("public") == true);
  CHECK(anon.at("maps") == json::array({"terrain"}));
}

TEST_CASE("/api/layers and WMTS list only the maps the scope may see", "[server][auth]") {
  const auto names = [](const Response& r) {
    std::set<std::string> out;
    const json doc = json::parse(r.body());
    for (const auto& m : doc.at("maps")) out.insert(m.at("name").get<std::string>());
    return out;
  };
  CHECK(names(get("/api/layers")) == std::set<std::string>{"terrain"});
  // The planner's households come with their map's entry, marked as a class grant (no industry tiles).
  CHECK(names(get("/api/layers", token_of("planner"))) == std::set<std::string>{"terrain", "disaster", "industry"});
  const json planner = json::parse(get("/api/layers", token_of("planner")).body());
  for (const auto& m : planner.at("maps")) {
    if (m.at("name") != "industry") continue;
    CHECK(m.at("granted") == "class");
    REQUIRE(m.at("classes").size() == 1);
    CHECK(m.at("classes").at(0).at("name") == "households");
  }
  CHECK(status(get("/tiles/industry/15/27235/13664.png", token_of("planner"))) == 403);
  CHECK(names(get("/api/layers", token_of("cadre"))).count("key_persons"));
  const Response caps = get("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities", token_of("cadre"));
  CHECK(caps.body().find("<ows:Identifier>key_persons</ows:Identifier>") != std::string::npos);
  CHECK(get("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities").body().find("key_persons") == std::string::npos);
  CHECK(status(get("/tiles/terrain,disaster.json", token_of("planner"))) == 200);
}

TEST_CASE("pixel test: key persons are drawn for their village's cadre only, from per-scope cache entries",
          "[server][auth][tiles]") {
  const geo::TileId t = key_person_tile();
  const std::string path = tile_path("key_persons", t);

  const auto audit_before = audit_lines().size();
  const Response cadre = get(path, token_of("cadre"), "192.0.2.70");
  REQUIRE(status(cadre) == 200);
  CHECK(key_person_pixels(std::string(cadre.body().bytes())) > 10);  // a tile is shared with the cache
  CHECK(cadre[http::field::cache_control] == "private, no-store");  // where key persons live is personal
  // Every key-persons tile request is audited: who, from where, which map and tile.
  const auto lines = audit_lines();
  REQUIRE(lines.size() == audit_before + 2);  // the login, then the tile
  const json entry = json::parse(lines.back());
  CHECK(entry.at("action") == "key_persons_tile");
  CHECK(entry.at("user") == "cadre");
  CHECK(entry.at("address") == "192.0.2.70");
  CHECK(entry.at("detail").at("map") == "key_persons");
  CHECK(entry.at("detail").at("z") == t.z);
  CHECK(entry.at("detail").at("x") == t.x);
  CHECK(entry.at("detail").at("y") == t.y);

  // The neighbouring village's cadre may see the map, but not these people: a tile without them.
  const auto misses = demo_app().tile_cache().stats().misses;
  const Response cadre2 = get(path, token_of("cadre2"));
  REQUIRE(status(cadre2) == 200);
  CHECK(key_person_pixels(std::string(cadre2.body().bytes())) == 0);
  CHECK(demo_app().tile_cache().stats().misses == misses + 1);  // its own entry, not the cadre's
  CHECK(cadre2[http::field::etag] != cadre[http::field::etag]);

  // The planner and anonymous callers may not see the map at all: 404, as for an unknown map.
  const Response planner = get(path, token_of("planner"));
  CHECK(status(planner) == 404);
  const Response anon = get(path);
  CHECK(status(anon) == 404);
  CHECK(json::parse(anon.body()).at("detail") == "no map named \"key_persons\"");  // as an unknown map

  // A second request of the cadre is a hit of the cadre's entry, with the same pixels.
  const auto hits = demo_app().tile_cache().stats().hits;
  const Response again = get(path, token_of("cadre"));
  CHECK(demo_app().tile_cache().stats().hits == hits + 1);
  CHECK(again.body() == cadre.body());

  // Public tiles stay public.
  const Response terrain = get(tile_path("terrain", t));
  REQUIRE(status(terrain) == 200);
  CHECK(terrain[http::field::cache_control] == "public, max-age=300");
}
