#include "server/query_params.hpp"

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

void check_query_params(const RequestContext& ctx, std::initializer_list<std::string_view> known) {
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

PointParam parse_lonlat(std::string_view value, std::string_view name) {
  const auto bad = [&](const std::string& why) {
    return RequestError("parameter " + std::string(name) + ": '" + shown(value) + "' " + why);
  };
  const auto comma = value.find(',');
  if (comma == std::string_view::npos) throw bad("is not lon,lat");
  double v[2] = {0, 0};
  const std::string_view parts[2] = {value.substr(0, comma), value.substr(comma + 1)};
  for (int i = 0; i < 2; ++i) {
    const char* end = parts[i].data() + parts[i].size();
    const auto [ptr, ec] = std::from_chars(parts[i].data(), end, v[i]);
    if (parts[i].empty() || ec != std::errc() || ptr != end || !std::isfinite(v[i])) throw bad("is not lon,lat");
  }
  if (v[0] < -180 || v[0] > 180 || v[1] < -kMaxMercatorLat || v[1] > kMaxMercatorLat) {
    throw bad("is outside -180…180, -85.0511…85.0511 (CRS84 longitude, latitude)");
  }
  PointParam p;
  p.lon = v[0];
  p.lat = v[1];
  p.mercator = geo::lonlat_to_mercator({p.lon, p.lat});
  return p;
}

std::optional<PointParam> lonlat_param(const RequestContext& ctx, std::string_view name) {
  const auto text = ctx.query(name);
  if (!text) return std::nullopt;
  return parse_lonlat(*text, name);
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

std::size_t offset_param(const RequestContext& ctx) {
  const auto text = ctx.query("offset");
  if (!text) return 0;
  const bool digits = !text->empty() && std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
  std::size_t v = 0;
  const auto [ptr, ec] = digits ? std::from_chars(text->data(), text->data() + text->size(), v)
                                : std::from_chars_result{text->data(), std::errc::invalid_argument};
  if (digits && ec == std::errc::result_out_of_range) return SIZE_MAX;
  if (!digits || ec != std::errc()) throw RequestError("parameter offset: '" + shown(*text) + "' is not an integer >= 0");
  return v;
}

std::optional<geo::BBox> bbox_param(const RequestContext& ctx, std::string_view name, bool allow_3d) {
  const auto text = ctx.query(name);
  if (!text) return std::nullopt;
  const std::string what = "parameter " + std::string(name) + ": ";
  std::vector<double> v;
  std::size_t pos = 0;
  while (v.size() <= 6) {
    const std::size_t comma = text->find(',', pos);
    const std::string_view part = text->substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    double d = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), d);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || !std::isfinite(d)) {
      throw RequestError(what + "'" + shown(part) + "' is not a number");
    }
    v.push_back(d);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (v.size() != 4 && !(allow_3d && v.size() == 6)) {
    throw RequestError(what + (allow_3d ? "needs 4 (or 6) comma-separated numbers" : "needs 4 comma-separated numbers"));
  }
  const std::size_t half = v.size() / 2;
  const geo::BBox b{v[0], v[1], v[half], v[half + 1]};
  if (b.min_x > b.max_x || b.min_y > b.max_y) {
    throw RequestError(what + "lower corner above upper corner (antimeridian boxes are not supported)");
  }
  return b;
}

std::optional<geo::BBox> lonlat_bbox_param(const RequestContext& ctx, std::string_view name) {
  auto b = bbox_param(ctx, name, false);
  if (b && (b->min_x < -180 || b->max_x > 180 || b->min_y < -90 || b->max_y > 90)) {
    throw RequestError("parameter " + std::string(name) + ": outside -180,-90,180,90 (CRS84 longitude, latitude)");
  }
  return b;
}

}  // namespace minqing::server
