// GET /api/nearby over the sample villages with the demo accounts: sorted by ground distance, each
// distance checked against EPSG:4549 (PROJ + GEOS), numberMatched against a brute-force count over
// the index, hidden classes answered exactly as the features endpoint answers them, key_persons
// audited, and malformed or hostile parameters refused with a 400 naming them.

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "geo/geos.hpp"
#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"
#include "support/metric_distance.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

const App& demo_app() {
  static const App app(test::demo_app_options("nearby_endpoint"));
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
  return json::parse(r.body());
}

std::vector<std::string> audit_lines() { return test::audit_lines(demo_app()); }

std::vector<store::ServedFeaturePtr> all_of(const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  demo_app().index().query(cls, {-1e300, -1e300, 1e300, 1e300}, out);
  return out;
}

std::string text(const store::ServedFeature& f, const std::string& cls, const std::string& field) {
  const int i = demo_app().catalog().find_class(cls)->field_index(field);
  const auto* s = std::get_if<std::string>(&f.feature.values.at(static_cast<std::size_t>(i)));
  return s ? *s : std::string{};
}

std::string nearby_at(geo::Coord mercator, const std::string& rest) {
  const geo::Coord ll = geo::mercator_to_lonlat(mercator);
  char buf[96];
  std::snprintf(buf, sizeof buf, "lon=%.9f&lat=%.9f", ll.x, ll.y);
  return "/api/nearby?" + std::string(buf) + "&" + rest;
}

// Back from the CRS84 the answer was asked in, to 3857 (what the oracle measures from).
geo::Coord asked_point(geo::Coord mercator) {
  const geo::Coord ll = geo::mercator_to_lonlat(mercator);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9f %.9f", ll.x, ll.y);
  geo::Coord p;
  std::sscanf(buf, "%lf %lf", &p.x, &p.y);
  return geo::lonlat_to_mercator(p);
}

store::ServedFeaturePtr by_fid(const std::string& cls, std::int64_t fid) { return demo_app().index().find(cls, fid); }

}  // namespace

TEST_CASE("nearby endpoint: sorted by ground distance, checked against PROJ, counted by brute force", "[server][nearby]") {
  const auto households = all_of("households");
  REQUIRE_FALSE(households.empty());
  const geo::Coord centre = asked_point(households[households.size() / 3]->feature.geometry.coords[0]);
  for (const auto& [cls, radius] : std::vector<std::pair<std::string, double>>{
           {"households", 250}, {"roads", 400}, {"landcover", 60}, {"shelters", 5000}, {"buildings", 1000}}) {
    INFO(cls << " within " << radius);
    const json fc = get_json(nearby_at(centre, "class=" + cls + "&radius_m=" + std::to_string(radius) + "&limit=1000"), "admin");
    const auto& features = fc.at("features");
    REQUIRE_FALSE(features.empty());
    CHECK(fc.at("numberReturned") == features.size());
    double previous = 0;
    for (const auto& f : features) {
      const double d = f.at("distance_m").get<double>();
      CHECK(d >= previous);
      CHECK(d <= radius);
      previous = d;
      const auto served = by_fid(cls, f.at("id").get<std::int64_t>());
      REQUIRE(served);
      CHECK(d == Approx(test::distance_4549(served->feature.geometry, centre)).epsilon(0.01).margin(0.02));
    }
    // numberMatched: every feature of the class within the radius (the admin sees the county),
    // exact but for features within 0.1% of the circle's edge.
    std::size_t surely = 0, maybe = 0;
    for (const auto& f : all_of(cls)) {
      const double d = test::distance_4549(f->feature.geometry, centre);
      surely += d <= radius * 0.999;
      maybe += d <= radius * 1.001;
    }
    const auto matched = fc.at("numberMatched").get<std::size_t>();
    CHECK(matched >= surely);
    CHECK(matched <= maybe);
    if (matched <= 1000) CHECK(features.size() == matched);
  }

  // limit: default 50, clamped to 1000; numberMatched unchanged.
  const json wide = get_json(nearby_at(centre, "class=buildings&radius_m=5000"), "admin");
  CHECK(wide.at("features").size() == std::min<std::size_t>(50, wide.at("numberMatched").get<std::size_t>()));
  const json clamped = get_json(nearby_at(centre, "class=buildings&radius_m=5000&limit=99999999999999999999999"), "admin");
  CHECK(clamped.at("features").size() <= 1000);
  CHECK(clamped.at("numberMatched") == wide.at("numberMatched"));
}

TEST_CASE("nearby endpoint: classes and features by the caller's scope", "[server][nearby]") {
  store::ServedFeaturePtr kp;
  for (const auto& k : all_of("key_persons")) {
    if (text(*k, "key_persons", "village_code") == "331124207201") kp = k;
  }
  REQUIRE(kp);
  const geo::Coord at = kp->feature.geometry.coords[0];

  // A class the caller may not see answers as /collections/{class}/items does: the same 404.
  for (const std::string cls : {"households", "key_persons", "no_such_class"}) {
    const Response mine = get(nearby_at(at, "class=" + cls + "&radius_m=100"));
    const Response theirs = get("/collections/" + cls + "/items");
    CHECK(status(mine) == 404);
    CHECK(status(theirs) == 404);
    CHECK(mine.body() == theirs.body());
  }
  CHECK(status(get(nearby_at(at, "class=key_persons&radius_m=100"), "grid")) == 404);
  CHECK(status(get(nearby_at(at, "class=key_persons&radius_m=100"), "planner")) == 404);

  // The village's cadre: the key person, id_number masked, every request audited.
  token_of("cadre");  // signing in is audited too: count from after it
  const auto before = audit_lines().size();
  const json fc = get_json(nearby_at(at, "class=key_persons&radius_m=50"), "cadre");
  REQUIRE_FALSE(fc.at("features").empty());
  const auto& first = fc.at("features")[0];
  CHECK(first.at("id") == kp->feature.fid);
  CHECK(first.at("distance_m").get<double>() < 0.01);
  const std::string id = first.at("properties").at("id_number").get<std::string>();
  const std::string raw = text(*kp, "key_persons", "id_number");
  CHECK(id != raw);
  CHECK(id == raw.substr(0, 3) + std::string(raw.size() - 7, '*') + raw.substr(raw.size() - 4));
  const auto lines = audit_lines();
  REQUIRE(lines.size() == before + 1);
  CHECK(lines.back().find("key_persons_query") != std::string::npos);
  CHECK(lines.back().find(std::to_string(kp->feature.fid)) != std::string::npos);

  // Another village's cadre: none of this village's households or key persons.
  for (const char* cls : {"households", "key_persons"}) {
    const json other = get_json(nearby_at(at, std::string("class=") + cls + "&radius_m=5000&limit=1000"), "cadre2");
    for (const auto& f : other.at("features")) CHECK(f.at("properties").at("village_code") != "331124207201");
    const json own = get_json(nearby_at(at, std::string("class=") + cls + "&radius_m=5000&limit=1000"), "cadre");
    CHECK(own.at("numberMatched").get<std::size_t>() > 0);
  }
}

TEST_CASE("nearby endpoint: malformed and hostile parameters are refused, naming them", "[server][nearby]") {
  const std::string big(10 * 1024, '1');
  const std::string ok = "lon=119.5&lat=28.4";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {ok + "&radius_m=100", "class"},
      {ok + "&class=roads", "radius_m"},
      {ok + "&class=roads&radius_m=0", "radius_m"},
      {ok + "&class=roads&radius_m=-3", "radius_m"},
      {ok + "&class=roads&radius_m=5000.5", "radius_m"},
      {ok + "&class=roads&radius_m=NaN", "radius_m"},
      {ok + "&class=roads&radius_m=1e999", "radius_m"},
      {ok + "&class=roads&radius_m=" + big, "radius_m"},
      {"lat=28.4&class=roads&radius_m=10", "lon"},
      {"lon=119.5&lat=91&class=roads&radius_m=10", "lat"},
      {"lon=1%3BDROP%20TABLE%20roads&lat=28.4&class=roads&radius_m=10", "lon"},
      {ok + "&class=roads%3BDROP%20TABLE%20roads&radius_m=10", "class"},
      {ok + "&class=%27%20OR%201%3D1%20--&radius_m=10", "class"},
      {ok + "&class=roads&radius_m=10&limit=0", "limit"},
      {ok + "&class=roads&radius_m=10&limit=ten", "limit"},
      {ok + "&class=roads&radius_m=10&class=households", "class"},
      {ok + "&class=roads&radius_m=10&zoom=3", "zoom"},
  };
  for (const auto& [query, param] : cases) {
    const Response r = get("/api/nearby?" + query, "admin");
    INFO(query.substr(0, 120) << " → " << r.body().substr(0, 200));
    CHECK(status(r) == 400);
    const json body = json::parse(r.body());
    CHECK(body.at("detail").get<std::string>().find(param) != std::string::npos);
    CHECK(body.at("detail").get<std::string>().size() < 400);
  }
  CHECK(status(get("/api/nearby?" + ok + "&class=roads&radius_m=5000", "admin")) == 200);
}
