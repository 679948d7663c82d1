#include "query/ground_distance.hpp"

#include <cmath>
#include <numbers>

#include "base/error.hpp"
#include "geo/nearest_points.hpp"
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

struct PointDistances::Impl {
  geo::GeosContext ctx;
  geo::GeosGeometry point;
};

PointDistances::PointDistances(geo::Coord point) : m_point(point), m_impl(std::make_unique<Impl>()) {
  m_impl->point = geo::to_geos(m_impl->ctx, geo::Geometry::point(point));
}

PointDistances::~PointDistances() = default;

std::optional<PointDistance> PointDistances::to(const geo::Geometry& g) const {
  if (g.empty()) return std::nullopt;
  geo::Coord near = g.coords.front();
  geo::Coord from = m_point;
  if (g.kind == geo::GeometryKind::point) {
    // Nearest of the (multi)point's coordinates: exact without a GEOS round trip.
    double best = std::hypot(near.x - m_point.x, near.y - m_point.y);
    for (const geo::Coord& c : g.coords) {
      const double d = std::hypot(c.x - m_point.x, c.y - m_point.y);
      if (d < best) {
        best = d;
        near = c;
      }
    }
  } else {
    const geo::GeosGeometry geometry = geo::to_geos(m_impl->ctx, g);
    // For a polygon holding the point both nearest points are the point itself: distance 0.
    const auto pair = geo::nearest_points(m_impl->ctx, geometry, m_impl->point);
    if (!pair) throw DataError("GEOS cannot measure a distance: " + m_impl->ctx.last_message());
    near = pair->on_a;
    from = pair->on_b;
  }
  return PointDistance{std::hypot(near.x - from.x, near.y - from.y), ground_distance_m(from, near)};
}

}  // namespace minqing::query
