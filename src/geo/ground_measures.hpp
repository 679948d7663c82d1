#pragma once
// Measures on the ground (the ellipsoid of geo/ellipsoid.hpp) of geometries held in EPSG:3857.
//
// EPSG:3857 lengths are stretched by about 1/cos(latitude), and not quite equally in every
// direction (on the ellipsoid north-south lengths come out ~0.5% shorter than east-west ones at
// Songyang's latitude), so a 3857 length times cos(latitude) is only good to ±0.5%. These use the
// local radii of curvature instead: areas through the ratio of the ellipsoid's area element to
// 3857's, cos²φ·(1−e²)/(1−e²sin²φ)² (evaluated at each ring's centre), lengths and distances per
// segment with the meridian and prime-vertical radii — within 1e-5 of the geodesic up to tens of
// kilometres. Pure functions: thread-safe.

#include "geo/coord.hpp"
#include "geo/geometry.hpp"

namespace minqing::geo {

// Ground area in m² of a polygon geometry given in EPSG:3857 (0 for points and lines).
double ground_area_m2(const Geometry& mercator);
// Ground length in m of a line geometry given in EPSG:3857 (0 for points and polygons).
double ground_length_m(const Geometry& mercator);
// Metres on the ellipsoid between two EPSG:3857 points a few kilometres apart at most.
double ground_distance_m(Coord a, Coord b) noexcept;
// The most EPSG:3857 units one ground metre can span, in any direction, at latitude `lat_deg`
// (|lat| < 90): a/(M cos lat), M the meridian radius of curvature. Multiply a ground radius by it
// to get a 3857 box that surely holds the circle at that latitude.
double mercator_units_per_metre(double lat_deg) noexcept;

}  // namespace minqing::geo
