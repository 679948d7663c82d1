#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "server/target.hpp"

using minqing::RequestError;
using minqing::server::parse_target;
using minqing::server::parse_target_into;
using minqing::server::Target;
using minqing::server::percent_decode;
using minqing::server::Query;
using Segments = std::vector<std::string>;

TEST_CASE("parse_target splits and decodes path segments and the query", "[server][target]") {
  const auto t =
      parse_target("/tiles/terrain%2Cdisaster/16/54321/27012.png?scale=2&name=%E6%9D%BE+%E9%98%B3");
  CHECK(t.path == "/tiles/terrain%2Cdisaster/16/54321/27012.png");
  CHECK(t.segments == Segments{"tiles", "terrain,disaster", "16", "54321", "27012.png"});
  CHECK(t.query.get("scale") == "2");
  CHECK(t.query.get("name") == "松 阳");
  CHECK_FALSE(t.query.has("absent"));

  CHECK(parse_target("/").segments.empty());
  CHECK(parse_target("/api/layers/").segments == Segments{"api", "layers", ""});
  CHECK(parse_target("/a%2Fb").segments ==
        Segments{"a/b"});  // an encoded slash stays in its segment
}

TEST_CASE("parse_target refuses dangerous or malformed targets", "[server][target]") {
  CHECK_THROWS_AS(parse_target(""), RequestError);
  CHECK_THROWS_AS(parse_target("healthz"), RequestError);
  CHECK_THROWS_AS(parse_target("http://example.com/healthz"), RequestError);
  CHECK_THROWS_AS(parse_target("*"), RequestError);
  CHECK_THROWS_AS(parse_target("/a/../etc/passwd"), RequestError);
  CHECK_THROWS_AS(parse_target("/.."), RequestError);
  CHECK_THROWS_AS(parse_target("/a/%2e%2E/b"), RequestError);
  CHECK_THROWS_AS(parse_target("/a/./b"), RequestError);
  CHECK_THROWS_AS(parse_target(std::string("/a\0b", 4)), RequestError);
  CHECK_THROWS_AS(parse_target("/a%00b"), RequestError);
  CHECK_THROWS_AS(parse_target("/a%zzb"), RequestError);
  CHECK_THROWS_AS(parse_target("/a%4"), RequestError);
  CHECK_THROWS_AS(parse_target("/a?x=%00"), RequestError);
  // Dots inside a segment are ordinary characters.
  CHECK(parse_target("/files/a..b.png").segments == Segments{"files", "a..b.png"});
}

// The request handler reuses one Target per thread (issue 12): each target parsed into it must read
// exactly as a fresh parse, whatever the one before held or refused.
TEST_CASE("parse_target_into a reused Target gives what a fresh parse gives", "[server][target]") {
  const char* targets[] = {"/tiles/terrain%2Cdisaster/16/54321/27012.png?scale=2&name=%E6%9D%BE+%E9%98%B3",
                           "/",
                           "/a/b/c/d/e/f/g/h/i/j/k/a-segment-longer-than-a-short-string/",
                           "/api/layers",
                           "/a/../b",
                           "/api/search?q=x",
                           "/healthz"};
  Target reused;
  for (int round = 0; round < 2; ++round) {
    for (const char* text : targets) {
      INFO(text);
      bool fresh_refused = false;
      Target fresh;
      try {
        fresh = parse_target(text);
      } catch (const RequestError&) {
        fresh_refused = true;
      }
      if (fresh_refused) {
        CHECK_THROWS_AS(parse_target_into(text, reused), RequestError);
        continue;
      }
      parse_target_into(text, reused);
      CHECK(reused.path == fresh.path);
      CHECK(reused.segments == fresh.segments);
      CHECK(reused.query.items() == fresh.query.items());
    }
  }
}

TEST_CASE("Query keeps order, first value wins, '+' is a space", "[server][target]") {
  const Query q("a=1&b=&c&a=2&&d=x+y%2B");
  REQUIRE(q.items().size() == 5);
  CHECK(q.get("a") == "1");
  CHECK(q.get("b") == "");
  CHECK(q.get("c") == "");
  CHECK(q.get("d") == "x y+");
  CHECK(percent_decode("a+b", false, "x") == "a+b");
}
