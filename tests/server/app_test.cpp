#include <chrono>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "model/layer_catalog.hpp"
#include "server/app.hpp"
#include "server/scratch_store.hpp"
#include "support/app_options.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing::server;
using nlohmann::json;

namespace {

Request get(const std::string& target, http::verb v = http::verb::get) { return minqing::test::request(v, target); }

const json* find_named(const json& array, const std::string& name) {
  for (const auto& item : array) {
    if (item.at("name") == name) return &item;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("App serves /healthz and /api/layers from a store", "[server][app]") {
  const auto store = minqing::test::make_scratch_store("app_layers", 3);
  const App app(minqing::test::app_options(store, "app_test"));
  CHECK(app.feature_count() == 3);

  SECTION("healthz") {
    const Response res = app.handle(get("/healthz"));
    CHECK(res.result() == http::status::ok);
    CHECK(json::parse(res.body()) == json{{"status", "ok"}});
    CHECK(res[http::field::content_type] == "application/json; charset=utf-8");
    CHECK(res[http::field::server] == std::string("minqing/") + MINQING_VERSION);
    CHECK(res["X-Content-Type-Options"] == "nosniff");
  }

  SECTION("anonymous callers are listed the public scope's maps only") {
    const json doc = json::parse(app.handle(get("/api/layers")).body());
    REQUIRE(doc.at("maps").size() == 1);
    CHECK(doc.at("maps").at(0).at("name") == "terrain");
  }

  SECTION("layers lists every map and class of the catalog with counts and field flags") {
    // A county_admin sees every map.
    const auto now = std::chrono::system_clock::now();
    app.auth_db().create_user("admin", "admin-password-1", "county_admin", {}, now);
    const std::string token = app.auth_db().create_session(*app.auth_db().find_user("admin"), now);
    Request req = get("/api/layers");
    req.set(http::field::authorization, "Bearer " + token);
    const Response res = app.handle(req);
    CHECK(res[http::field::cache_control] == "private, max-age=60");
    CHECK(res[http::field::vary] == "Authorization, Cookie");
    REQUIRE(res.result() == http::status::ok);
    CHECK(res[http::field::content_type] == "application/json; charset=utf-8");
    CHECK(res[http::field::content_length] == std::to_string(res.body().size()));
    const json doc = json::parse(res.body());
    const auto catalog = minqing::model::LayerCatalog::load_directory(minqing::test::layers_dir());

    REQUIRE(doc.at("maps").size() == catalog.maps().size());
    std::set<std::string> class_names;
    for (const auto& m : doc.at("maps")) {
      const auto* def = catalog.find_map(m.at("name").get<std::string>());
      REQUIRE(def != nullptr);
      CHECK(m.at("title").at("zh") == def->title.zh);
      CHECK(m.at("title").at("en") == def->title.en);
      CHECK(m.at("confidential") == def->confidential);
      CHECK(m.at("classes").size() == def->classes.size());
      for (const auto& c : m.at("classes")) class_names.insert(c.at("name").get<std::string>());
    }
    CHECK(class_names.size() == catalog.classes().size());

    const json* disaster = find_named(doc.at("maps"), "disaster");
    REQUIRE(disaster != nullptr);
    const json* shelters = find_named(disaster->at("classes"), "shelters");
    REQUIRE(shelters != nullptr);
    CHECK(shelters->at("features") == 3);
    CHECK(shelters->at("geometry") == "point");
    CHECK(shelters->at("title").at("zh") == "避灾安置场所");
    const json* capacity = find_named(shelters->at("fields"), "capacity");
    REQUIRE(capacity != nullptr);
    CHECK(capacity->at("type") == "integer");
    CHECK(capacity->at("title") == "容纳人数");
    CHECK(capacity->at("personal") == false);

    const json* monitoring = find_named(disaster->at("classes"), "monitoring_points");
    REQUIRE(monitoring != nullptr);
    CHECK(monitoring->at("features") == 0);
    const json* responsible = find_named(monitoring->at("fields"), "responsible");
    REQUIRE(responsible != nullptr);
    CHECK(responsible->at("personal") == true);

    // A confidential map is listed, with its flag set, to a scope that may see it.
    bool any_confidential = false;
    for (const auto& m : doc.at("maps"))
      any_confidential = any_confidential || m.at("confidential") == true;
    CHECK(any_confidential);
  }

  SECTION("HEAD, 404 and 405") {
    const Response full = app.handle(get("/api/layers"));
    const Response head = app.handle(get("/api/layers", http::verb::head));
    CHECK(head.result() == http::status::ok);
    CHECK(head.body().empty());
    CHECK(head[http::field::content_length] == std::to_string(full.body().size()));

    const Response missing = app.handle(get("/api/nothing"));
    CHECK(missing.result() == http::status::not_found);
    CHECK(json::parse(missing.body()).at("error") == "not_found");

    const Response post = app.handle(get("/api/layers", http::verb::post));
    CHECK(post.result() == http::status::method_not_allowed);
    CHECK(post[http::field::allow] == "GET, HEAD");
    CHECK(json::parse(post.body()).at("error") == "method_not_allowed");
  }
}

TEST_CASE("App serves an empty store", "[server][app]") {
  const auto store = minqing::test::make_scratch_store("app_empty", 0);
  const App app(minqing::test::app_options(store, "app_test"));
  CHECK(app.feature_count() == 0);
  const Response res = app.handle(get("/api/layers"));
  REQUIRE(res.result() == http::status::ok);
  const json doc = json::parse(res.body());  // range-for over .at() of a temporary would dangle
  for (const auto& m : doc.at("maps")) {
    for (const auto& c : m.at("classes")) CHECK(c.at("features") == 0);
  }
}

TEST_CASE("App refuses a missing store with a StoreError naming it", "[server][app]") {
  const auto dir = minqing::test::scratch_dir("app_missing");
  const auto missing = (dir / "nope.gpkg").string();
  try {
    const App app(minqing::test::app_options(missing, "app_test_missing"));
    FAIL("App loaded a store that does not exist");
  } catch (const minqing::StoreError& e) {
    CHECK(std::string(e.what()).find(missing) != std::string::npos);
  }
}
