#include "server/route_params.hpp"

#include <cmath>
#include <string_view>

#include "base/error.hpp"
#include "geo/tile.hpp"
#include "query/cql2_parser.hpp"

namespace minqing::server {

route::Mode mode_param(const std::optional<std::string>& t) {
  if (!t) return route::Mode::walk;
  if (auto m = route::parse_mode(*t)) return *m;
  throw RequestError("parameter mode: '" + std::string(t->substr(0, 64)) + "' is not walk or drive");
}

route::RiskSet avoid_param(const std::optional<std::string>& t) {
  if (!t) return route::kRiskHigh;
  if (*t == "none") return 0;
  route::RiskSet set = 0;
  std::string_view rest(*t);
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const route::RiskSet bit = route::parse_risk(item);
    if (!bit) {
      throw RequestError("parameter avoid: '" + std::string(item.substr(0, 64)) +
                         "' is not high, medium or low (or avoid=none)");
    }
    set |= bit;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return set;
}

nlohmann::json avoid_json(route::RiskSet avoid) {
  nlohmann::json levels = nlohmann::json::array();
  for (const char* level : {"high", "medium", "low"}) {
    if (avoid & route::parse_risk(level)) levels.push_back(level);
  }
  return levels;
}

geo::Geometry closed_param(const std::optional<std::string>& t) {
  if (!t) return {};
  geo::Geometry g = query::cql2::parse_wkt(*t, "parameter closed");
  for (auto& c : g.coords) {
    if (c.x < -180 || c.x > 180 || c.y < -85.0511 || c.y > 85.0511) {
      throw RequestError("parameter closed: coordinates outside CRS84 longitude, latitude");
    }
    c = geo::lonlat_to_mercator(c);
  }
  return g;
}

const model::Value* field_of(const query::ClassView& view, const store::ServedFeature& f, std::string_view name) {
  const int i = view.def->field_index(name);
  if (i < 0 || !view.has_field(i) || static_cast<std::size_t>(i) >= f.feature.values.size()) return nullptr;
  return &f.feature.values[static_cast<std::size_t>(i)];
}

nlohmann::json value_json(const model::Value* v) {
  if (!v) return nullptr;
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
  if (const auto* d = std::get_if<double>(v)) return *d;
  return nullptr;
}

std::string text_of(const model::Value* v) {
  const auto* s = v ? std::get_if<std::string>(v) : nullptr;
  return s ? *s : std::string{};
}

double round_to(double v, double scale) { return std::round(v * scale) / scale; }

nlohmann::json lonlat_json(geo::Coord m) {
  const geo::Coord ll = geo::mercator_to_lonlat(m);
  return nlohmann::json::array({round_to(ll.x, 1e7), round_to(ll.y, 1e7)});
}

}  // namespace minqing::server
