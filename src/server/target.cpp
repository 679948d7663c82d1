#include "server/target.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace minqing::server {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space, std::string_view what) {
  // Most segments and parameters have nothing to decode: copied whole (every request's path goes
  // through here).
  // (A plain loop: string_view::find_first_of searches the set for each character, ~10 times the
  // instructions.)
  bool plain = true;
  for (const char c : text) {
    if (c == '%' || c == '\0' || (c == '+' && plus_is_space)) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      const bool complete = i + 2 < text.size();
      const int hi = complete ? hex_value(text[i + 1]) : -1;
      const int lo = complete ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) throw RequestError(std::string(what) + ": malformed percent escape");
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') throw RequestError(std::string(what) + ": contains a NUL character");
    out += c;
  }
  return out;
}

Query::Query(std::string_view raw) {
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq), true, "query parameter name");
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : percent_decode(pair.substr(eq + 1), true, "query parameter " + name);
    m_items.emplace_back(std::move(name), std::move(value));
  }
}

std::optional<std::string_view> Query::get(std::string_view name) const noexcept {
  for (const auto& [k, v] : m_items) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

Target parse_target(std::string_view target) {
  Target t;
  parse_target_into(target, t);
  return t;
}

void parse_target_into(std::string_view target, Target& t) {
  t.path = {};
  t.segments.clear();
  if (target.empty() || target.front() != '/') {
    throw RequestError("request target must start with '/'");
  }
  if (target.find('\0') != std::string_view::npos) {
    throw RequestError("request target contains a NUL character");
  }
  const auto q = target.find('?');
  t.path = target.substr(0, q);
  const std::string_view rest = t.path.substr(1);
  // "/" has no segments; "/a/" has {"a", ""}: a trailing slash is a distinct (usually unrouted)
  // path.
  if (t.path != "/") {
    t.segments.reserve(8);  // room for most paths without counting their slashes first
    // One pass finds each segment's end and whether it holds an escape to decode (a NUL was
    // refused above): a search for '/' and another for '%' per segment were ~a tenth of a cached
    // tile's request handling (issue 12).
    std::size_t start = 0;
    bool escaped = false;
    for (std::size_t i = 0;; ++i) {
      if (i < rest.size() && rest[i] != '/') {
        escaped |= rest[i] == '%';
        continue;
      }
      const std::string_view raw = rest.substr(start, i - start);
      const std::string& segment =
          t.segments.emplace_back(escaped ? percent_decode(raw, false, "request path") : std::string(raw));
      if (segment == "." || segment == "..") {
        throw RequestError("request path must not contain '.' or '..' segments");
      }
      if (i == rest.size()) break;
      start = i + 1;
      escaped = false;
    }
  }
  t.query = q != std::string_view::npos ? Query(target.substr(q + 1)) : Query();
}

}  // namespace minqing::server
