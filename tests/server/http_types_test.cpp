// find_field and keeps_alive walk a request's fields themselves (issue 12): they must answer as
// Beast's find and keep_alive do, whatever the version, spelling and order of the fields.

#include <catch2/catch.hpp>

#include "server/http_types.hpp"

using namespace minqing::server;

TEST_CASE("find_field and keeps_alive answer as Beast's find and keep_alive", "[server][http]") {
  const char* connections[] = {nullptr, "close", "keep-alive", "Keep-Alive", "CLOSE", "upgrade, close",
                               "keep-alive, Upgrade", "", "closed", "foo"};
  for (const unsigned version : {10u, 11u}) {
    for (const char* connection : connections) {
      for (const bool twice : {false, true}) {
        Request req{http::verb::get, "/tiles/terrain/1/0/0.png", version};
        req.set("host", "example.org");
        req.insert("X-Other", "1");
        if (connection != nullptr) req.insert("connection", connection);  // lower case, as some clients send
        if (twice) req.insert(http::field::connection, "close");
        req.insert(http::field::authorization, "Bearer abc");
        INFO("HTTP/" << version << " Connection: " << (connection ? connection : "(none)") << (twice ? " and close" : ""));
        CHECK(keeps_alive(req) == req.keep_alive());
        for (const auto f : {http::field::connection, http::field::authorization, http::field::host,
                             http::field::if_none_match, http::field::cookie}) {
          CHECK(find_field(req, f) == req.find(f));
        }
      }
    }
  }
}
