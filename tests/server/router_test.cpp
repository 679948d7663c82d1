#include <deque>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "server/router.hpp"
#include "server/target.hpp"

using namespace minqing::server;

namespace {

Handler named(std::string name) {
  return [name](const RequestContext&) {
    Response r;
    r.body() = name;
    return r;
  };
}

std::string call(const Router::Match& m) {
  REQUIRE(m.handler != nullptr);
  Request req{http::verb::get, "/", 11};
  const Target t;
  const RequestContext ctx{req, t, m.params};
  return (*m.handler)(ctx).body();
}

// A match's parameters view the segments it matched: they are kept for the whole test run.
Router::Match match(const Router& r, http::verb v, const std::string& path) {
  static std::deque<Target> targets;
  return r.match(v, targets.emplace_back(parse_target(path)).segments);
}

}  // namespace

TEST_CASE("Router matches literals, parameters with prefix/suffix, and a rest parameter",
          "[server][router]") {
  Router r;
  r.get("/", named("root"));
  r.get("/api/layers", named("layers"));
  r.get("/tiles/{maps}/{z}/{x}/{y}.png", named("tile"));
  r.get("/wmts/v{version}/{rest*}", named("wmts"));

  CHECK(call(match(r, http::verb::get, "/")) == "root");
  CHECK(call(match(r, http::verb::get, "/api/layers")) == "layers");

  const auto tile = match(r, http::verb::get, "/tiles/terrain%2Cdisaster/16/54321/27012.png");
  CHECK(call(tile) == "tile");
  CHECK(tile.params.at("maps") == "terrain,disaster");
  CHECK(tile.params.at("z") == "16");
  CHECK(tile.params.at("x") == "54321");
  CHECK(tile.params.at("y") == "27012");
  CHECK_THROWS_AS(tile.params.at("nope"), std::out_of_range);

  const auto wmts = match(r, http::verb::get, "/wmts/v1/a/b/c.png");
  CHECK(wmts.params.at("version") == "1");
  CHECK(wmts.params.at("rest") == "a/b/c.png");
  CHECK(match(r, http::verb::get, "/wmts/v1").params.at("rest") == "");

  // Non-matches: suffix missing, empty parameter, wrong segment count, trailing slash.
  CHECK_FALSE(match(r, http::verb::get, "/tiles/terrain/16/1/2.jpg").path_known);
  CHECK_FALSE(match(r, http::verb::get, "/tiles/terrain/16/1/.png").path_known);
  CHECK_FALSE(match(r, http::verb::get, "/tiles/terrain/16/1").path_known);
  CHECK_FALSE(match(r, http::verb::get, "/api/layers/").path_known);
  CHECK_FALSE(match(r, http::verb::get, "/wmts/1/x").path_known);
}

TEST_CASE("Router reports the allowed methods of a known path, HEAD falls back to GET",
          "[server][router]") {
  Router r;
  r.get("/items/{id}", named("get"));
  r.add(http::verb::delete_, "/items/{id}", named("delete"));
  r.post("/items", named("post"));

  const auto post_on_item = match(r, http::verb::post, "/items/7");
  CHECK(post_on_item.handler == nullptr);
  CHECK(post_on_item.path_known);
  CHECK(Router::allow_header(post_on_item.allowed) == "DELETE, GET, HEAD");

  const auto head = match(r, http::verb::head, "/items/7");
  CHECK(call(head) == "get");
  CHECK(head.params.at("id") == "7");

  const auto get_on_post_only = match(r, http::verb::get, "/items");
  CHECK(get_on_post_only.handler == nullptr);
  CHECK(Router::allow_header(get_on_post_only.allowed) == "POST");

  CHECK(call(match(r, http::verb::delete_, "/items/7")) == "delete");
}

TEST_CASE("Router uses the first registered route that matches", "[server][router]") {
  Router r;
  r.get("/collections/special", named("special"));
  r.get("/collections/{id}", named("generic"));
  CHECK(call(match(r, http::verb::get, "/collections/special")) == "special");
  CHECK(call(match(r, http::verb::get, "/collections/roads")) == "generic");
}

TEST_CASE("Router refuses malformed patterns and duplicates", "[server][router]") {
  Router r;
  CHECK_THROWS_AS(r.get("no-slash", named("x")), std::invalid_argument);
  CHECK_THROWS_AS(r.get("/a/{b", named("x")), std::invalid_argument);
  CHECK_THROWS_AS(r.get("/a/{b}{c}", named("x")), std::invalid_argument);
  CHECK_THROWS_AS(r.get("/a/{}", named("x")), std::invalid_argument);
  CHECK_THROWS_AS(r.get("/a/{b}/{b}", named("x")), std::invalid_argument);
  CHECK_THROWS_AS(r.get("/a/{rest*}/b", named("x")), std::invalid_argument);
  // Eight parameters fit in a match; a ninth is refused when registered, not when a request comes.
  CHECK_NOTHROW(r.get("/p/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", named("eight")));
  CHECK_THROWS_AS(r.get("/q/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", named("x")), std::invalid_argument);
  CHECK(match(r, http::verb::get, "/p/1/2/3/4/5/6/7/8").params.at("h") == "8");
  CHECK_THROWS_AS(r.get("/a", Handler{}), std::invalid_argument);
  r.get("/a", named("x"));
  CHECK_THROWS_AS(r.get("/a", named("y")), std::invalid_argument);
  CHECK_NOTHROW(r.post("/a", named("y")));
}

TEST_CASE("Router: a route is slow unless registered quick, and HEAD takes its GET route's pace", "[server][router][io-threads]") {
  Router r;
  r.get("/pdf", named("pdf"));
  r.get("/tile", named("tile"), Pace::quick);
  r.post("/tile", named("post"));
  r.add(http::verb::put, "/put", named("put"), Pace::quick);
  CHECK(match(r, http::verb::get, "/pdf").pace == Pace::slow);
  CHECK(match(r, http::verb::get, "/tile").pace == Pace::quick);
  CHECK(match(r, http::verb::head, "/tile").pace == Pace::quick);
  CHECK(match(r, http::verb::head, "/pdf").pace == Pace::slow);
  CHECK(match(r, http::verb::post, "/tile").pace == Pace::slow);
  CHECK(match(r, http::verb::put, "/put").pace == Pace::quick);
  const auto routes = r.routes();
  REQUIRE(routes.size() == 4);
  CHECK(routes[0].pattern == "/pdf");
  CHECK(routes[0].pace == Pace::slow);
  CHECK(routes[1].method == http::verb::get);
  CHECK(routes[1].pace == Pace::quick);
  CHECK(routes[2].method == http::verb::post);
  CHECK(routes[2].pace == Pace::slow);
  CHECK(routes[3].method == http::verb::put);
}

TEST_CASE("Router: the first route registered for a method wins, whether its pattern starts with a literal or a "
          "parameter", "[server][router]") {
  // Routes are tried by their first segment (an index), merged back into registration order.
  Router r;
  r.get("/{kind}/x", named("open first"));
  r.get("/lit/x", named("literal"));
  r.get("/lit/{id}", named("literal, later"));
  r.post("/lit/x", named("post"));
  r.get("/{rest*}", named("rest"));
  CHECK(call(match(r, http::verb::get, "/lit/x")) == "open first");
  CHECK(call(match(r, http::verb::get, "/lit/y")) == "literal, later");
  CHECK(call(match(r, http::verb::get, "/other/x")) == "open first");
  CHECK(call(match(r, http::verb::get, "/other/y")) == "rest");
  CHECK(call(match(r, http::verb::post, "/lit/x")) == "post");
  CHECK(call(match(r, http::verb::head, "/lit/x")) == "open first");
  // Allowed methods gather every matching route, indexed or not.
  const auto put = match(r, http::verb::put, "/lit/x");
  CHECK(put.handler == nullptr);
  CHECK(put.path_known);
  CHECK(Router::allow_header(put.allowed) == "GET, HEAD, POST");

  Router later;
  later.get("/lit/x", named("literal"));
  later.get("/{kind}/x", named("open first"));
  CHECK(call(match(later, http::verb::get, "/lit/x")) == "literal");
  CHECK(call(match(later, http::verb::get, "/else/x")) == "open first");
}
