#include <chrono>
#include <stdexcept>
#include <string_view>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "server/http_error.hpp"
#include "server/json_error.hpp"
#include "server/request_handler.hpp"
#include "server/response.hpp"
#include "server/router.hpp"
#include "server/would_block.hpp"

using namespace minqing::server;
using nlohmann::json;

namespace {

Request make_request(http::verb v, std::string target, unsigned version = 11) {
  Request req{v, target, version};
  req.set(http::field::host, "localhost");
  return req;
}

// A stub application: one route per outcome the request handler must translate.
Router stub_router() {
  Router r;
  r.get("/ok/{name}", [](const RequestContext& c) {
    return json_response(
        {{"hello", std::string(c.param("name"))}, {"q", std::string(c.query("q").value_or(""))}});
  }, Pace::quick);
  r.get("/bad", [](const RequestContext&) -> Response {
    throw minqing::RequestError("zoom: must be 0..22");
  });
  r.get("/gone", [](const RequestContext&) -> Response {
    throw HttpError(http::status::not_found, "no map named \"x\"");
  });
  r.get("/boom", [](const RequestContext&) -> Response {
    throw std::runtime_error("secret internal state");
  });
  r.get("/throw-int", [](const RequestContext&) -> Response { throw 42; });
  r.get("/unknown-param", [](const RequestContext& c) {
    return json_response({{"v", std::string(c.param("nope"))}});
  });
  // Quick routes that are slow only sometimes check may_block themselves (a tile on a miss).
  r.get("/would-block", [](const RequestContext& c) {
    if (!c.may_block) throw WouldBlock{};
    return json_response({{"ran", "where it may block"}});
  }, Pace::quick);
  r.get("/always-would-block", [](const RequestContext&) -> Response { throw WouldBlock{}; }, Pace::quick);
  r.post("/ok/{name}", [](const RequestContext& c) {
    return json_response({{"posted", c.request.body()}});
  });
  return r;
}

json body_of(const Response& res) { return json::parse(res.body()); }

void check_common_headers(const Response& res) {
  CHECK(res[http::field::server] == std::string("minqing/") + MINQING_VERSION);
  CHECK(res["X-Content-Type-Options"] == "nosniff");
  CHECK(res[http::field::content_length] == std::to_string(res.body().size()));
}

void check_error(const Response& res, http::status status, const std::string& code) {
  CHECK(res.result() == status);
  CHECK(res[http::field::content_type] == "application/json; charset=utf-8");
  const json b = body_of(res);
  CHECK(b.at("error") == code);
  CHECK(b.at("detail").is_string());
  CHECK_FALSE(b.at("detail").get<std::string>().empty());
  check_common_headers(res);
}

}  // namespace

TEST_CASE("RequestHandler routes to the handler with path and query parameters",
          "[server][handler]") {
  const Router r = stub_router();
  const RequestHandler h(r);
  const Response res = h.handle(make_request(http::verb::get, "/ok/%E6%9D%BE%E9%98%B3?q=a+b"));
  CHECK(res.result() == http::status::ok);
  CHECK(res.version() == 11);
  CHECK(res.keep_alive());
  CHECK(res[http::field::content_type] == "application/json; charset=utf-8");
  CHECK(body_of(res) == json{{"hello", "松阳"}, {"q", "a b"}});
  check_common_headers(res);

  Request post = make_request(http::verb::post, "/ok/x");
  post.body() = "payload";
  post.prepare_payload();
  CHECK(body_of(h.handle(post)) == json{{"posted", "payload"}});
}

TEST_CASE("RequestHandler turns handler failures into JSON errors", "[server][handler]") {
  const Router r = stub_router();
  const RequestHandler h(r);

  const Response bad = h.handle(make_request(http::verb::get, "/bad"));
  check_error(bad, http::status::bad_request, "bad_request");
  CHECK(body_of(bad).at("detail") == "zoom: must be 0..22");

  const Response gone = h.handle(make_request(http::verb::get, "/gone"));
  check_error(gone, http::status::not_found, "not_found");
  CHECK(body_of(gone).at("detail") == "no map named \"x\"");

  // Unexpected exceptions become a 500 that does not leak the exception's text.
  const Response boom = h.handle(make_request(http::verb::get, "/boom"));
  check_error(boom, http::status::internal_server_error, "internal_server_error");
  CHECK(boom.body().find("secret internal state") == std::string::npos);
  check_error(h.handle(make_request(http::verb::get, "/throw-int")),
              http::status::internal_server_error, "internal_server_error");
  check_error(h.handle(make_request(http::verb::get, "/unknown-param")),
              http::status::internal_server_error, "internal_server_error");
}

TEST_CASE("RequestHandler answers 404 for unknown paths and 405 with Allow for wrong methods",
          "[server][handler]") {
  const Router r = stub_router();
  const RequestHandler h(r);

  const Response missing = h.handle(make_request(http::verb::get, "/nowhere?x=1"));
  check_error(missing, http::status::not_found, "not_found");
  CHECK(body_of(missing).at("detail") == "no resource at /nowhere");

  const Response wrong = h.handle(make_request(http::verb::delete_, "/ok/x"));
  check_error(wrong, http::status::method_not_allowed, "method_not_allowed");
  CHECK(wrong[http::field::allow] == "GET, HEAD, POST");

  const Response post_only_get = h.handle(make_request(http::verb::put, "/bad"));
  CHECK(post_only_get.result() == http::status::method_not_allowed);
  CHECK(post_only_get[http::field::allow] == "GET, HEAD");
}

TEST_CASE("RequestHandler refuses traversal, NUL and non-origin targets with 400",
          "[server][handler]") {
  const Router r = stub_router();
  const RequestHandler h(r);
  for (const char* target :
       {"/ok/../ok/x", "/ok/%2e%2e/x", "ok/x", "http://evil/ok/x", "/ok/x%00"}) {
    INFO(target);
    check_error(h.handle(make_request(http::verb::get, target)), http::status::bad_request,
                "bad_request");
  }
}

TEST_CASE("RequestHandler answers HEAD like GET without a body", "[server][handler]") {
  const Router r = stub_router();
  const RequestHandler h(r);
  const Response get = h.handle(make_request(http::verb::get, "/ok/x"));
  const Response head = h.handle(make_request(http::verb::head, "/ok/x"));
  CHECK(head.result() == http::status::ok);
  CHECK(head.body().empty());
  CHECK(head[http::field::content_length] == std::to_string(get.body().size()));
  CHECK(head[http::field::content_type] == get[http::field::content_type]);

  const Response head404 = h.handle(make_request(http::verb::head, "/nowhere"));
  CHECK(head404.result() == http::status::not_found);
  CHECK(head404.body().empty());
  CHECK(head404[http::field::content_length] != "0");
}

TEST_CASE("RequestHandler follows the request's HTTP version and keep-alive", "[server][handler]") {
  const Router r = stub_router();
  const RequestHandler h(r);
  const Response v10 = h.handle(make_request(http::verb::get, "/ok/x", 10));
  CHECK(v10.version() == 10);
  CHECK_FALSE(v10.keep_alive());

  Request close = make_request(http::verb::get, "/ok/x");
  close.keep_alive(false);
  const Response res = h.handle(close);
  CHECK_FALSE(res.keep_alive());
  CHECK(res[http::field::connection] == "close");
}

TEST_CASE("error codes are the snake-case reason phrase, and bodies survive invalid UTF-8",
          "[server][handler]") {
  CHECK(error_code(http::status::request_header_fields_too_large) ==
        "request_header_fields_too_large");
  CHECK(error_code(http::status::payload_too_large) == "payload_too_large");
  CHECK(error_code(http::status::forbidden) == "forbidden");
  const json b = json::parse(error_body(http::status::bad_request, "bad \xff byte"));
  CHECK(b.at("error") == "bad_request");
  CHECK(b.at("detail").get<std::string>().find("bad ") == 0);
}

TEST_CASE("finalize_response gives 204 and 304 neither body nor Content-Length",
          "[server][handler]") {
  Response res{http::status::not_modified, 11};
  res.body() = "x";
  finalize_response(res, 11, true, false);
  CHECK(res.body().empty());
  CHECK(res.find(http::field::content_length) == res.end());
  CHECK(res[http::field::server] == std::string("minqing/") + MINQING_VERSION);
}

TEST_CASE("a handler that would block an io thread is reported, not answered, and runs where it may block",
          "[server][handler]") {
  const Router r = stub_router();
  const RequestHandler h(r);
  int laters = 0;
  const RequestHandler::Later later = [&laters](Response) { ++laters; };
  const Request req = make_request(http::verb::get, "/would-block");

  bool would_block = false;
  CHECK_FALSE(h.handle(req, "127.0.0.1", later, false, &would_block).has_value());
  CHECK(would_block);
  // Called again where it may block (the server's blocking pool): the answer.
  const auto slow = h.handle(req, "127.0.0.1", later);
  REQUIRE(slow.has_value());
  CHECK(body_of(*slow) == json{{"ran", "where it may block"}});
  check_common_headers(*slow);
  // A handler that does not block is answered on the io thread, and the flag is cleared.
  const auto fast = h.handle(make_request(http::verb::get, "/ok/x"), "127.0.0.1", later, false, &would_block);
  REQUIRE(fast.has_value());
  CHECK_FALSE(would_block);
  CHECK(fast->result() == http::status::ok);
  CHECK(laters == 0);  // nothing was deferred
  // WouldBlock where blocking was allowed is a handler's bug: a 500, never an exception.
  const auto bug = h.handle(make_request(http::verb::get, "/always-would-block"), "127.0.0.1", later);
  REQUIRE(bug.has_value());
  check_error(*bug, http::status::internal_server_error, "internal_server_error");
  CHECK(h.handle(make_request(http::verb::get, "/always-would-block")).result() == http::status::internal_server_error);
}

TEST_CASE("a route not registered quick never runs on an io thread: reported before its caller is resolved or its handler runs",
          "[server][handler][io-threads]") {
  Router r;
  int slow_runs = 0, quick_runs = 0, resolved = 0;
  r.get("/slow", [&slow_runs](const RequestContext& c) {
    ++slow_runs;
    return json_response({{"may_block", c.may_block}});
  });
  r.post("/slow", [&slow_runs](const RequestContext&) {
    ++slow_runs;
    return json_response({{"posted", true}});
  });
  r.get("/quick", [&quick_runs](const RequestContext& c) {
    ++quick_runs;
    return json_response({{"may_block", c.may_block}});
  }, Pace::quick);
  // The resolver counts its calls: a request handed on must not be resolved twice (a failed
  // login's count, a session's touch).
  const CallerResolver resolver = [&resolved](const Request&, std::string_view, std::chrono::system_clock::time_point) {
    ++resolved;
    return Caller{};
  };
  const RequestHandler h(r, resolver);
  const RequestHandler::Later later = [](Response) { FAIL("nothing is deferred"); };

  SECTION("on an io thread (may_block false)") {
    for (const http::verb v : {http::verb::get, http::verb::head, http::verb::post}) {
      INFO(http::to_string(v));
      bool would_block = false;
      CHECK_FALSE(h.handle(make_request(v, "/slow"), "127.0.0.1", later, false, &would_block).has_value());
      CHECK(would_block);
    }
    CHECK(slow_runs == 0);
    CHECK(resolved == 0);
    bool would_block = true;
    const auto quick = h.handle(make_request(http::verb::get, "/quick"), "127.0.0.1", later, false, &would_block);
    CHECK_FALSE(would_block);
    REQUIRE(quick.has_value());
    CHECK(body_of(*quick) == json{{"may_block", false}});
    CHECK(quick_runs == 1);
    CHECK(resolved == 1);
    // No route, or another method: answered at once (after the caller is resolved, as ever).
    const auto none = h.handle(make_request(http::verb::get, "/nowhere"), "127.0.0.1", later, false, &would_block);
    CHECK_FALSE(would_block);
    REQUIRE(none.has_value());
    CHECK(none->result() == http::status::not_found);
    const auto other = h.handle(make_request(http::verb::delete_, "/slow"), "127.0.0.1", later, false, &would_block);
    REQUIRE(other.has_value());
    CHECK(other->result() == http::status::method_not_allowed);
    CHECK(resolved == 3);
    // Without a flag to report it, the caller's bug is a 500, and still nothing ran.
    const auto unreported = h.handle(make_request(http::verb::get, "/slow"), "127.0.0.1", later, false);
    REQUIRE(unreported.has_value());
    CHECK(unreported->result() == http::status::internal_server_error);
    CHECK(slow_runs == 0);
  }
  SECTION("where it may block (the blocking pool, or no server at all): both run, once each") {
    bool would_block = true;
    const auto slow = h.handle(make_request(http::verb::get, "/slow"), "127.0.0.1", later, true, &would_block);
    CHECK_FALSE(would_block);
    REQUIRE(slow.has_value());
    CHECK(body_of(*slow) == json{{"may_block", true}});
    const auto quick = h.handle(make_request(http::verb::get, "/quick"), "127.0.0.1", later, true, &would_block);
    REQUIRE(quick.has_value());
    CHECK(body_of(*quick) == json{{"may_block", true}});
    CHECK(h.handle(make_request(http::verb::post, "/slow")).result() == http::status::ok);
    CHECK(slow_runs == 2);
    CHECK(quick_runs == 1);
    CHECK(resolved == 3);
  }
}
