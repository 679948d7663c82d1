#include "server/point_query_params.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/error.hpp"
#include "geo/tile.hpp"

namespace minqing::server {

namespace {

constexpr std::size_t kMaxValueBytes = 1024;
constexpr double kMaxMercatorLat = 85.05112877980659;

std::string shown(std::string_view s) {
  return s.size() <= 64 ? std::string(s) : std::string(s.substr(0, 64)) + "…";
}

bool is_name(std::string_view s) noexcept {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

void check_point_query_params(const RequestContext& ctx, std::initializer_list<std::string_view> known) {
  const auto& items = ctx.target.query.items();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& [k, v] = items[i];
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      throw RequestError("unknown parameter '" + shown(k) + "'");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (items[j].first == k) throw RequestError("parameter " + k + ": given more than once");
    }
    if (v.size() > kMaxValueBytes) {
      throw RequestError("parameter " + k + ": longer than " + std::to_string(kMaxValueBytes) + " bytes");
    }
  }
}

std::optional<double> number_param(const RequestContext& ctx, std::string_view name, double min, double max) {
  const auto text = ctx.query(name);
  if (!text) return std::nullopt;
  double v = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  // from_chars takes "nan" and "inf" and reports 1e999 as out of range; all three are refused.
  if (text->empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
    throw RequestError("parameter " + std::string(name) + ": '" + shown(*text) + "' is not a number");
  }
  if (v < min || v > max) {
    char range[96];
    std::snprintf(range, sizeof range, "%g…%g", min, max);
    throw RequestError("parameter " + std::string(name) + ": " + shown(*text) + " is outside " + range);
  }
  return v;
}

double required_number_param(const RequestContext& ctx, std::string_view name, double min, double max) {
  if (auto v = number_param(ctx, name, min, max)) return *v;
  throw RequestError("parameter " + std::string(name) + ": required");
}

PointParam point_param(const RequestContext& ctx) {
  PointParam p;
  p.lon = required_number_param(ctx, "lon", -180, 180);
  p.lat = required_number_param(ctx, "lat", -kMaxMercatorLat, kMaxMercatorLat);
  p.mercator = geo::lonlat_to_mercator({p.lon, p.lat});
  return p;
}

std::size_t limit_param(const RequestContext& ctx, std::size_t fallback, std::size_t max) {
  const auto text = ctx.query("limit");
  if (!text) return fallback;
  const bool digits = !text->empty() && std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
  std::size_t v = 0;
  const auto [ptr, ec] = digits ? std::from_chars(text->data(), text->data() + text->size(), v)
                                : std::from_chars_result{text->data(), std::errc::invalid_argument};
  if (digits && ec == std::errc::result_out_of_range) return max;
  if (!digits || ec != std::errc() || v < 1) {
    throw RequestError("parameter limit: '" + shown(*text) + "' is not an integer >= 1");
  }
  return std::min(v, max);
}

std::optional<std::string> name_param(const RequestContext& ctx, std::string_view name) {
  const auto text = ctx.query(name);
  if (!text) return std::nullopt;
  if (!is_name(*text)) throw RequestError("parameter " + std::string(name) + ": '" + shown(*text) + "' is not a name");
  return std::string(*text);
}

std::optional<std::vector<std::string>> name_list_param(const RequestContext& ctx, std::string_view name) {
  const auto text = ctx.query(name);
  if (!text) return std::nullopt;
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = text->find(',', pos);
    const std::string_view part = text->substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (!is_name(part)) throw RequestError("parameter " + std::string(name) + ": '" + shown(part) + "' is not a name");
    if (std::find(out.begin(), out.end(), part) == out.end()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace minqing::server
