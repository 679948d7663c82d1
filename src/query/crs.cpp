#include "query/crs.hpp"

#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <utility>

#include "base/error.hpp"
#include "geo/projection.hpp"
#include "geo/tile.hpp"

namespace minqing::query {

namespace {

const std::array<Crs, 5>& table() {
  static const std::array<Crs, 5> crs = {{
      {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, false, true},
      {"http://www.opengis.net/def/crs/EPSG/0/4326", 4326, true, true},
      {"http://www.opengis.net/def/crs/EPSG/0/3857", 3857, false, false},
      {"http://www.opengis.net/def/crs/EPSG/0/4490", 4490, true, true},
      {"http://www.opengis.net/def/crs/EPSG/0/4549", 4549, true, false},
  }};
  return crs;
}

// PROJ transform between EPSG:3857 and `epsg`, one per thread and direction.
const geo::Transform& transform(int epsg, bool to_mercator) {
  thread_local std::map<std::pair<int, bool>, std::unique_ptr<geo::Transform>> cache;
  auto& slot = cache[{epsg, to_mercator}];
  if (!slot) {
    slot = to_mercator ? std::make_unique<geo::Transform>(geo::epsg(epsg), "EPSG:3857")
                       : std::make_unique<geo::Transform>("EPSG:3857", geo::epsg(epsg));
  }
  return *slot;
}

geo::Coord swap_if(bool swap, geo::Coord c) { return swap ? geo::Coord{c.y, c.x} : c; }

}  // namespace

std::span<const Crs> supported_crs() { return table(); }
const Crs& crs84() { return table()[0]; }
const Crs& web_mercator() { return table()[2]; }

const Crs& parse_crs(std::string_view value, std::string_view param) {
  std::string_view v = value;
  if (v.size() >= 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
  for (const Crs& c : table()) {
    if (v == c.uri) return c;
  }
  if (v == "OGC:CRS84") return crs84();
  if (v.substr(0, 5) == "EPSG:") {
    for (const Crs& c : table()) {
      if (&c != &crs84() && v.substr(5) == std::to_string(c.epsg)) return c;
    }
  }
  std::string list;
  for (const Crs& c : table()) list += (list.empty() ? "" : ", ") + c.uri;
  throw RequestError("parameter " + std::string(param) + ": unsupported CRS '" + std::string(value) +
                     "'; supported: " + list);
}

geo::Coord from_mercator(const Crs& crs, geo::Coord m) {
  geo::Coord c;
  if (crs.epsg == 3857) c = m;
  else if (crs.epsg == 4326) c = geo::mercator_to_lonlat(m);
  else c = transform(crs.epsg, false).apply(m);
  return swap_if(crs.lat_first, c);
}

geo::Coord to_mercator(const Crs& crs, geo::Coord in) {
  const geo::Coord c = swap_if(crs.lat_first, in);
  if (crs.geographic && (std::abs(c.x) > 180 || std::abs(c.y) > 90)) {
    throw ProjError("coordinate (" + std::to_string(in.x) + ", " + std::to_string(in.y) + ") outside " + crs.uri);
  }
  if (crs.epsg == 3857) return c;
  if (crs.epsg == 4326) return geo::lonlat_to_mercator(c);
  if (crs.geographic) {
    // Web Mercator stops at ±85.0511°; clamp like lonlat_to_mercator does.
    return transform(crs.epsg, true).apply(geo::Coord{c.x, std::fmax(std::fmin(c.y, 85.0511287798066), -85.0511287798066)});
  }
  return transform(crs.epsg, true).apply(c);
}

}  // namespace minqing::query
