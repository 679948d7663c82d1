#include "query/ground_distance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "base/error.hpp"
#include "geo/planar_predicates.hpp"
#include "geo/tile.hpp"

namespace minqing::query {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

}  // namespace

geo::BBox ground_circle_box(geo::Coord point, double radius_m) noexcept {
  const double lat = geo::mercator_to_lonlat(point).y;
  // The circle reaches at most radius/M radians (plus a margin) towards the pole.
  const double reach_deg = radius_m / 6.3e6 / kDeg * 1.01;
  const double far = std::min(std::abs(lat) + reach_deg, 89.9);
  const double half = radius_m * mercator_units_per_metre(far) * 1.01 + 1e-6;
  return {point.x - half, point.y - half, point.x + half, point.y + half};
}

namespace {

// The point of segment a–b nearest to p.
geo::Coord nearest_on_segment(geo::Coord a, geo::Coord b, geo::Coord p) noexcept {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  if (len2 == 0) return a;
  const double t = std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0);
  return {a.x + t * dx, a.y + t * dy};
}

// [begin, end) of part `i` (a line or a ring); a geometry without part ends is one part.
std::uint32_t part_begin(const geo::Geometry& g, std::size_t i) noexcept { return i == 0 ? 0 : g.part_ends[i - 1]; }
std::uint32_t part_end(const geo::Geometry& g, std::size_t i) noexcept {
  return g.part_ends.empty() ? static_cast<std::uint32_t>(g.coords.size()) : g.part_ends[i];
}
std::size_t part_count(const geo::Geometry& g) noexcept { return g.part_ends.empty() ? 1 : g.part_ends.size(); }

}  // namespace

PointDistances::PointDistances(geo::Coord point) : m_point(point) {}

std::optional<PointDistance> PointDistances::to(const geo::Geometry& g) const {
  return nearest(g, nullptr, std::numeric_limits<double>::infinity(), nullptr);
}

std::optional<PointDistance> PointDistances::to(const geo::Geometry& g, const geo::BBox& bbox, double within,
                                               const geo::EdgeSlabs* slabs) const {
  if (bbox.min_x - within > m_point.x || bbox.max_x + within < m_point.x || bbox.min_y - within > m_point.y ||
      bbox.max_y + within < m_point.y) {
    return std::nullopt;
  }
  auto d = nearest(g, &bbox, within, slabs);
  if (d && d->mercator > within) return std::nullopt;
  return d;
}

std::optional<PointDistance> PointDistances::nearest(const geo::Geometry& g, const geo::BBox* bbox, double within,
                                                    const geo::EdgeSlabs* slabs) const {
  if (g.empty()) return std::nullopt;
  // Squared distances while searching (std::hypot guards against overflow that planar metres
  // never reach, and was the profile's top entry for identify); one square root at the end.
  geo::Coord near = g.coords.front();
  const auto squared = [this](geo::Coord c) {
    const double dx = c.x - m_point.x, dy = c.y - m_point.y;
    return dx * dx + dy * dy;
  };
  double best = squared(near);
  const auto consider = [&](geo::Coord c) {
    const double d = squared(c);
    if (d < best) {
      best = d;
      near = c;
    }
  };
  // Only what may lie within `within` (inclusive): an edge whose box is outside the square of
  // half-side `within` around the point is farther than that everywhere.
  const double lo_x = m_point.x - within, hi_x = m_point.x + within;
  const double lo_y = m_point.y - within, hi_y = m_point.y + within;
  const auto may_reach = [&](geo::Coord a, geo::Coord b) {
    return std::max(a.x, b.x) >= lo_x && std::min(a.x, b.x) <= hi_x && std::max(a.y, b.y) >= lo_y &&
           std::min(a.y, b.y) <= hi_y;
  };
  const bool box_holds = bbox == nullptr || (bbox->min_x <= m_point.x && m_point.x <= bbox->max_x &&
                                             bbox->min_y <= m_point.y && m_point.y <= bbox->max_y);
  if (g.kind == geo::GeometryKind::point) {
    for (const geo::Coord& c : g.coords) consider(c);  // nearest of the (multi)point's coordinates
  } else if (g.kind == geo::GeometryKind::polygon && box_holds &&
             (slabs ? slabs->polygon_holds(m_point) : geo::polygon_holds(g, m_point))) {
    near = m_point;  // a polygon holding the point: distance 0
    best = 0;
  } else if (slabs && std::isfinite(within)) {
    // The segments near the point's latitude, some seen twice and not in the geometry's order:
    // on a tie the earliest segment wins, as in the scan below (the first coordinate before all).
    std::int64_t best_order = -1;
    // (A lone point beyond the bound, which the scan measures anyway, cannot change what to()
    // answers: it is not within the bound, and anything within is nearer.)
    slabs->segments_between(lo_y, hi_y, [&](const geo::EdgeSlabs::Segment& s) {
      if (!may_reach(s.a, s.b)) return;
      const geo::Coord c = nearest_on_segment(s.a, s.b, m_point);
      const double d = squared(c);
      if (d < best || (d == best && static_cast<std::int64_t>(s.order) < best_order)) {
        best = d;
        near = c;
        best_order = s.order;
      }
    });
  } else {
    // Nearest point of the lines or the rings' edges: the planar distance in EPSG:3857, as GEOS
    // measures it, without converting every candidate to GEOS.
    for (std::size_t part = 0; part < part_count(g); ++part) {
      const std::uint32_t begin = part_begin(g, part), end = part_end(g, part);
      if (end - begin == 1) consider(g.coords[begin]);
      for (std::uint32_t i = begin; i + 1 < end; ++i) {
        if (may_reach(g.coords[i], g.coords[i + 1])) consider(nearest_on_segment(g.coords[i], g.coords[i + 1], m_point));
      }
    }
  }
  return PointDistance{std::sqrt(best), ground_distance_m(m_point, near)};
}

}  // namespace minqing::query
