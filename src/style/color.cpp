#include "style/color.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace minqing::style {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Color> parse_hex(std::string_view h) {
  for (char c : h) {
    if (hex_digit(c) < 0) return std::nullopt;
  }
  auto d = [&](std::size_t i) { return hex_digit(h[i]); };
  if (h.size() == 3 || h.size() == 4) {
    Color c{d(0) * 17 / 255.0, d(1) * 17 / 255.0, d(2) * 17 / 255.0, 1};
    if (h.size() == 4) c.a = d(3) * 17 / 255.0;
    return c;
  }
  if (h.size() == 6 || h.size() == 8) {
    auto byte = [&](std::size_t i) { return (d(i) * 16 + d(i + 1)) / 255.0; };
    Color c{byte(0), byte(2), byte(4), 1};
    if (h.size() == 8) c.a = byte(6);
    return c;
  }
  return std::nullopt;
}

// Splits "a, b ,c" into trimmed parts.
std::vector<std::string> split_args(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// A number, optionally with a trailing '%' when `percent_ok`; percent values are returned /100.
std::optional<double> parse_number(const std::string& s, bool percent_ok, bool* was_percent = nullptr) {
  if (s.empty()) return std::nullopt;
  std::string body = s;
  bool pct = false;
  if (body.back() == '%') {
    if (!percent_ok) return std::nullopt;
    pct = true;
    body.pop_back();
  }
  if (body.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(body.c_str(), &end);
  if (end != body.c_str() + body.size() || !std::isfinite(v)) return std::nullopt;
  if (was_percent) *was_percent = pct;
  return pct ? v / 100.0 : v;
}

double hue_to_rgb(double p, double q, double t) {
  if (t < 0) t += 1;
  if (t > 1) t -= 1;
  if (t < 1.0 / 6) return p + (q - p) * 6 * t;
  if (t < 1.0 / 2) return q;
  if (t < 2.0 / 3) return p + (q - p) * (2.0 / 3 - t) * 6;
  return p;
}

struct Named {
  const char* name;
  const char* hex;
};
constexpr std::array<Named, 18> kNamed{{{"black", "000000"},
                                        {"silver", "c0c0c0"},
                                        {"gray", "808080"},
                                        {"grey", "808080"},
                                        {"white", "ffffff"},
                                        {"maroon", "800000"},
                                        {"red", "ff0000"},
                                        {"purple", "800080"},
                                        {"fuchsia", "ff00ff"},
                                        {"green", "008000"},
                                        {"lime", "00ff00"},
                                        {"olive", "808000"},
                                        {"yellow", "ffff00"},
                                        {"navy", "000080"},
                                        {"blue", "0000ff"},
                                        {"teal", "008080"},
                                        {"aqua", "00ffff"},
                                        {"orange", "ffa500"}}};

}  // namespace

std::optional<Color> parse_color(std::string_view text) {
  std::string s;
  for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  if (s.empty()) return std::nullopt;
  if (s[0] == '#') return parse_hex(std::string_view(s).substr(1));
  if (s == "transparent") return Color{0, 0, 0, 0};
  for (const auto& n : kNamed) {
    if (s == n.name) return parse_hex(n.hex);
  }
  const auto open = s.find('(');
  if (open == std::string::npos || s.back() != ')') return std::nullopt;
  const std::string fn = s.substr(0, open);
  const auto args = split_args(std::string_view(s).substr(open + 1, s.size() - open - 2));
  const bool has_alpha = fn == "rgba" || fn == "hsla";
  if (args.size() != (has_alpha ? 4u : 3u)) return std::nullopt;
  double alpha = 1;
  if (has_alpha) {
    auto a = parse_number(args[3], true);
    if (!a || *a < 0 || *a > 1) return std::nullopt;
    alpha = *a;
  }
  if (fn == "rgb" || fn == "rgba") {
    Color c{0, 0, 0, alpha};
    double* ch[3] = {&c.r, &c.g, &c.b};
    for (int i = 0; i < 3; ++i) {
      bool pct = false;
      auto v = parse_number(args[static_cast<std::size_t>(i)], true, &pct);
      if (!v) return std::nullopt;
      const double x = pct ? *v : *v / 255.0;
      if (x < 0 || x > 1) return std::nullopt;
      *ch[i] = x;
    }
    return c;
  }
  if (fn == "hsl" || fn == "hsla") {
    auto h = parse_number(args[0], false);
    auto sat = parse_number(args[1], true);
    auto lig = parse_number(args[2], true);
    if (!h || !sat || !lig || *sat < 0 || *sat > 1 || *lig < 0 || *lig > 1) return std::nullopt;
    const double hh = std::fmod(std::fmod(*h, 360.0) + 360.0, 360.0) / 360.0;
    const double l = *lig, sa = *sat;
    if (sa == 0) return Color{l, l, l, alpha};
    const double q = l < 0.5 ? l * (1 + sa) : l + sa - l * sa;
    const double p = 2 * l - q;
    return Color{hue_to_rgb(p, q, hh + 1.0 / 3), hue_to_rgb(p, q, hh), hue_to_rgb(p, q, hh - 1.0 / 3), alpha};
  }
  return std::nullopt;
}

std::string to_string(const Color& c) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "rgba(%d,%d,%d,%.3g)", static_cast<int>(std::lround(c.r * 255)),
                static_cast<int>(std::lround(c.g * 255)), static_cast<int>(std::lround(c.b * 255)), c.a);
  return buf;
}

Color mix(const Color& from, const Color& to, double t) noexcept {
  t = std::clamp(t, 0.0, 1.0);
  return {from.r + (to.r - from.r) * t, from.g + (to.g - from.g) * t, from.b + (to.b - from.b) * t,
          from.a + (to.a - from.a) * t};
}

}  // namespace minqing::style
