#include "server/simple_request.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

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

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Whether every byte of `s` is visible ASCII or a space — or, with `tab`, a tab too. Eight bytes
// at a time: a word with no byte below 0x20 and none above 0x7e is all fine ("hasless"/"hasmore",
// Sean Anderson's bit hacks, which never miss such a byte); any other word is checked byte by
// byte. A byte at a time was ~8 instructions a byte, most of this reader's cost.
bool all_text(std::string_view s, bool tab) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const char* p = s.data();
  const char* const end = p + s.size();
  for (; end - p >= 8; p += 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t below = (x - kOnes * 0x20) & ~x & kHigh;
    const std::uint64_t above = ((x + kOnes * (127 - 0x7e)) | x) & kHigh;
    if ((below | above) != 0) break;
  }
  for (; p < end; ++p) {
    const char c = *p;
    if ((c < 0x20 || c > 0x7e) && !(tab && c == '\t')) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next line of [p, end) without its CRLF, and p moved past it; nullopt when no CR is left or
// the CR is not followed by LF.
std::optional<std::string_view> next_line(const char*& p, const char* end) {
  const void* cr = std::memchr(p, '\r', static_cast<std::size_t>(end - p));
  if (cr == nullptr) return std::nullopt;
  const char* const at = static_cast<const char*>(cr);
  if (end - at < 2 || at[1] != '\n') return std::nullopt;
  const std::string_view line(p, static_cast<std::size_t>(at - p));
  p = at + 2;
  return line;
}

}  // namespace

std::size_t parse_simple_request(std::string_view bytes, std::size_t header_limit, Request& out) {
  // Beast looks for the head's end within header_limit bytes; one fewer here, so that at the
  // boundary Beast decides.
  const std::size_t window = header_limit == 0 ? 0 : std::min(bytes.size(), header_limit - 1);
  const char* p = bytes.data();
  const char* const end = p + window;

  // The request line: "GET " or "HEAD ", a target of visible characters, " HTTP/1.1".
  const auto request_line = next_line(p, end);
  if (!request_line) return 0;
  std::string_view line = *request_line;
  http::verb method;
  if (line.substr(0, 4) == "GET ") {
    method = http::verb::get;
    line.remove_prefix(4);
  } else if (line.substr(0, 5) == "HEAD ") {
    method = http::verb::head;
    line.remove_prefix(5);
  } else {
    return 0;
  }
  constexpr std::string_view kVersion = " HTTP/1.1";
  if (line.size() <= kVersion.size() || line.substr(line.size() - kVersion.size()) != kVersion) return 0;
  const std::string_view target = line.substr(0, line.size() - kVersion.size());
  if (!all_text(target, false) || target.find(' ') != std::string_view::npos) return 0;

  Request request;
  request.method(method);
  request.target(boost::beast::string_view(target.data(), target.size()));
  request.version(11);
  // Fields: a token, a colon, a value of text (spaces and tabs around it dropped, as Beast does).
  for (;;) {
    const auto field_line = next_line(p, end);
    if (!field_line) return 0;
    if (field_line->empty()) break;  // the blank line that ends the head
    const std::size_t colon = field_line->find(':');
    if (colon == 0 || colon == std::string_view::npos) return 0;
    const std::string_view name = field_line->substr(0, colon);
    for (const char c : name) {
      if (!is_token(c)) return 0;  // also a folded line, which starts with SP
    }
    const std::string_view raw_value = field_line->substr(colon + 1);
    if (!all_text(raw_value, true)) return 0;
    const std::string_view value = trim(raw_value);
    // A body: its framing is Beast's to read.
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) return 0;
    // Beast checks these two as token lists: take only the two values clients send.
    if ((iequals(name, "connection") || iequals(name, "proxy-connection")) && !iequals(value, "keep-alive") &&
        !iequals(value, "close")) {
      return 0;
    }
    const boost::beast::string_view beast_name(name.data(), name.size());
    request.insert(http::string_to_field(beast_name), beast_name,
                   boost::beast::string_view(value.data(), value.size()));
  }
  out = std::move(request);
  return static_cast<std::size_t>(p - bytes.data());
}

}  // namespace minqing::server
