#include "server/simple_request.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace minqing::server {

namespace {

// RFC 9110 tchar: the characters of a field name (Beast's token table).
constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kToken = make_token_table();

bool is_token(char c) { return kToken[static_cast<unsigned char>(c)]; }
// A target's characters: visible ASCII. Beast takes obs-text too; such a request goes to it.
bool is_target_char(char c) { return c > 0x20 && c < 0x7f; }
// A field value's characters: visible ASCII, space and tab. Beast takes obs-text too.
bool is_value_char(char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool starts_with(const char* p, const char* end, std::string_view s) {
  return static_cast<std::size_t>(end - p) >= s.size() && std::memcmp(p, s.data(), s.size()) == 0;
}

}  // namespace

std::size_t parse_simple_request(std::string_view bytes, std::size_t header_limit, Request& out) {
  // Beast looks for the head's end within header_limit bytes; one fewer here, so that at the
  // boundary Beast decides.
  const std::size_t window = header_limit == 0 ? 0 : std::min(bytes.size(), header_limit - 1);
  const char* p = bytes.data();
  const char* const end = p + window;

  http::verb method;
  if (starts_with(p, end, "GET ")) {
    method = http::verb::get;
    p += 4;
  } else if (starts_with(p, end, "HEAD ")) {
    method = http::verb::head;
    p += 5;
  } else {
    return 0;
  }
  const char* const target = p;
  while (p < end && is_target_char(*p)) ++p;
  if (p == target) return 0;
  const std::string_view target_text(target, static_cast<std::size_t>(p - target));
  if (!starts_with(p, end, " HTTP/1.1\r\n")) return 0;
  p += 11;

  Request request;
  request.method(method);
  request.target(boost::beast::string_view(target_text.data(), target_text.size()));
  request.version(11);
  for (;;) {
    if (end - p < 2) return 0;
    if (p[0] == '\r') {
      if (p[1] != '\n') return 0;
      p += 2;
      break;
    }
    const char* const name = p;
    while (p < end && is_token(*p)) ++p;
    if (p == name || p == end || *p != ':') return 0;  // also a folded line, which starts with SP
    const std::string_view name_text(name, static_cast<std::size_t>(p - name));
    // A body: its framing is Beast's to read.
    if (iequals(name_text, "content-length") || iequals(name_text, "transfer-encoding")) return 0;
    ++p;
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    const char* const value = p;
    while (p < end && is_value_char(*p)) ++p;
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return 0;
    const char* value_end = p;
    while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
    const std::string_view value_text(value, static_cast<std::size_t>(value_end - value));
    // Beast checks these two as token lists: take only the two values clients send.
    if ((iequals(name_text, "connection") || iequals(name_text, "proxy-connection")) &&
        !iequals(value_text, "keep-alive") && !iequals(value_text, "close")) {
      return 0;
    }
    const boost::beast::string_view beast_name(name_text.data(), name_text.size());
    request.insert(http::string_to_field(beast_name), beast_name,
                   boost::beast::string_view(value_text.data(), value_text.size()));
    p += 2;
  }
  out = std::move(request);
  return static_cast<std::size_t>(p - bytes.data());
}

}  // namespace minqing::server
