// The access matrix of issues 4 and 14: every role of the shipped policy (policy/policy.json) ×
// every endpoint that reads map data, with the expected status, content and cache headers — which
// maps are listed, which villages' features come back, which personal fields are full, masked or
// absent, and that every signed-in role sees at least what an anonymous visitor sees (public plus
// role: the role's area limits only what the public may not see).
//
// The expectations are written out here from the policy's intent (DOMAIN.md "Who uses it"), not
// derived from the Scope under test: the area rule, the map lists and the field rules below are an
// independent statement of what each role must get.

#include <algorithm>
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
#include "support/loopback_server.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

const App& demo_app() {
  static const App app(test::demo_app_options("access_matrix"));
  return app;
}

using test::status;

const std::vector<std::string> kAllMaps = {"terrain", "industry", "organization", "key_persons", "assistance", "disaster"};
constexpr const char* kTownship = "331124207";

enum class Access { full, masked, absent };

// One role as the policy means it.
struct Expectation {
  std::string user;  // demo account, "" = anonymous
  std::string role;
  std::set<std::string> maps;  // the role's own maps (the public's come on top)
  // Field rules for personal fields ("class.field"); a personal field not listed follows `personal`.
  Access personal;
  std::map<std::string, Access> fields;
  std::set<std::string> classes = {};  // classes granted outside the role's maps
};

const std::vector<Expectation>& expectations() {
  static const std::vector<Expectation> all = {
      {"", "public", {"terrain"}, Access::absent, {{"buildings.household_id", Access::absent}}},
      {"admin", "county_admin", {kAllMaps.begin(), kAllMaps.end()}, Access::full, {}},
      {"township",
       "township_cadre",
       {kAllMaps.begin(), kAllMaps.end()},
       Access::masked,
       {{"org_units.leader", Access::full},
        {"grids.grid_leader", Access::full},
        {"grids.phone", Access::full},
        {"pairings.cadre_name", Access::full},
        {"key_persons.responsible_cadre", Access::full},
        {"hazard_zones.monitor", Access::full},
        {"monitoring_points.responsible", Access::full},
        {"households.vulnerable_members", Access::full}}},
      {"cadre", "village_cadre", {kAllMaps.begin(), kAllMaps.end()}, Access::full, {{"key_persons.id_number", Access::masked}}},
      {"cadre2", "village_cadre", {kAllMaps.begin(), kAllMaps.end()}, Access::full, {{"key_persons.id_number", Access::masked}}},
      {"grid", "grid_worker", {"terrain", "industry", "organization", "assistance", "disaster"}, Access::full,
       {{"households.vulnerable_members", Access::absent}}},
      // A planner plans evacuations with households as positions, resident counts and how many need
      // help, never a name or an id of people.
      {"planner", "disaster_planner", {"terrain", "disaster"}, Access::absent,
       {{"buildings.household_id", Access::absent},
        {"households.household_id", Access::absent},
        {"households.building_id", Access::absent},
        {"households.employment", Access::absent},
        {"households.vulnerable_members", Access::full}},
       {"households"}},
  };
  return all;
}

const access::DemoAccount& demo_account(const std::string& user) {
  for (const auto& a : demo_app().demo_accounts()) {
    if (a.username == user) return a;
  }
  FAIL("no demo account " << user);
  throw std::logic_error("unreachable");
}

std::string token_of(const std::string& user) {
  static test::DemoTokens tokens(demo_app(), "198.51.100.7");
  return tokens(user);
}

Response get(const Expectation& e, const std::string& target) {
  return test::get(demo_app(), target, token_of(e.user), "198.51.100.8");
}

json get_json(const Expectation& e, const std::string& target) {
  const Response r = get(e, target);
  INFO(e.role << " " << target << " → " << r.body().substr(0, 300));
  REQUIRE(status(r) == 200);
  return json::parse(r.body());
}

const model::LayerCatalog& catalog() { return demo_app().catalog(); }

std::string text(const model::Feature& f, const model::FeatureClassDef& def, const std::string& field) {
  const int i = def.field_index(field);
  if (i < 0) return {};
  const auto* s = std::get_if<std::string>(&f.values[static_cast<std::size_t>(i)]);
  return s ? *s : std::string{};
}

// The area rule of DOMAIN.md / policy README, restated: whether `f` of `def` lies in the area of
// the role `e`.
bool in_area(const Expectation& e, const model::FeatureClassDef& def, const model::Feature& f) {
  const std::string village = text(f, def, "village_code");
  if (e.role == "public" || e.role == "county_admin" || e.role == "disaster_planner") return true;
  if (e.role == "township_cadre") return village.rfind(kTownship, 0) == 0;
  const auto& a = demo_account(e.user).assignment;
  if (e.role == "village_cadre") return village == a.village_code;
  // grid worker: a class with grid_id must hold an assigned grid; otherwise the grid's village, and
  // only for classes without personal fields.
  const std::set<std::string> grids(a.grid_ids.begin(), a.grid_ids.end());
  if (def.field_index("grid_id") >= 0) return grids.count(text(f, def, "grid_id")) > 0;
  const bool personal = std::any_of(def.fields.begin(), def.fields.end(), [](const auto& fd) { return fd.personal; });
  if (personal) return false;
  for (const auto& g : grids) {
    if (g.rfind(village, 0) == 0 && !village.empty()) return true;
  }
  return false;
}

Access access_of(const Expectation& e, const model::FeatureClassDef& def, const model::FieldDef& field) {
  if (auto it = e.fields.find(def.name + "." + field.name); it != e.fields.end()) return it->second;
  return field.personal ? e.personal : Access::full;
}

const Expectation& anonymous() { return expectations().front(); }

Access wider(Access a, Access b) {
  if (a == Access::full || b == Access::full) return Access::full;
  if (a == Access::masked || b == Access::masked) return Access::masked;
  return Access::absent;
}

// Whether the role's own grant (its maps, its extra classes) reaches the class.
bool role_grants(const Expectation& e, const model::FeatureClassDef& def) {
  return e.maps.count(def.map) > 0 || e.classes.count(def.name) > 0;
}
// Whether the public sees the class (then every caller sees it county-wide).
bool public_grants(const model::FeatureClassDef& def) { return role_grants(anonymous(), def); }

// Every map a role sees: its own and the public's.
std::set<std::string> seen_maps(const Expectation& e) {
  std::set<std::string> out = e.maps;
  out.insert(anonymous().maps.begin(), anonymous().maps.end());
  return out;
}

// Whether the role sees feature `f` at all: the public sees its class, or the role's own grant
// reaches it inside the role's area.
bool sees(const Expectation& e, const model::FeatureClassDef& def, const model::Feature& f) {
  return public_grants(def) || (role_grants(e, def) && in_area(e, def, f));
}

// How the role reads a field of a feature it sees: the public's access, widened inside its area by
// its own.
Access access_for(const Expectation& e, const model::FeatureClassDef& def, const model::FieldDef& field,
                  const model::Feature& f) {
  Access a = public_grants(def) ? access_of(anonymous(), def, field) : Access::absent;
  if (role_grants(e, def) && in_area(e, def, f)) a = wider(a, access_of(e, def, field));
  return a;
}

// The widest way the role reads a field anywhere (what /queryables and /api/layers list).
Access widest_access(const Expectation& e, const model::FeatureClassDef& def, const model::FieldDef& field) {
  Access a = public_grants(def) ? access_of(anonymous(), def, field) : Access::absent;
  if (role_grants(e, def)) a = wider(a, access_of(e, def, field));
  return a;
}

// The cache headers of an answer (server/cache_policy.hpp): every answer varies by credentials;
// anonymous ones are public, signed-in ones private, personal ones never stored. `/` also varies by
// Accept: a browser gets the web map's page there (issue 9).
void check_cache_headers(const Expectation& e, const Response& r, bool personal, const std::string& what) {
  INFO(e.role << " " << what << ": Cache-Control " << to_std(r[http::field::cache_control]));
  CHECK(to_std(r[http::field::vary]) == (what == "/" ? "Accept, Authorization, Cookie" : "Authorization, Cookie"));
  const std::string cc(to_std(r[http::field::cache_control]));
  if (personal) {
    CHECK(cc == "private, no-store");
  } else {
    CHECK(cc.rfind(e.user.empty() ? "public, " : "private, ", 0) == 0);
  }
}

std::vector<store::ServedFeaturePtr> all_of(const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  demo_app().index().query(cls, {-1e300, -1e300, 1e300, 1e300}, out);
  return out;
}

std::string tile_path(const std::string& map, geo::TileId t, const char* ext = ".png") {
  return "/tiles/" + map + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ext;
}

// The z15 tile over the middle of the first sample village.
geo::TileId village_tile() {
  for (const auto& v : all_of("villages")) {
    if (text(v->feature, *catalog().find_class("villages"), "village_code") == demo_account("cadre").assignment.village_code) {
      return geo::tile_at(v->bbox.center(), 15);
    }
  }
  FAIL("no first village");
  return {};
}

}  // namespace

TEST_CASE("access matrix: /api/me, /api/layers, TileJSON, WMTS and tiles list and serve exactly the role's maps",
          "[server][access][matrix]") {
  const geo::TileId tile = village_tile();
  for (const auto& e : expectations()) {
    INFO("role " << e.role << " user '" << e.user << "'");
    const json me = get_json(e, "/api/me");
    CHECK(me.dump().find(e.role) != std::string::npos);

    const std::set<std::string> maps = seen_maps(e);
    std::set<std::string> listed, class_only;
    const json layers = get_json(e, "/api/layers");  // kept alive: the loop reads into it
    for (const auto& m : layers.at("maps")) {
      (m.contains("granted") ? class_only : listed).insert(m.at("name").get<std::string>());
      // Only fields the caller sees (in full or masked) are named.
      for (const auto& c : m.at("classes")) {
        const auto* def = catalog().find_class(c.at("name").get<std::string>());
        REQUIRE(def);
        std::set<std::string> named, expected;
        for (const auto& f : c.at("fields")) named.insert(f.at("name").get<std::string>());
        for (const auto& fd : def->fields) {
          if (widest_access(e, *def, fd) != Access::absent) expected.insert(fd.name);
        }
        INFO("class " << def->name);
        CHECK(named == expected);
      }
    }
    CHECK(listed == maps);
    CHECK(class_only == (e.classes.empty() ? std::set<std::string>{} : std::set<std::string>{"industry"}));

    const Response caps = get(e, "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities");
    REQUIRE(status(caps) == 200);
    check_cache_headers(e, caps, false, "WMTS");
    for (const auto& m : kAllMaps) {
      const bool named = caps.body().find("<ows:Identifier>" + m + "</ows:Identifier>") != std::string::npos;
      CHECK(named == (maps.count(m) > 0));
    }

    for (const auto& m : kAllMaps) {
      INFO("map " << m);
      const bool granted = maps.count(m) > 0;
      const int refused = m == "key_persons" ? 404 : 403;  // existence of the confidential map is not confirmed
      const Response tj = get(e, "/tiles/" + m + ".json");
      CHECK(status(tj) == (granted ? 200 : refused));
      const Response png = get(e, tile_path(m, tile));
      CHECK(status(png) == (granted ? 200 : refused));
      if (granted) {
        CHECK(to_std(png[http::field::content_type]) == "image/png");
        check_cache_headers(e, png, m == "key_persons", "tile of " + m);
        check_cache_headers(e, tj, false, "TileJSON of " + m);
      } else {
        CHECK(png.body().find("PNG") == std::string::npos);
      }
    }
  }
}

TEST_CASE("access matrix: signed in never means seeing less — the neighbouring village's terrain tile is the public's",
          "[server][access][matrix][tiles]") {
  // The z15 and z17 tiles over the second village: outside the area of the first village's cadre,
  // of the grid worker of its grid, and inside the county for everyone.
  const Expectation& anon = anonymous();
  std::vector<geo::TileId> tiles;
  for (const auto& v : all_of("villages")) {
    if (text(v->feature, *catalog().find_class("villages"), "village_code") == demo_account("cadre2").assignment.village_code) {
      tiles.push_back(geo::tile_at(v->bbox.center(), 15));
      tiles.push_back(geo::tile_at(v->bbox.center(), 17));
    }
  }
  REQUIRE(tiles.size() == 2);
  for (const auto& t : tiles) {
    for (const char* ext : {".png", "@2x.png"}) {
      const Response pub = get(anon, tile_path("terrain", t, ext));
      REQUIRE(status(pub) == 200);
      for (const auto& e : expectations()) {
        INFO("role " << e.role << " user '" << e.user << "' tile " << t.z << "/" << t.x << "/" << t.y << ext);
        const Response r = get(e, tile_path("terrain", t, ext));
        REQUIRE(status(r) == 200);
        // The same features drawn the same way: the same image, byte for byte.
        CHECK(r.body() == pub.body());
      }
    }
  }
}

TEST_CASE("access matrix: every endpoint's cache headers follow the one cache policy", "[server][access][matrix][cache]") {
  const std::string village = demo_account("cadre").assignment.village_code;
  // A point in the first village, for identify and nearby.
  geo::Coord centre{};
  for (const auto& v : all_of("villages")) {
    if (text(v->feature, *catalog().find_class("villages"), "village_code") == village) centre = v->bbox.center();
  }
  const geo::Coord ll = geo::mercator_to_lonlat(centre);
  const std::string at = "lon=" + std::to_string(ll.x) + "&lat=" + std::to_string(ll.y);
  struct Endpoint {
    std::string target;
    bool personal_for_signed_in;  // holds personal data for a role that sees any (never for anonymous)
  };
  const std::vector<Endpoint> endpoints = {
      {"/", false},
      {"/conformance", false},
      {"/api", false},
      {"/collections", false},
      {"/collections/roads", false},
      {"/collections/roads/queryables", false},
      {"/collections/roads/items?limit=5", false},
      {"/api/layers", false},
      {"/tiles/terrain.json", false},
      {"/wmts?SERVICE=WMTS&REQUEST=GetCapabilities", false},
      {"/api/search?q=%E6%9D%91", false},                       // 村: village names
      {"/api/nearby?" + at + "&radius_m=300&class=roads", false},
      {"/api/stats?village=" + village + "&map=terrain", false},
  };
  for (const auto& e : expectations()) {
    INFO("role " << e.role << " user '" << e.user << "'");
    for (const auto& ep : endpoints) {
      const Response r = get(e, ep.target);
      INFO(ep.target << " → " << status(r) << " " << r.body().substr(0, 200));
      REQUIRE(status(r) == 200);
      check_cache_headers(e, r, ep.personal_for_signed_in && !e.user.empty(), ep.target);
    }
    // Answers that hold personal data for the caller are never stored.
    const Response me = get(e, "/api/me");
    if (!e.user.empty()) check_cache_headers(e, me, true, "/api/me");
    if (role_grants(e, *catalog().find_class("households"))) {
      const Response hh = get(e, "/collections/households/items?limit=5");
      REQUIRE(status(hh) == 200);
      bool personal = false;
      for (const auto& fd : catalog().find_class("households")->fields) {
        personal = personal || (fd.personal && widest_access(e, *catalog().find_class("households"), fd) != Access::absent);
      }
      check_cache_headers(e, hh, personal, "households items");
    }
    if (e.maps.count("key_persons")) {
      const Response kp = get(e, "/api/stats?village=" + village + "&map=key_persons");
      if (status(kp) == 200) check_cache_headers(e, kp, true, "key_persons statistics");
    }
  }
}

TEST_CASE("access matrix: OGC API collections, items and fields follow role, area and field rules",
          "[server][access][matrix]") {
  for (const auto& e : expectations()) {
    INFO("role " << e.role << " user '" << e.user << "'");
    std::set<std::string> expected_classes;
    for (const auto& def : catalog().classes()) {
      if (role_grants(e, def) || public_grants(def)) expected_classes.insert(def.name);
    }
    std::set<std::string> listed;
    const json collections = get_json(e, "/collections");
    for (const auto& c : collections.at("collections")) listed.insert(c.at("id").get<std::string>());
    CHECK(listed == expected_classes);

    for (const auto& def : catalog().classes()) {
      INFO("class " << def.name);
      const std::string base = "/collections/" + def.name;
      if (!expected_classes.count(def.name)) {
        CHECK(status(get(e, base)) == 404);
        CHECK(status(get(e, base + "/items")) == 404);
        CHECK(status(get(e, base + "/queryables")) == 404);
        continue;
      }
      // Queryables: exactly the fields seen in full.
      std::set<std::string> queryable;
      const json schema = get_json(e, base + "/queryables");
      for (const auto& [k, v] : schema.at("properties").items()) {
        if (k != "geometry") queryable.insert(k);
      }
      std::set<std::string> full_fields;
      for (const auto& fd : def.fields) {
        if (widest_access(e, def, fd) == Access::full) full_fields.insert(fd.name);
      }
      CHECK(queryable == full_fields);

      // Items: exactly the features the role sees (the public's anywhere, its own in its area),
      // fields full / masked / absent per feature.
      std::map<std::int64_t, store::ServedFeaturePtr> expected;
      for (const auto& f : all_of(def.name)) {
        if (sees(e, def, f->feature)) expected[f->feature.fid] = f;
      }
      const Response items = get(e, base + "/items?limit=10000");
      bool personal = def.map == "key_persons";
      for (const auto& fd : def.fields) personal = personal || (fd.personal && widest_access(e, def, fd) != Access::absent);
      check_cache_headers(e, items, personal, base + "/items");
      const json page = get_json(e, base + "/items?limit=10000");
      CHECK(page.at("numberMatched").get<std::size_t>() == expected.size());
      REQUIRE(page.at("features").size() == expected.size());
      std::map<std::string, int> masked_seen;
      for (const auto& feature : page.at("features")) {
        const auto fid = feature.at("id").get<std::int64_t>();
        REQUIRE(expected.count(fid));
        const model::Feature& raw = expected.at(fid)->feature;
        const json& props = feature.at("properties");
        for (std::size_t i = 0; i < def.fields.size(); ++i) {
          const model::FieldDef& fd = def.fields[i];
          const Access a = access_for(e, def, fd, raw);
          INFO("field " << fd.name << " of fid " << fid);
          if (widest_access(e, def, fd) == Access::absent) {
            CHECK_FALSE(props.contains(fd.name));
            continue;
          }
          REQUIRE(props.contains(fd.name));
          if (a == Access::absent) {  // named for the class, null for this feature (outside the area)
            CHECK(props.at(fd.name).is_null());
            continue;
          }
          const auto* s = std::get_if<std::string>(&raw.values[i]);
          if (!s || s->empty()) continue;
          if (a == Access::full) {
            CHECK(props.at(fd.name) == *s);
          } else {
            const std::string shown = props.at(fd.name).get<std::string>();
            CHECK(shown != *s);
            CHECK(shown.find('*') != std::string::npos);
            ++masked_seen[fd.name];
          }
        }
      }
      // Nothing personal appears anywhere in the body where the role may not see it.
      const std::string body = page.dump();
      for (std::size_t i = 0; i < def.fields.size(); ++i) {
        if (!def.fields[i].personal) continue;
        for (const auto& [fid, f] : expected) {
          if (access_for(e, def, def.fields[i], f->feature) != Access::absent) continue;
          const auto* s = std::get_if<std::string>(&f->feature.values[i]);
          if (s && s->size() >= 4) CHECK(body.find(*s) == std::string::npos);
        }
      }
    }
  }
}

TEST_CASE("access matrix: a feature id the caller may not see answers 404, as a missing one (IDOR)",
          "[server][access][matrix]") {
  for (const auto& e : expectations()) {
    INFO("role " << e.role << " user '" << e.user << "'");
    for (const auto& def : catalog().classes()) {
      if (!role_grants(e, def) && !public_grants(def)) continue;
      int inside = 0, outside = 0;
      for (const auto& f : all_of(def.name)) {
        const bool in = sees(e, def, f->feature);
        if ((in && inside >= 2) || (!in && outside >= 2)) continue;
        const std::string target = "/collections/" + def.name + "/items/" + std::to_string(f->feature.fid);
        const Response r = get(e, target);
        INFO(target << " → " << r.body().substr(0, 200));
        if (in) {
          CHECK(status(r) == 200);
          ++inside;
        } else {
          CHECK(status(r) == 404);
          CHECK(r.body().find("\"properties\"") == std::string::npos);
          ++outside;
        }
      }
    }
  }
}

TEST_CASE("access matrix: a filter cannot probe a field the caller sees masked or not at all", "[server][access][matrix]") {
  const Expectation& township = expectations().at(2);
  const Expectation& planner = expectations().at(6);
  REQUIRE(township.role == "township_cadre");
  REQUIRE(planner.role == "disaster_planner");
  // A township cadre sees household heads masked: neither an equality parameter nor a CQL2 filter on
  // them is accepted (it would reveal the name one guess at a time).
  CHECK(status(get(township, "/collections/households/items?head_name=%E5%BC%A0%E4%B8%89")) == 400);
  CHECK(status(get(township, "/collections/households/items?filter=head_name%20LIKE%20%27%E5%BC%A0%25%27")) == 400);
  CHECK(status(get(township, "/collections/households/items?filter=employment%3D%27migrant%27")) == 200);
  // A planner does not see the monitor of a hazard zone at all.
  CHECK(status(get(planner, "/collections/hazard_zones/items?filter=monitor%20IS%20NULL")) == 400);
  CHECK(status(get(planner, "/collections/hazard_zones/items?filter=risk%3D%27high%27")) == 200);
}

TEST_CASE("access matrix: key_persons reads are audited per request with the caller and the ids",
          "[server][access][matrix][audit]") {
  const Expectation& cadre = expectations().at(3);
  REQUIRE(cadre.user == "cadre");
  token_of("cadre");  // signed in first: the login has its own audit entry
  token_of("planner");
  const auto before = demo_app().audit_log().page(0, 0).total;
  const json page = get_json(cadre, "/collections/key_persons/items?limit=3");
  REQUIRE(!page.at("features").empty());
  const auto after = demo_app().audit_log().page(0, 0).total;
  REQUIRE(after == before + 1);
  const json entry = demo_app().audit_log().page(after - 1, 1).entries.at(0);
  CHECK(entry.at("action") == "key_persons_query");
  CHECK(entry.at("user") == "cadre");
  CHECK(entry.at("address") == "198.51.100.8");
  CHECK(entry.at("detail").at("ids").size() == page.at("features").size());
  CHECK(entry.at("detail").at("ids").at(0) == page.at("features").at(0).at("id"));
  // A refused request (a role without the map) reveals nothing and is not a read.
  const Expectation& planner = expectations().at(6);
  CHECK(status(get(planner, "/collections/key_persons/items")) == 404);
  CHECK(demo_app().audit_log().page(0, 0).total == after);
}

TEST_CASE("access matrix: GDAL's OAPIF client sees what the token grants", "[server][access][matrix][gdal]") {
  test::LoopbackServer http(demo_app().handler());
  const std::string url = "'OAPIF:" + http.url() + "/'";
  // Anonymous: terrain classes only.
  const test::CommandResult anonymous = test::run_command("ogrinfo -ro -so " + url);
  INFO(anonymous.output);
  CHECK(anonymous.exit_code == 0);
  CHECK(anonymous.output.find("buildings") != std::string::npos);
  CHECK(anonymous.output.find("households") == std::string::npos);
  CHECK(anonymous.output.find("key_persons") == std::string::npos);
  // A village cadre's token, sent by GDAL itself: the key persons of that village, counted as the
  // server counts them.
  const std::string header = "--config GDAL_HTTP_HEADERS 'Authorization: Bearer " + token_of("cadre") + "' ";
  const test::CommandResult cadre = test::run_command("ogrinfo -ro -so " + header + url + " key_persons");
  INFO(cadre.output);
  CHECK(cadre.exit_code == 0);
  const Expectation& e = expectations().at(3);
  REQUIRE(e.user == "cadre");
  std::size_t in_village = 0;
  for (const auto& f : all_of("key_persons")) in_village += in_area(e, *catalog().find_class("key_persons"), f->feature);
  REQUIRE(in_village > 0);
  CHECK(cadre.output.find("Feature Count: " + std::to_string(in_village) + "\n") != std::string::npos);
}
