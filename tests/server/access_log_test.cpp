#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "server/access_log.hpp"
#include "server/stdio_text.hpp"

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

// The duration is written from integers (issue 12); its text must stay printf's "%.1f" of the
// milliseconds as a double, ties at a whole number of 50 us included, which a log reader may parse.
TEST_CASE("an access line's duration reads as printf's %.1f of its milliseconds", "[server][log]") {
  const auto duration_text = [](std::int64_t ns) {
    AccessEntry e;
    e.duration = std::chrono::nanoseconds(ns);
    const std::string line = format_access_line(e);
    return line.substr(line.rfind(' ') + 1);
  };
  const auto printf_text = [](std::int64_t ns) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(ns) / 1e6);
    return std::string(buf);
  };
  std::mt19937_64 rng(12);
  std::vector<std::int64_t> cases = {0, 1, 49'999, 50'000, 50'001, 99'999, 100'000, 149'999, 150'000, 150'001,
                                     250'000, 950'000, 999'999, 1'000'000, 9'950'000, 123'456'789'012};
  for (std::int64_t tie = 50'000; tie < 30'000'000; tie += 100'000) cases.push_back(tie);
  for (int i = 0; i < 20000; ++i) cases.push_back(static_cast<std::int64_t>(rng() % 60'000'000'000));
  for (const std::int64_t ns : cases) {
    INFO(ns << " ns");
    CHECK(duration_text(ns) == printf_text(ns));
  }
  CHECK(duration_text(1'250'000) == "1.2ms");  // a tie, rounded as printf rounds the double 1.25
  CHECK(duration_text(1'350'000) == "1.4ms");  // 1.35 is a double a little above
  CHECK(duration_text(12'345'678) == "12.3ms");
}

// Escaping looks at eight characters at once: every character that needs it is still escaped,
// wherever it falls in the word, and nothing else is.
TEST_CASE("access lines escape control characters, quotes and backslashes at any position", "[server][log]") {
  const auto expected = [](const std::string& text) {
    std::string out;
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
        char esc[5];
        std::snprintf(esc, sizeof esc, "\\x%02x", u);
        out += esc;
      } else {
        out += c;
      }
    }
    return out;
  };
  const std::string specials = std::string("\0\x01\x1f\x7f\"\\", 6);
  const std::string plain = " !#[]^_~09AZaz\x80\xe5\xbc\xa0\xff";  // UTF-8 bytes are not escaped
  std::mt19937_64 rng(12);
  for (int i = 0; i < 3000; ++i) {
    std::string text = "/";
    const std::size_t n = rng() % 40;
    for (std::size_t k = 0; k < n; ++k) {
      text += rng() % 6 == 0 ? specials[rng() % specials.size()] : plain[rng() % plain.size()];
    }
    INFO(expected(text));
    CHECK(loggable_target(text) == expected(text));
  }
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

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    REQUIRE(nl != std::string::npos);  // only whole lines are ever written
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

}  // namespace

// Each thread gathers its lines in a buffer of its own (issue 12, session 13): no line may be
// lost, doubled or cut, and a thread's lines keep their order, whether the batches go out on the
// interval, because a buffer filled, or on flush.
TEST_CASE("lines written from many threads each reach the log once, whole and in their thread's order",
          "[server][log]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  constexpr int kThreads = 4;
  constexpr int kLines = 20'000;  // ~1.5 MiB a thread: several 64 KiB batches each
  {
    const AccessLog log(f, std::chrono::milliseconds(5));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        const std::string remote = "10.0.0." + std::to_string(t) + ":1";
        for (int i = 0; i < kLines; ++i) {
          const std::string target = "/tiles/terrain/17/" + std::to_string(i) + "/1.png";
          AccessEntry e;
          e.time = std::chrono::system_clock::now();
          e.remote = remote;
          e.method = "GET";
          e.target = target;
          e.status = 200;
          e.bytes = static_cast<std::size_t>(i);
          log.write(e);
        }
      });
    }
    for (auto& t : threads) t.join();
    log.flush();
    std::vector<int> next(kThreads, 0);
    for (const auto& line : lines_of(test::text_of(f))) {
      const auto remote = line.find(" 10.0.0.");
      REQUIRE(remote != std::string::npos);
      const int t = line[remote + 8] - '0';
      REQUIRE((t >= 0 && t < kThreads));
      const std::string expected = "\"/tiles/terrain/17/" + std::to_string(next[t]) + "/1.png\" 200 " + std::to_string(next[t]) + " ";
      INFO(line);
      REQUIRE(line.find(expected) != std::string::npos);
      ++next[t];
    }
    for (int t = 0; t < kThreads; ++t) CHECK(next[t] == kLines);
  }
  std::fclose(f);
}

TEST_CASE("lines reach the log within the interval without a flush, and on destruction", "[server][log]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  AccessEntry e;
  e.time = std::chrono::system_clock::now();
  e.remote = "127.0.0.1:9";
  e.method = "GET";
  e.target = "/healthz";
  e.status = 200;
  {
    const AccessLog log(f, std::chrono::milliseconds(20));
    log.write(e);
    std::string text;
    for (int i = 0; i < 500 && text.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      text = test::text_of(f);
    }
    CHECK(lines_of(text).size() == 1);
    e.target = "/last";
    log.write(e);
  }
  const auto lines = lines_of(test::text_of(f));
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].find("\"/last\"") != std::string::npos);
  std::fclose(f);
}
