// Issue 9, the web map's server side: `/` answers the page to a browser and the OGC API landing
// page to JSON clients; the built assets with their types, cache lifetimes, gzip and CSP; nothing
// outside the build directory; a clear page when there is no build; the legend of each map for the
// caller's scope; Chinese titles of category values in /api/layers.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/app.hpp"
#include "server/web_assets.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;
using test::status;

namespace {

constexpr const char* kIndex = "<!doctype html><title>民情地图</title><script type=\"module\" src=\"/assets/app-ABCD2345.js\"></script>";
constexpr const char* kScript = "console.log('民情地图');";

void write(const std::filesystem::path& p, const std::string& body) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << body;
}

// A fake build: index.html, a hashed script with a (pretend) gzip sibling, an unhashed file; and a
// file beside the build directory that must never be served.
std::filesystem::path fake_build() {
  const auto root = test::run_scratch_dir("web_dist");
  const auto dist = root / "dist";
  write(dist / "index.html", kIndex);
  write(dist / "assets/app-ABCD2345.js", kScript);
  write(dist / "assets/app-ABCD2345.js.gz", "GZ");  // smaller than the script: answered to gzip clients
  write(dist / "assets/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  write(root / "secret.txt", "not for the web");
  return dist;
}

const App& web_app() {
  static const App app([] {
    AppOptions o = test::demo_app_options("web_map");
    o.web_dist = fake_build();
    return o;
  }());
  return app;
}

Response get(const std::string& target, std::initializer_list<std::pair<http::field, std::string>> headers = {},
             const test::Auth& auth = {}) {
  Request req = test::request(http::verb::get, target);
  for (const auto& [k, v] : headers) req.set(k, v);
  return test::send(web_app(), std::move(req), auth);
}

constexpr const char* kBrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

}  // namespace

TEST_CASE("web map: / is the page for a browser and the OGC landing page for JSON clients", "[server][web]") {
  const Response page = get("/", {{http::field::accept, kBrowserAccept}});
  REQUIRE(status(page) == 200);
  CHECK(page.body() == kIndex);
  CHECK(page[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(page[http::field::cache_control] == "no-cache");
  const std::string csp(page["Content-Security-Policy"]);
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(std::string(page[http::field::vary]).find("Accept") != std::string::npos);

  for (const char* accept : {"application/json", "", "*/*"}) {
    INFO("Accept: " << accept);
    const Response landing = *accept ? get("/", {{http::field::accept, accept}}) : get("/");
    REQUIRE(status(landing) == 200);
    const json body = json::parse(landing.body());
    CHECK(body.at("links").size() >= 4);
    CHECK(std::string(landing[http::field::vary]).find("Accept") != std::string::npos);
  }
  // f=json wins over a browser's Accept (a person asking for the JSON document)
  const Response asked = get("/?f=json", {{http::field::accept, kBrowserAccept}});
  REQUIRE(status(asked) == 200);
  CHECK(json::parse(asked.body()).contains("links"));
}

TEST_CASE("web map: assets carry their type, cache lifetime, gzip and ETag", "[server][web]") {
  const Response js = get("/assets/app-ABCD2345.js");
  REQUIRE(status(js) == 200);
  CHECK(js.body() == kScript);
  CHECK(js[http::field::content_type] == "text/javascript; charset=utf-8");
  CHECK(js[http::field::cache_control] == "public, max-age=31536000, immutable");
  CHECK(js[http::field::vary] == "Accept-Encoding");
  CHECK(js[http::field::content_encoding].empty());

  const Response gz = get("/assets/app-ABCD2345.js", {{http::field::accept_encoding, "gzip, deflate, br"}});
  REQUIRE(status(gz) == 200);
  CHECK(gz[http::field::content_encoding] == "gzip");
  CHECK(gz.body() == "GZ");
  const Response refused = get("/assets/app-ABCD2345.js", {{http::field::accept_encoding, "gzip;q=0, br"}});
  CHECK(refused[http::field::content_encoding].empty());

  const std::string etag(js[http::field::etag]);
  REQUIRE_FALSE(etag.empty());
  CHECK(status(get("/assets/app-ABCD2345.js", {{http::field::if_none_match, etag}})) == 304);

  const Response svg = get("/assets/logo.svg");
  REQUIRE(status(svg) == 200);
  CHECK(svg[http::field::content_type] == "image/svg+xml");
  CHECK(svg[http::field::cache_control] == "no-cache");  // no content hash in the name
}

TEST_CASE("web map: nothing outside the build directory is served", "[server][web]") {
  for (const char* target : {"/assets/../secret.txt", "/assets/%2e%2e/secret.txt", "/assets/..%2fsecret.txt",
                             "/assets//etc/passwd", "/assets/%2fetc%2fpasswd", "/assets/nothing.js",
                             "/assets/app-ABCD2345.js.gz", "/index.html/../../secret.txt"}) {
    INFO(target);
    const Response r = get(target);
    CHECK(status(r) >= 400);
    CHECK(status(r) < 500);
    CHECK(r.body().find("not for the web") == std::string::npos);
  }
}

TEST_CASE("web map: without a build a browser gets a page saying how to build it", "[server][web]") {
  AppOptions o = test::sample_app_options("web_map_missing");
  o.web_dist = test::scratch_dir("web_missing") / "dist";
  const App app(o);
  Request req = test::request(http::verb::get, "/");
  req.set(http::field::accept, kBrowserAccept);
  const Response r = test::send(app, std::move(req));
  CHECK(status(r) == 503);
  CHECK(r[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(r.body().find("npm ci") != std::string::npos);
  CHECK(r.body().find("scripts/run.sh") != std::string::npos);
  // JSON clients are not affected
  CHECK(status(test::get(app, "/")) == 200);
}

TEST_CASE("web map: hashed names and content types", "[server][web]") {
  CHECK(WebAssets::is_hashed_name("main-NUHEW33T.js"));
  CHECK(WebAssets::is_hashed_name("main-OMZCIV3R.css"));
  CHECK_FALSE(WebAssets::is_hashed_name("index.html"));
  CHECK_FALSE(WebAssets::is_hashed_name("logo.svg"));
  CHECK_FALSE(WebAssets::is_hashed_name("my-logo.svg"));
  CHECK(WebAssets::content_type_for("a.css") == "text/css; charset=utf-8");
  CHECK(WebAssets::content_type_for("a.png") == "image/png");
  CHECK(WebAssets::content_type_for("a.bin") == "application/octet-stream");
}

TEST_CASE("legend: generated from the style, answered for the caller's scope", "[server][web][legend]") {
  const Response terrain = get("/api/legend/terrain");
  REQUIRE(status(terrain) == 200);
  const json t = json::parse(terrain.body());
  CHECK(t.at("title") == "村情民情图");
  bool tea = false;
  for (const auto& item : t.at("items")) {
    if (item.at("class") == "landcover" && item.at("value") == "tea") {
      tea = true;
      CHECK(item.at("title") == "茶园");
      CHECK(item.at("kind") == "fill");
      CHECK(item.at("color").get<std::string>().front() == '#');
    }
  }
  CHECK(tea);
  CHECK(std::string(terrain[http::field::cache_control]).rfind("public", 0) == 0);

  // anonymous: a map not granted 403, the confidential one 404 as an unknown map
  CHECK(status(get("/api/legend/disaster")) == 403);
  CHECK(status(get("/api/legend/key_persons")) == 404);
  CHECK(status(get("/api/legend/no_such_map")) == 404);

  const std::string cadre = test::sign_in(web_app(), "cadre");
  const Response kp = get("/api/legend/key_persons", {}, cadre);
  REQUIRE(status(kp) == 200);
  CHECK(json::parse(kp.body()).at("items").size() >= 7);
  CHECK(kp[http::field::cache_control] == "private, no-store");

  const std::string planner = test::sign_in(web_app(), "planner");
  CHECK(status(get("/api/legend/disaster", {}, planner)) == 200);
  CHECK(status(get("/api/legend/industry", {}, planner)) == 403);
  CHECK(status(get("/api/legend/key_persons", {}, planner)) == 404);
}

TEST_CASE("layers: enumerated fields carry the Chinese titles of their values", "[server][web][layers]") {
  const json layers = json::parse(get("/api/layers").body());
  bool found = false;
  for (const auto& map : layers.at("maps")) {
    for (const auto& cls : map.at("classes")) {
      for (const auto& f : cls.at("fields")) {
        if (cls.at("name") == "landcover" && f.at("name") == "class") {
          found = true;
          CHECK(f.at("value_titles").at("tea") == "茶园");
        }
        if (f.at("name") == "village_code") CHECK_FALSE(f.contains("value_titles"));
      }
    }
  }
  CHECK(found);
}

TEST_CASE("layers: fields say which the server derives and which are required, for the edit form", "[server][web][layers]") {
  const std::string cadre = test::sign_in(web_app(), "cadre");
  const json layers = json::parse(get("/api/layers", {}, cadre).body());
  std::map<std::string, json> households;
  for (const auto& map : layers.at("maps")) {
    for (const auto& cls : map.at("classes")) {
      if (cls.at("name") != "households") continue;
      for (const auto& f : cls.at("fields")) households[f.at("name").get<std::string>()] = f;
    }
  }
  REQUIRE(households.count("vulnerable_members") == 1);
  CHECK(households["vulnerable_members"].value("derived", false));
  CHECK(households["household_id"].value("required", false));
  CHECK_FALSE(households["members"].value("derived", false));
  CHECK_FALSE(households["members"].value("required", false));
}
