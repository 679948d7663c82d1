// Issue 12 (io threads): which of the real application's routes run on a server io thread
// (Pace::quick, server/router.hpp) and which are handed to the blocking pool before the caller is
// resolved or the handler runs — and that a request handed on is resolved and audited once.

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/app.hpp"
#include "support/demo_client.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

const App& demo_app() {
  static const App app(test::demo_app_options("route_pace"));
  return app;
}

// The request as an io thread hands it to RequestHandler::handle: nullopt and `would_block` set
// when it goes to the blocking pool.
std::optional<Response> on_io_thread(const Request& req, bool& would_block) {
  const RequestHandler::Later later = [](Response) {};
  return demo_app().handler().handle(req, test::kDemoPeer, later, false, &would_block);
}

}  // namespace

TEST_CASE("every route of the app is registered quick or slow deliberately", "[server][io-threads]") {
  // Quick: measured to answer in well under a millisecond at its worst on the county store
  // (bench/route_pace_bench.cpp, README session 10), or throwing WouldBlock itself before its slow
  // part (tiles on a cache miss, unbounded items queries). Everything else is slow. A new route
  // fails this test until it is added here — as slow, unless a measurement says otherwise.
  std::vector<std::string> expected_quick = {
      "GET /",
      "GET /api/identify",
      "GET /api/layers",
      "GET /api/legend/{map}",
      "GET /api/me",
      "GET /api/nearby",
      "GET /assets/{file*}",
      "GET /collections",
      "GET /collections/{class}",
      "GET /collections/{class}/items",
      "GET /collections/{class}/items/{id}",
      "GET /collections/{class}/queryables",
      "GET /conformance",
      "GET /healthz",
      "GET /tiles/{maps}.json",
      "GET /tiles/{maps}/{z}/{x}/{y}.png",
      "GET /wmts",
      "GET /wmts/1.0.0/WMTSCapabilities.xml",
  };
  std::vector<std::string> expected_slow = {
      "GET /api",  // the OpenAPI document: 1.6-2 ms for a county administrator
      "DELETE /collections/{class}/items/{id}",
      "GET /api/audit",
      "GET /api/backups",
      "GET /api/backups/{id}",
      "GET /api/changes",
      "GET /api/evacuation-plan",
      "GET /api/evacuation-plan.csv",
      "GET /api/route",
      "GET /api/search",
      "GET /api/sheets/{village}.pdf",
      "GET /api/sheets/{village}/{map}.pdf",
      "GET /api/sheets/{village}/{map}.png",
      "GET /api/stats",
      "GET /collections/{class}/items/{id}/history",
      "PATCH /collections/{class}/items/{id}",
      "POST /api/backups",
      "POST /api/login",
      "POST /api/logout",
      "POST /collections/{class}/items",
      "POST /collections/{class}/items/{id}/history/{version}/revert",
      "PUT /collections/{class}/items/{id}",
  };
  std::vector<std::string> quick, slow;
  for (const auto& r : demo_app().router().routes()) {
    (r.pace == Pace::quick ? quick : slow).push_back(std::string(http::to_string(r.method)) + " " + r.pattern);
  }
  for (auto* list : {&quick, &slow, &expected_quick, &expected_slow}) std::sort(list->begin(), list->end());
  CHECK(quick == expected_quick);
  CHECK(slow == expected_slow);
}

TEST_CASE("on an io thread a slow route is handed on before it runs: a failed login is counted and audited once",
          "[server][io-threads]") {
  const App& app = demo_app();
  const auto failed_logins = [&app] {
    const auto entries = test::audit_entries(app);
    return std::count_if(entries.begin(), entries.end(), [](const json& e) {
      return e.at("action") == "login_failed" && e.at("user") == "pace-nobody";
    });
  };
  Request req = test::request(http::verb::post, "/api/login");
  req.set(http::field::content_type, "application/json");
  req.body() = json{{"username", "pace-nobody"}, {"password", "wrong-password"}}.dump();
  req.prepare_payload();
  const auto before = failed_logins();
  bool would_block = false;
  CHECK_FALSE(on_io_thread(req, would_block).has_value());
  CHECK(would_block);
  CHECK(failed_logins() == before);  // the handler did not run
  // On the blocking pool: once.
  const Response res = app.handle(req, test::kDemoPeer);
  CHECK(test::status(res) == 401);
  CHECK(failed_logins() == before + 1);
  // A quick route is answered on the io thread.
  const auto health = on_io_thread(test::request(http::verb::get, "/healthz"), would_block);
  CHECK_FALSE(would_block);
  REQUIRE(health.has_value());
  CHECK(test::status(*health) == 200);
}

TEST_CASE("on an io thread an items request is answered only while bounded, the rest goes to the pool",
          "[server][io-threads]") {
  // A point on the sample's buildings (terrain: the public may read it).
  const Response some = test::get(demo_app(), "/collections/buildings/items?limit=1");
  REQUIRE(test::status(some) == 200);
  json c = test::json_body(some).at("features").at(0).at("geometry").at("coordinates");
  while (c.at(0).is_array()) c = c.at(0);
  const double lon = c.at(0).get<double>(), lat = c.at(1).get<double>();
  const auto box = [&](double half) {  // degrees
    return std::to_string(lon - half) + "," + std::to_string(lat - half) + "," + std::to_string(lon + half) + "," +
           std::to_string(lat + half);
  };
  const auto box_lat_first = [&](double half) {  // EPSG:4326's axis order
    return std::to_string(lat - half) + "," + std::to_string(lon - half) + "," + std::to_string(lat + half) + "," +
           std::to_string(lon + half);
  };
  const std::string items = "/collections/buildings/items?";
  for (const std::string& target : {items + "bbox=" + box(0.002), items + "limit=1000&bbox=" + box(0.002),
                                    items + "bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4326&bbox=" +
                                        box_lat_first(0.002)}) {
    INFO(target);
    bool would_block = true;
    const auto res = on_io_thread(test::request(http::verb::get, target), would_block);
    CHECK_FALSE(would_block);
    REQUIRE(res.has_value());
    CHECK(test::status(*res) == 200);
    CHECK(test::json_body(*res).at("numberReturned").get<int>() >= 1);
  }
  for (const std::string& target :
       {items.substr(0, items.size() - 1), items + "limit=1000", items + "limit=1001&bbox=" + box(0.002),
        items + "bbox=" + box(0.1), items + "filter=floors%3E0&bbox=" + box(0.002),
        items + "bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4549&bbox=1,2,3,4"}) {
    INFO(target);
    bool would_block = false;
    CHECK_FALSE(on_io_thread(test::request(http::verb::get, target), would_block).has_value());
    CHECK(would_block);
  }
  // A malformed request is refused where it is read (nothing slow happens before the check).
  bool would_block = true;
  const auto bad = on_io_thread(test::request(http::verb::get, items + "limit=zero"), would_block);
  CHECK_FALSE(would_block);
  REQUIRE(bad.has_value());
  CHECK(test::status(*bad) == 400);
}
