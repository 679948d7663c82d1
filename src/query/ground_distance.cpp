#include "query/ground_distance.hpp"

#include <cmath>
#include <numbers>

#include "base/error.hpp"
#include "geo/nearest_points.hpp"
#include "geo/tile.hpp"

namespace minqing::query {

namespace {

constexpr double kA = 6378137.0;               // WGS 84 semi-major axis
constexpr double kE2 = 0.00669437999014132;     // WGS 84 first eccentricity squared
constexpr double kDeg = std::numbers::pi / 180.0;

// Radii of curvature at latitude `phi` (radians): M along the meridian, N along the prime vertical.
double meridian_radius(double phi) noexcept {
  const double s = std::sin(phi);
  const double w = 1 - kE2 * s * s;
  return kA * (1 - kE2) / (w * std::sqrt(w));
}
double normal_radius(double phi) noexcept {
  const double s = std::sin(phi);
  return kA / std::sqrt(1 - kE2 * s * s);
}

}  // namespace

double ground_distance_m(geo::Coord a, geo::Coord b) noexcept {
  const geo::Coord la = geo::mercator_to_lonlat(a);
  const geo::Coord lb = geo::mercator_to_lonlat(b);
  const double phi = (la.y + lb.y) / 2 * kDeg;
  const double east = normal_radius(phi) * std::cos(phi) * (lb.x - la.x) * kDeg;
  const double north = meridian_radius(phi) * (lb.y - la.y) * kDeg;
  return std::hypot(east, north);
}

double mercator_units_per_metre(double lat_deg) noexcept {
  const double phi = lat_deg * kDeg;
  // East-west a 3857 unit is N·cos/a metres, north-south M·cos/a; M < N, so M gives the most units.
  return kA / (meridian_radius(phi) * std::cos(phi));
}

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
