#include <catch2/catch.hpp>

#include "server/access_log.hpp"

using namespace minqing::server;

TEST_CASE("an access line has time, remote, method, target, status, bytes and duration",
          "[server][log]") {
  AccessEntry e;
  e.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714552212345));
  e.remote = "127.0.0.1:53124";
  e.method = "GET";
  e.target = "/api/layers";
  e.status = 200;
  e.bytes = 4311;
  e.duration = std::chrono::microseconds(1250);
  CHECK(format_access_line(e) ==
        "2024-05-01T08:30:12.345Z 127.0.0.1:53124 GET \"/api/layers\" 200 4311 1.2ms");
}

TEST_CASE("access lines keep only harmless query values and escape control characters",
          "[server][log]") {
  CHECK(loggable_target("/login?user=li&password=hunter2&Token=abc&x=1") ==
        "/login?user=***&password=***&Token=***&x=***");
  CHECK(loggable_target("/a?access_token=eyJ&b") == "/a?access_token=***&b");
  // a search may name a person (the web map's search box): never logged
  CHECK(loggable_target("/api/search?q=%E5%BC%A0%E4%B8%89&limit=8") == "/api/search?q=***&limit=8");
  // nor may a CQL2 filter, a property filter or a route's start (a house)
  CHECK(loggable_target("/collections/households/items?filter=head_name%3D%27%E5%BC%A0%27&filter-lang=cql2-text"
                        "&limit=10") ==
        "/collections/households/items?filter=***&filter-lang=cql2-text&limit=10");
  CHECK(loggable_target("/collections/households/items?head_name=%E5%BC%A0%E4%B8%89&bbox=1,2,3,4") ==
        "/collections/households/items?head_name=***&bbox=1,2,3,4");
  CHECK(loggable_target("/api/route?from=119.1,28.4&to=nearest-shelter&mode=walk&avoid=high") ==
        "/api/route?from=***&to=***&mode=walk&avoid=high");
  // what an operator needs to read a log stays: paging, map names, places, the view
  CHECK(loggable_target("/api/identify?lon=119.4&lat=28.4&zoom=17.00&maps=terrain,disaster&limit=5") ==
        "/api/identify?lon=119.4&lat=28.4&zoom=17.00&maps=terrain,disaster&limit=5");
  CHECK(loggable_target("/api/stats?Village=331124207202") == "/api/stats?Village=331124207202");
  // A target cannot end the line or the quoted field.
  CHECK(loggable_target("/a\r\nfake line\"x\\") == "/a\\x0d\\x0afake line\\x22x\\x5c");
  const std::string longer(5000, 'a');
  CHECK(loggable_target("/" + longer).size() < 2100);

  AccessEntry e;
  e.method = "";
  e.target = "/x";
  const std::string line = format_access_line(e);
  CHECK(line.find(" - - \"/x\" 0 0 0.0ms") != std::string::npos);
}
