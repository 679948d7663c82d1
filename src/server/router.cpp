#include "server/router.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace minqing::server {

std::string_view PathParams::at(std::string_view name) const {
  if (auto v = find(name)) return *v;
  throw std::out_of_range("route has no path parameter {" + std::string(name) + "}");
}

std::optional<std::string_view> PathParams::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < m_count; ++i) {
    const std::string_view k = m_items[i].first;
    // Lengths and first characters before the whole names: most names are one or a few letters
    // (a one-letter name is then found), and a call to memcmp per name was most of a lookup.
    if (k.size() != name.size() || (!k.empty() && k.front() != name.front())) continue;
    if (k.size() == 1 || k == name) return i == m_rest_index ? std::string_view(m_rest) : m_items[i].second;
  }
  return std::nullopt;
}

std::vector<Router::Segment> Router::parse_pattern(std::string_view pattern) {
  const auto fail = [&](const std::string& why) {
    throw std::invalid_argument("route pattern \"" + std::string(pattern) + "\": " + why);
  };
  if (pattern.empty() || pattern.front() != '/') fail("must start with '/'");
  std::vector<Segment> out;
  std::vector<std::string> names;
  std::string_view rest = pattern.substr(1);
  while (pattern != "/") {
    const auto slash = rest.find('/');
    const std::string_view text = rest.substr(0, slash);
    Segment seg;
    const auto open = text.find('{');
    const auto close = text.find('}');
    if (open == std::string_view::npos && close == std::string_view::npos) {
      seg.text = std::string(text);
    } else {
      if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
          text.find('{', open + 1) != std::string_view::npos ||
          text.find('}', close + 1) != std::string_view::npos) {
        fail("a segment holds at most one {parameter}");
      }
      seg.prefix = std::string(text.substr(0, open));
      seg.suffix = std::string(text.substr(close + 1));
      seg.text = std::string(text.substr(open + 1, close - open - 1));
      seg.kind = Segment::Kind::param;
      if (!seg.text.empty() && seg.text.back() == '*') {
        seg.text.pop_back();
        seg.kind = Segment::Kind::rest;
        if (slash != std::string_view::npos) fail("{" + seg.text + "*} must be the last segment");
        if (!seg.prefix.empty() || !seg.suffix.empty())
          fail("{" + seg.text + "*} must be a whole segment");
      }
      if (seg.text.empty()) fail("empty parameter name");
      if (std::find(names.begin(), names.end(), seg.text) != names.end())
        fail("duplicate parameter " + seg.text);
      if (names.size() == PathParams::kMaxParams) fail("more parameters than PathParams holds");
      names.push_back(seg.text);
    }
    out.push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

void Router::add(http::verb method, std::string_view pattern, Handler handler, Pace pace) {
  if (!handler) throw std::invalid_argument("route " + std::string(pattern) + ": empty handler");
  Route route{method, std::string(pattern), parse_pattern(pattern), std::move(handler), pace};
  for (const auto& r : m_routes) {
    if (r.method == method && r.pattern == pattern) {
      throw std::invalid_argument("route " + std::string(http::to_string(method)) + " " +
                                  route.pattern + " registered twice");
    }
  }
  const std::size_t index = m_routes.size();
  if (!route.segments.empty() && route.segments.front().kind == Segment::Kind::literal) {
    const std::string& first = route.segments.front().text;
    auto it = std::find_if(m_by_first_literal.begin(), m_by_first_literal.end(),
                           [&](const auto& entry) { return entry.first == first; });
    if (it == m_by_first_literal.end()) it = m_by_first_literal.insert(m_by_first_literal.end(), {first, {}});
    it->second.push_back(index);
  } else {
    m_open_first.push_back(index);
  }
  m_routes.push_back(std::move(route));
}

bool Router::match_route(const Route& route, const std::vector<std::string>& segments,
                         PathParams* params) {
  const auto& pattern = route.segments;
  const bool has_rest = !pattern.empty() && pattern.back().kind == Segment::Kind::rest;
  const std::size_t fixed = has_rest ? pattern.size() - 1 : pattern.size();
  if (has_rest ? segments.size() < fixed : segments.size() != fixed) return false;
  for (std::size_t i = 0; i < fixed; ++i) {
    const Segment& p = pattern[i];
    const std::string& s = segments[i];
    if (p.kind == Segment::Kind::literal) {
      if (s != p.text) return false;
      continue;
    }
    if (s.size() <= p.prefix.size() + p.suffix.size()) return false;  // the parameter is non-empty
    if (s.compare(0, p.prefix.size(), p.prefix) != 0) return false;
    if (s.compare(s.size() - p.suffix.size(), p.suffix.size(), p.suffix) != 0) return false;
  }
  // The path matches; its parameters are copied out only when asked for (match() tries its
  // candidate routes without, then copies the chosen one's).
  if (!params) return true;
  PathParams found;
  for (std::size_t i = 0; i < fixed; ++i) {
    const Segment& p = pattern[i];
    if (p.kind == Segment::Kind::literal) continue;
    const std::string_view s = segments[i];
    found.add(p.text, s.substr(p.prefix.size(), s.size() - p.prefix.size() - p.suffix.size()));
  }
  if (has_rest) {
    std::string joined;
    for (std::size_t i = fixed; i < segments.size(); ++i) {
      if (i > fixed) joined += '/';
      joined += segments[i];
    }
    found.add_rest(pattern.back().text, std::move(joined));
  }
  *params = std::move(found);
  return true;
}

Router::Match Router::match(http::verb method, const std::vector<std::string>& segments) const {
  Match m;
  const Route* chosen = nullptr;
  const Route* get_fallback = nullptr;
  // Only the routes whose first segment can match, merged in registration order (the first
  // route registered for a method wins, as when every route was tried).
  static const std::vector<std::size_t> kNone;
  const std::vector<std::size_t>* literal = &kNone;
  if (!segments.empty()) {
    for (const auto& [first, indices] : m_by_first_literal) {
      if (first == segments.front()) {
        literal = &indices;
        break;
      }
    }
  }
  // The distinct methods of the matching routes, for a 405 (there are fewer verbs than this).
  std::array<http::verb, 48> allowed;
  std::size_t n_allowed = 0;
  std::size_t a = 0, b = 0;
  while (a < literal->size() || b < m_open_first.size()) {
    const bool take_literal =
        b == m_open_first.size() || (a < literal->size() && (*literal)[a] < m_open_first[b]);
    const Route& r = m_routes[take_literal ? (*literal)[a++] : m_open_first[b++]];
    // A route of the method is matched with its parameters at once: the first that matches wins,
    // so they are not matched a second time (a route of another method fills nothing).
    if (!match_route(r, segments, r.method == method ? &m.params : nullptr)) continue;
    m.path_known = true;
    if (std::find(allowed.begin(), allowed.begin() + n_allowed, r.method) == allowed.begin() + n_allowed &&
        n_allowed < allowed.size()) {
      allowed[n_allowed++] = r.method;
    }
    if (!get_fallback && r.method == http::verb::get) get_fallback = &r;
    if (r.method == method) {
      // The first route for the method wins; the later ones only fill the Allow header of a 405.
      chosen = &r;
      break;
    }
  }
  if (!chosen && method == http::verb::head && get_fallback) {
    chosen = get_fallback;
    match_route(*chosen, segments, &m.params);
  }
  if (chosen) {
    m.handler = &chosen->handler;
    m.pace = chosen->pace;
    return m;
  }
  m.allowed.assign(allowed.begin(), allowed.begin() + n_allowed);
  if (get_fallback && std::find(m.allowed.begin(), m.allowed.end(), http::verb::head) == m.allowed.end()) {
    m.allowed.push_back(http::verb::head);
  }
  return m;
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(m_routes.size());
  for (const auto& r : m_routes) out.push_back({r.method, r.pattern, r.pace});
  return out;
}

std::string Router::allow_header(const std::vector<http::verb>& methods) {
  std::vector<std::string> names;
  for (const auto v : methods) names.emplace_back(http::to_string(v));
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace minqing::server
