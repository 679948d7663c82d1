// parse_simple_request reads a request head without Beast's parser (issue 12, session 13). It must
// take only what Beast takes and build the identical message: every request it takes is parsed
// here by Beast too, from the same bytes, and the two messages compared field by field. Requests it
// must decline (a body, HTTP/1.0, folding, control characters, a head past the limit) are checked
// to be declined, so that Beast answers them as before.

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <boost/beast/http/parser.hpp>

#include "server/simple_request.hpp"

using namespace minqing::server;

namespace {

constexpr std::size_t kLimit = 8 * 1024;

// What Beast makes of `bytes`: the message and the bytes its head took, or nothing when it does
// not parse a complete head from them.
struct BeastResult {
  bool complete = false;
  std::size_t used = 0;
  Request message;
};

BeastResult parse_with_beast(const std::string& bytes, std::size_t header_limit = kLimit) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  parser.eager(true);
  BeastResult r;
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) break;
    if (ec) return r;
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) return r;
  r.complete = true;
  r.used = used;
  r.message = parser.release();
  return r;
}

std::vector<std::pair<std::string, std::string>> fields_of(const Request& req) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : req) out.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}

// When the simple parser takes `bytes`, Beast takes them too, to the same message and length.
// Returns whether the simple parser took them.
bool taken_as_beast_takes(const std::string& bytes, std::size_t header_limit = kLimit) {
  Request simple;
  const std::size_t n = parse_simple_request(bytes, header_limit, simple);
  if (n == 0) return false;
  const BeastResult beast = parse_with_beast(bytes, header_limit);
  INFO("request: " << bytes);
  REQUIRE(beast.complete);
  CHECK(beast.used == n);
  CHECK(simple.method() == beast.message.method());
  CHECK(simple.method_string() == beast.message.method_string());
  CHECK(simple.target() == beast.message.target());
  CHECK(simple.version() == beast.message.version());
  CHECK(fields_of(simple) == fields_of(beast.message));
  CHECK(simple.keep_alive() == beast.message.keep_alive());
  CHECK(simple.body() == beast.message.body());
  CHECK(simple.has_content_length() == beast.message.has_content_length());
  CHECK(simple.chunked() == beast.message.chunked());
  return true;
}

const std::string kTile =
    "GET /tiles/terrain/17/108929/54686.png HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Authorization: Bearer 6f1c0a5e9b2d4c7f8a3e1b0d9c8f7a6e5d4c3b2a\r\n"
    "\r\n";

}  // namespace

TEST_CASE("a browser's or a tile client's plain request is read without Beast's parser, as Beast reads it",
          "[server][http]") {
  const std::vector<std::string> taken = {
      kTile,
      "GET / HTTP/1.1\r\n\r\n",
      "HEAD /tiles/terrain/14/13616/6831.png HTTP/1.1\r\nHost: x\r\n\r\n",
      // A browser's: many fields, a cookie, spaces and tabs around values, an empty value.
      "GET /tiles/terrain,key_persons/16/54464/27343@2x.png?v=3 HTTP/1.1\r\n"
      "Host: minqing.local\r\n"
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)\r\n"
      "Accept: image/avif,image/webp,image/apng,image/*,*/*;q=0.8\r\n"
      "Accept-Encoding: gzip, deflate, br\r\n"
      "Accept-Language: zh-CN,zh;q=0.9\r\n"
      "Cookie: minqing_session=abc; theme=dark\r\n"
      "If-None-Match: \"c14020c94c7092d7\"\r\n"
      "X-Empty:\r\n"
      "X-Spaces: \t padded value \t \r\n"
      "Connection: keep-alive\r\n"
      "\r\n",
      "GET /api/me HTTP/1.1\r\nConnection: close\r\n\r\n",
      "GET /x HTTP/1.1\r\nconnection: CLOSE\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET http://example.org/tiles/a?b=c#d HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\nx-custom-Field: 1\r\n\r\n",
      // What follows the head is the next request: it is not read as a body.
      kTile + "GET /next HTTP/1.1\r\n\r\n",
      "GET /a HTTP/1.1\r\n!#$%&'*+-.^_`|~09azAZ: ok\r\n\r\n",
  };
  for (const auto& bytes : taken) CHECK(taken_as_beast_takes(bytes));
}

TEST_CASE("a request the simple reader must not take is left to Beast's parser", "[server][http]") {
  const std::vector<std::string> declined = {
      "POST /api/login HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
      "GET /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n",           // a body's framing: Beast's
      "GET /a HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello",
      "GET /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET /a HTTP/1.0\r\n\r\n",                                   // HTTP/1.0 keeps its own rules
      "GET /a HTTP/2.0\r\n\r\n",
      "get /a HTTP/1.1\r\n\r\n",
      "DELETE /a HTTP/1.1\r\n\r\n",
      "GET  /a HTTP/1.1\r\n\r\n",
      "GET /a  HTTP/1.1\r\n\r\n",
      "GET /a HTTP/1.1\n\n",                                       // bare LF
      "GET /a HTTP/1.1\r\nHost: a\n\r\n",
      "GET /a HTTP/1.1\r\nX: folded\r\n continued\r\n\r\n",        // obs-fold
      "GET /a HTTP/1.1\r\nX : a\r\n\r\n",                          // space before the colon
      "GET /a HTTP/1.1\r\nConnection: /close\r\n\r\n",               // Beast checks it as a token list
      "GET /a HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n",       // …a list: Beast's to read
      "GET /a HTTP/1.1\r\nProxy-Connection: a b\r\n\r\n",
      "GET /a HTTP/1.1\r\n: a\r\n\r\n",                            // empty name
      "GET /a HTTP/1.1\r\nX: a\x01z\r\n\r\n",                      // a control character
      "GET /a HTTP/1.1\r\nX: a\x7fz\r\n\r\n",
      "GET /a HTTP/1.1\r\nX: \xe6\xb0\x91\r\n\r\n",                // obs-text: Beast decides
      "GET /\xe6\xb0\x91 HTTP/1.1\r\n\r\n",
      "GET /a\x7f HTTP/1.1\r\n\r\n",
      "GET /a HTTP/1.1\r\nHost: a\r\n",                            // not complete yet
      "GET /a HTTP/1.1\r\nHost: a\r\n\r",
      "GET /a HTTP/1.1",
      "",
      "\r\nGET /a HTTP/1.1\r\n\r\n",
  };
  for (const auto& bytes : declined) {
    Request out;
    out.target("/unchanged");
    INFO("request: " << bytes);
    CHECK(parse_simple_request(bytes, kLimit, out) == 0);
    CHECK(out.target() == "/unchanged");
  }

  // One bad byte anywhere in a long value or target — the reader checks eight bytes at a time — is
  // found; a tab in a value is text.
  for (std::size_t at = 0; at < 40; ++at) {
    for (const char bad : {'\x01', '\x1f', '\x7f', '\x80', '\xff', '\n', '\0'}) {
      std::string value(40, 'v');
      value[at] = bad;
      Request out;
      INFO("bad byte " << int(static_cast<unsigned char>(bad)) << " at " << at);
      CHECK(parse_simple_request("GET /a HTTP/1.1\r\nX: " + value + "w\r\n\r\n", kLimit, out) == 0);
      std::string target = "/" + std::string(40, 't');
      target[at + 1] = bad;
      CHECK(parse_simple_request("GET " + target + " HTTP/1.1\r\n\r\n", kLimit, out) == 0);
    }
    std::string value(40, 'v');
    value[at] = '\t';
    CHECK(taken_as_beast_takes("GET /a HTTP/1.1\r\nX: " + value + "w\r\n\r\n"));
  }

  // A head at or past the limit: Beast answers it (431).
  const std::string big = "GET /a HTTP/1.1\r\nX: " + std::string(kLimit, 'a') + "\r\n\r\n";
  Request out;
  CHECK(parse_simple_request(big, kLimit, out) == 0);
  const std::string head = "GET /a HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n";
  CHECK(parse_simple_request(head, head.size(), out) == 0);
  CHECK(parse_simple_request(head, head.size() + 1, out) == head.size());
  CHECK(taken_as_beast_takes(head, head.size() + 1));
}

TEST_CASE("randomly damaged requests: whatever the simple reader takes, Beast takes to the same message",
          "[server][http]") {
  const std::vector<std::string> seeds = {
      kTile,
      "HEAD /a?b=c HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX: \t v \r\n\r\n",
      "GET /tiles/terrain/14/1/2.png HTTP/1.1\r\nCookie: s=1\r\nContent-Length: 0\r\n\r\n",
      "GET /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET /b HTTP/1.1\r\nConnection: keep-alive\r\nProxy-Connection: close\r\nUpgrade: x\r\n\r\n",
  };
  // Bytes a damaged request is made of: the syntax's own, and some it must refuse.
  const std::string alphabet = std::string("GETHADP/1. \r\n\t:;,=?&%-_aZ09\"'()") + '\0' + "\x01\x7f\x80\xff";
  std::mt19937 random(20261202);
  int taken = 0;
  constexpr int kRounds = 40'000;
  for (int i = 0; i < kRounds; ++i) {
    std::string bytes = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const std::size_t at = random() % bytes.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0: bytes[at] = c; break;
        case 1: bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: bytes.erase(at, 1); break;
      }
    }
    if (taken_as_beast_takes(bytes)) ++taken;
  }
  // The check above only bites on requests that were taken: many must be.
  CHECK(taken > kRounds / 10);
}
