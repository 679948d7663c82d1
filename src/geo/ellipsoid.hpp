#pragma once
// The one reference ellipsoid of the project, and its radii of curvature. Every ground measure
// (geo/ground_measures.hpp) and the Web Mercator sphere (geo/tile.hpp) take their constants from
// here; no other file spells them.
//
// CGCS2000, the datum of the store CRS (EPSG:4549) and of EPSG:4490: a = 6378137 m,
// 1/f = 298.257222101 (GRS 80's). EPSG:3857 is spherical Mercator on the radius a applied to
// WGS 84 latitudes; WGS 84's flattening (1/298.257223563) differs from CGCS2000's by 5e-9
// relative, 0.1 mm in the semi-minor axis — far below any figure we output.

#include <cmath>

namespace minqing::geo {

inline constexpr double kSemiMajorAxis = 6378137.0;           // a, metres
inline constexpr double kInverseFlattening = 298.257222101;   // 1/f
// First eccentricity squared, e² = f(2 − f).
inline constexpr double kEccentricitySquared = 0.006694380022900787;
static_assert(kEccentricitySquared - (2 - 1 / kInverseFlattening) / kInverseFlattening < 1e-17 &&
                  (2 - 1 / kInverseFlattening) / kInverseFlattening - kEccentricitySquared < 1e-17,
              "e² must follow from the flattening");

// Radius of curvature along the meridian (M) at geodetic latitude `phi` (radians), in metres.
inline double meridian_radius(double phi) noexcept {
  const double s = std::sin(phi);
  const double w = 1 - kEccentricitySquared * s * s;
  return kSemiMajorAxis * (1 - kEccentricitySquared) / (w * std::sqrt(w));
}

// Radius of curvature along the prime vertical (N) at geodetic latitude `phi` (radians), in metres.
inline double normal_radius(double phi) noexcept {
  const double s = std::sin(phi);
  return kSemiMajorAxis / std::sqrt(1 - kEccentricitySquared * s * s);
}

}  // namespace minqing::geo
