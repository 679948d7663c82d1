#include "geo/ground_measures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "geo/ellipsoid.hpp"
#include "geo/tile.hpp"

namespace minqing::geo {

namespace {

// EPSG:3857 puts ellipsoidal longitude/latitude on a sphere of radius a: x = aλ,
// y = a·ln tan(π/4 + φ/2), so dx·dy = a²·secφ·dλ·dφ, while the ellipsoid's area element is
// M·N·cosφ·dλ·dφ. Their ratio, cos²φ·(1−e²)/(1−e²sin²φ)², is the factor below; plain cos²φ
// overstates areas by about 0.37 % at Songyang's latitude.

constexpr double kA = kSemiMajorAxis;  // also the 3857 radius
constexpr double kE2 = kEccentricitySquared;

double latitude_of(double mercator_y) noexcept {
  return 2 * std::atan(std::exp(mercator_y / kA)) - std::numbers::pi / 2;
}

double area_factor(double mercator_y) noexcept {
  const double phi = latitude_of(mercator_y);
  const double s = std::sin(phi);
  const double c = std::cos(phi);
  const double w = 1 - kE2 * s * s;
  return c * c * (1 - kE2) / (w * w);
}

// Shoelace area of coords[begin, end) in 3857 units², times the factor at the ring's middle.
double ring_ground_area(const std::vector<Coord>& coords, std::size_t begin, std::size_t end) {
  if (end - begin < 3) return 0;
  double twice = 0;
  double min_y = coords[begin].y;
  double max_y = coords[begin].y;
  // Relative to the first vertex: keeps the products small (3857 coordinates are ~1e7).
  const Coord o = coords[begin];
  for (std::size_t i = begin; i + 1 < end; ++i) {
    const double x0 = coords[i].x - o.x, y0 = coords[i].y - o.y;
    const double x1 = coords[i + 1].x - o.x, y1 = coords[i + 1].y - o.y;
    twice += x0 * y1 - x1 * y0;
    min_y = std::min(min_y, coords[i + 1].y);
    max_y = std::max(max_y, coords[i + 1].y);
  }
  return std::abs(twice) / 2 * area_factor((min_y + max_y) / 2);
}

}  // namespace

double ground_area_m2(const Geometry& g) {
  if (g.kind != GeometryKind::polygon || g.part_ends.empty()) return 0;
  // Without polygon_ends every ring after the first is a hole of the first.
  const std::vector<std::uint32_t> single{static_cast<std::uint32_t>(g.part_ends.size())};
  const auto& polygons = g.polygon_ends.empty() ? single : g.polygon_ends;
  double total = 0;
  std::size_t ring = 0;
  for (const std::uint32_t ring_end : polygons) {
    for (bool exterior = true; ring < ring_end && ring < g.part_ends.size(); ++ring, exterior = false) {
      const std::size_t begin = ring == 0 ? 0 : g.part_ends[ring - 1];
      const double a = ring_ground_area(g.coords, begin, g.part_ends[ring]);
      total += exterior ? a : -a;
    }
  }
  return std::max(total, 0.0);
}

double ground_length_m(const Geometry& g) {
  if (g.kind != GeometryKind::line) return 0;
  double total = 0;
  std::size_t begin = 0;
  for (const std::uint32_t end : g.part_ends) {
    for (std::size_t i = begin; i + 1 < end && i + 1 < g.coords.size(); ++i) {
      const Coord a = g.coords[i];
      const Coord b = g.coords[i + 1];
      const double phi = latitude_of((a.y + b.y) / 2);
      const double s = std::sin(phi);
      const double w = 1 - kE2 * s * s;
      // East: N·cosφ·dλ with dλ = dx/a; north: M·dφ with dφ = cosφ·dy/a.
      const double n = kA / std::sqrt(w);
      const double m = kA * (1 - kE2) / (w * std::sqrt(w));
      const double c = std::cos(phi) / kA;
      total += std::hypot((b.x - a.x) * n * c, (b.y - a.y) * m * c);
    }
    begin = end;
  }
  return total;
}


double ground_distance_m(Coord a, Coord b) noexcept {
  constexpr double kDeg = std::numbers::pi / 180.0;
  const Coord la = mercator_to_lonlat(a);
  const Coord lb = mercator_to_lonlat(b);
  const double phi = (la.y + lb.y) / 2 * kDeg;
  const double east = normal_radius(phi) * std::cos(phi) * (lb.x - la.x) * kDeg;
  const double north = meridian_radius(phi) * (lb.y - la.y) * kDeg;
  return std::hypot(east, north);
}

double mercator_units_per_metre(double lat_deg) noexcept {
  const double phi = lat_deg * std::numbers::pi / 180.0;
  // East-west a 3857 unit is N·cos/a metres, north-south M·cos/a; M < N, so M gives the most units.
  return kSemiMajorAxis / (meridian_radius(phi) * std::cos(phi));
}

}  // namespace minqing::geo
