// What the server writes for an answer — its head (server/response_head.hpp) followed by its
// body's bytes (server/response_body.hpp) — against what Beast's own serializer writes for the
// same message with the body copied into a std::string: byte for byte the same.

#include <sstream>
#include <string>

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include "server/response.hpp"
#include "server/response_head.hpp"

using namespace minqing::server;

namespace {

// The bytes the server sends for `res`.
std::string on_the_wire(const Response& res) {
  std::string out;
  append_response_head(out, res);
  out += res.body().bytes();
  return out;
}

// The bytes Beast's serializer writes for the same head and body, copied into a string_body.
std::string as_beast_writes(const Response& res) {
  http::response<http::string_body> copy{res.base()};
  copy.body() = std::string(res.body().bytes());
  std::ostringstream os;
  os << copy;
  return os.str();
}

// A cached tile's answer as the tile endpoint gives it: the cache's bytes shared, not copied.
Response tile_answer(const std::shared_ptr<const std::string>& png) {
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "image/png");
  res.body().share(png);
  res.set(http::field::etag, "\"9f86d081884c7d65\"");
  res.set(http::field::vary, "Authorization, Cookie");
  res.set(http::field::cache_control, "private, max-age=60");
  return res;
}

}  // namespace

TEST_CASE("an answer on the wire is byte for byte what Beast's serializer writes", "[server][http]") {
  auto png = std::make_shared<const std::string>(std::string("\x89PNG\r\n\x1a\n", 8) + std::string(3000, '\0') + "IEND");

  SECTION("a cached tile, shared, keep-alive HTTP/1.1") {
    Response res = tile_answer(png);
    finalize_response(res, 11, true, false);
    CHECK(res[http::field::content_length] == std::to_string(png->size()));
    CHECK(on_the_wire(res) == as_beast_writes(res));
    CHECK(on_the_wire(res).ends_with(*png));
  }
  SECTION("the same tile to HEAD: the head alone, announcing the GET answer's length") {
    Response res = tile_answer(png);
    finalize_response(res, 11, true, true);
    CHECK(res.body().byte_size() == 0);
    CHECK(res.body().shared() == nullptr);
    CHECK(res[http::field::content_length] == std::to_string(png->size()));
    CHECK(on_the_wire(res) == as_beast_writes(res));
    CHECK(on_the_wire(res).ends_with("\r\n\r\n"));
  }
  SECTION("304 Not Modified carries neither body nor Content-Length") {
    Response res = tile_answer(png);
    res.result(http::status::not_modified);
    finalize_response(res, 11, true, false);
    CHECK(on_the_wire(res) == as_beast_writes(res));
    CHECK(on_the_wire(res).starts_with("HTTP/1.1 304 Not Modified\r\n"));
  }
  SECTION("HTTP/1.0 keep-alive and close, JSON, a custom reason") {
    for (const bool keep : {true, false}) {
      Response res = json_text_response("{\"status\":\"ok\"}");
      finalize_response(res, 10, keep, false);
      CHECK(on_the_wire(res) == as_beast_writes(res));
      CHECK(on_the_wire(res).starts_with("HTTP/1.0 200 OK\r\n"));
    }
    Response res = json_text_response("{}", http::status::unauthorized);
    res.reason("Who Are You");
    res.set(http::field::www_authenticate, "Bearer realm=\"minqing\"");
    finalize_response(res, 11, false, false);
    CHECK(on_the_wire(res) == as_beast_writes(res));
    CHECK(on_the_wire(res).starts_with("HTTP/1.1 401 Who Are You\r\n"));
  }
}

TEST_CASE("a shared body sends the cache's bytes, keeps them alive, and compares by what it sends",
          "[server][http]") {
  auto png = std::make_shared<const std::string>(5000, 'x');
  const std::string* where = png.get();
  Response res = tile_answer(png);
  png.reset();  // evicted from the cache: the answer still holds the bytes
  CHECK(res.body().bytes().data() == where->data());  // not copied
  CHECK(res.body().byte_size() == 5000);
  CHECK(res.body().empty());  // the owned text is unused

  Response copied{http::status::ok, 11};
  copied.body() = std::string(5000, 'x');
  CHECK(copied.body() == res.body());
  copied.body() = std::string(5000, 'y');
  CHECK(copied.body() != res.body());

  // Text assigned over a shared body replaces it; clear() drops both.
  Response reused = tile_answer(std::make_shared<const std::string>("tile"));
  reused.body() = "{\"error\":\"x\"}";
  CHECK(reused.body().shared() == nullptr);
  CHECK(reused.body().bytes() == "{\"error\":\"x\"}");
  reused.body().share(std::make_shared<const std::string>("tile"));
  reused.body().clear();
  CHECK(reused.body().bytes().empty());
  CHECK(ResponseBody::size(reused.body()) == 0);
}
