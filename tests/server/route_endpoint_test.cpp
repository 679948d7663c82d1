// GET /api/route over the committed sample with the demo accounts (issue 10): a planner routes a
// house of the first village to the nearest shelter, and that shelter is the quickest of all of
// them asked one by one; anonymous callers are refused shelters as the features endpoint refuses
// the class and are not told hazard zone ids; a closure around the start gives 422 with the
// reason; malformed parameters 400 naming them; the network is built once, not per request.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;
using test::status;

namespace {

const App& demo_app() {
  static const App app(test::demo_app_options("route_endpoint"));
  return app;
}

std::string token_of(const std::string& user) {
  static test::DemoTokens tokens(demo_app(), "198.51.100.17");
  return tokens(user);
}

Response get(const std::string& target, const std::string& user = {}) {
  return test::get(demo_app(), target, token_of(user), "198.51.100.18");
}

json get_json(const std::string& target, const std::string& user = {}) {
  const Response r = get(target, user);
  INFO((user.empty() ? "anonymous" : user) << " " << target << " → " << r.body().substr(0, 400));
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::content_type] == "application/geo+json");
  return json::parse(r.body());
}

std::string text_field(const std::string& cls, const store::ServedFeature& f, const std::string& field) {
  const int i = demo_app().catalog().find_class(cls)->field_index(field);
  return std::get<std::string>(f.feature.values.at(static_cast<std::size_t>(i)));
}

std::vector<store::ServedFeaturePtr> all_of(const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  demo_app().index().query(cls, {-1e300, -1e300, 1e300, 1e300}, out);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
  return out;
}

// "lon,lat" of a house of the first village (by code).
std::string first_village_house() {
  const auto households = all_of("households");
  REQUIRE_FALSE(households.empty());
  std::string first = text_field("households", *households.front(), "village_code");
  for (const auto& h : households) first = std::min(first, text_field("households", *h, "village_code"));
  for (const auto& h : households) {
    if (text_field("households", *h, "village_code") != first) continue;
    const geo::Coord ll = geo::mercator_to_lonlat(h->feature.geometry.coords.front());
    return std::to_string(ll.x) + "," + std::to_string(ll.y);
  }
  FAIL("no household in the first village");
  return {};
}

}  // namespace

TEST_CASE("route endpoint: a planner's route from a house to the nearest shelter", "[route][server]") {
  const std::string from = first_village_house();
  const json j = get_json("/api/route?from=" + from + "&to=nearest-shelter", "planner");
  CHECK(j["type"] == "Feature");
  CHECK(j["geometry"]["type"] == "LineString");
  CHECK(j["geometry"]["coordinates"].size() >= 2);
  const json& p = j["properties"];
  CHECK(p["length_m"].get<double>() > 0);
  CHECK(p["time_s"].get<double>() > 0);
  CHECK(p["mode"] == "walk");
  CHECK(p["avoid"] == json::array({"high"}));
  CHECK(p["snap"]["from_m"].get<double>() <= 500);
  REQUIRE(p.contains("shelter"));
  CHECK_FALSE(p["shelter"]["id"].get<std::string>().empty());
  CHECK(p["shelter"]["capacity"].get<std::int64_t>() > 0);
  CHECK(p["hazard_zones_avoided"].is_array());
  REQUIRE(p["steps"].size() >= 2);
  CHECK(p["steps"].back()["text"] == "到达 " + p["shelter"]["name"].get<std::string>());
  CHECK(p["steps"].front()["text"].get<std::string>().rfind("沿", 0) == 0);

  // The one search to all shelters chose the quickest of them asked one by one.
  const double best = p["time_s"].get<double>();
  std::size_t reached = 0;
  for (const auto& s : all_of("shelters")) {
    const std::string id = text_field("shelters", *s, "shelter_id");
    const Response r = get("/api/route?from=" + from + "&to=shelter:" + test::enc(id), "planner");
    INFO(id << " → " << r.body().substr(0, 200));
    REQUIRE((status(r) == 200 || status(r) == 422));
    if (status(r) != 200) continue;
    ++reached;
    CHECK(json::parse(r.body())["properties"]["time_s"].get<double>() >= best - 0.05);
  }
  CHECK(reached >= 1);

  // Driving answers too, on roads open to cars.
  CHECK(get_json("/api/route?from=" + from + "&to=nearest-shelter&mode=drive", "planner")["properties"]["mode"] == "drive");
  // The network was built once at load, whatever the number of requests.
  CHECK(demo_app().networks().builds() == 1);
}

TEST_CASE("route endpoint: anonymous callers are refused shelters, not told hazard zones", "[route][server]") {
  const std::string from = first_village_house();
  CHECK(status(get("/api/route?from=" + from + "&to=nearest-shelter")) == 404);
  CHECK(status(get("/api/route?from=" + from + "&to=shelter:S1")) == 404);
  CHECK(status(get("/api/route?from=" + from + "&to=shelter:no-such-shelter", "planner")) == 404);
  // A point to a point is public (roads are terrain): to where the planner's shelter stands.
  const json planner = get_json("/api/route?from=" + from + "&to=nearest-shelter", "planner");
  const json end = planner["geometry"]["coordinates"].back();
  const std::string to = std::to_string(end[0].get<double>()) + "," + std::to_string(end[1].get<double>());
  const json j = get_json("/api/route?from=" + from + "&to=" + to);
  CHECK_FALSE(j["properties"].contains("hazard_zones_avoided"));
  CHECK_FALSE(j["properties"].contains("shelter"));
  CHECK(j["properties"]["steps"].back()["text"] == "到达 终点");
  const Response r = get("/api/route?from=" + from + "&to=" + to);
  CHECK(r[http::field::cache_control] == "public, no-cache");
}

TEST_CASE("route endpoint: a closure around the start leaves no route (422, with the reason)", "[route][server]") {
  const std::string from = first_village_house();
  const auto comma = from.find(',');
  const double lon = std::stod(from.substr(0, comma)), lat = std::stod(from.substr(comma + 1));
  const std::string closed = "BBOX(" + std::to_string(lon - 0.01) + "," + std::to_string(lat - 0.01) + "," +
                             std::to_string(lon + 0.01) + "," + std::to_string(lat + 0.01) + ")";
  const Response r = get("/api/route?from=" + from + "&to=nearest-shelter&closed=" + test::enc(closed), "planner");
  INFO(r.body());
  CHECK(status(r) == 422);
  CHECK(json::parse(r.body())["detail"].get<std::string>().find("closure") != std::string::npos);
  // Far from any road.
  const Response far = get("/api/route?from=119.0,29.5&to=nearest-shelter", "planner");
  CHECK(status(far) == 422);
  CHECK(json::parse(far.body())["detail"].get<std::string>().find("500 m") != std::string::npos);
}

TEST_CASE("route endpoint: malformed parameters answer 400 naming them", "[route][server]") {
  const std::string from = first_village_house();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/route?to=nearest-shelter", "from"},
      {"/api/route?from=" + from, "to"},
      {"/api/route?from=abc&to=nearest-shelter", "from"},
      {"/api/route?from=200,10&to=nearest-shelter", "from"},
      {"/api/route?from=" + from + "&to=somewhere", "to"},
      {"/api/route?from=" + from + "&to=nearest-shelter&mode=fly", "mode"},
      {"/api/route?from=" + from + "&to=nearest-shelter&avoid=extreme", "avoid"},
      {"/api/route?from=" + from + "&to=nearest-shelter&closed=" + test::enc("POLYGON((0 0, 1 1))"), "closed"},
      {"/api/route?from=" + from + "&to=nearest-shelter&closed=" + test::enc("LINESTRING(500 0, 501 1)"), "closed"},
      {"/api/route?from=" + from + "&to=nearest-shelter&speed=9", "speed"},
      {"/api/route?from=" + from + "&from=" + from + "&to=nearest-shelter", "from"},
  };
  for (const auto& [target, param] : cases) {
    const Response r = get(target, "planner");
    INFO(target << " → " << r.body());
    CHECK(status(r) == 400);
    CHECK(json::parse(r.body())["detail"].get<std::string>().find(param) != std::string::npos);
  }
}
