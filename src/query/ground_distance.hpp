#pragma once
// Distances on the ground from one clicked or given point to served features (EPSG:3857), shared
// by identify and nearby.
//
// EPSG:3857 is spherical Mercator applied to WGS 84 latitudes: its lengths are stretched by about
// 1/cos(latitude), and not quite equally in every direction (on the ellipsoid north-south lengths
// come out ~0.5% shorter than east-west ones at Songyang's latitude). So a 3857 length times
// cos(latitude) is only good to ±0.5%. Here the two nearest points are found on the 3857 geometry
// with GEOS (the projection is conformal to well under 0.1% over a few kilometres, so they are
// the nearest points on the ground too) and the distance between them is measured on the
// ellipsoid (geo/ground_measures.hpp) with the local radii of curvature — within 1e-5 of the
// geodesic up to tens of kilometres, far below what a click or a radius needs.

#include <memory>
#include <optional>

#include "geo/coord.hpp"
#include "geo/edge_slabs.hpp"
#include "geo/geometry.hpp"
#include "geo/ground_measures.hpp"

namespace minqing::query {

// Metres on the ellipsoid between two EPSG:3857 points, and 3857 units per ground metre
// (geo/ground_measures.hpp).
using geo::ground_distance_m;
using geo::mercator_units_per_metre;

// A 3857 box around `point` that holds every location within `radius_m` ground metres of it
// (widened by 1/cos of the latitude farthest from the equator the circle reaches, plus 1%).
// @pre 0 <= radius_m <= 100 km and `point` inside Web Mercator's latitude range.
geo::BBox ground_circle_box(geo::Coord point, double radius_m) noexcept;

// The distance from one point to a geometry, both EPSG:3857.
struct PointDistance {
  double mercator = 0;   // 3857 units, what the screen shows (pixels are uniform in 3857)
  double ground_m = 0;   // ground metres
};

// Measures distances from one point to many geometries. 0 for a polygon that contains the point.
// Planar in EPSG:3857 (nearest vertex of points, nearest point of segments, even–odd containment),
// the same distances GEOS gives, without a GEOS conversion of every candidate (issue 12: identify
// spent most of its time there). Cheap to make; thread-compatible.
class PointDistances {
 public:
  explicit PointDistances(geo::Coord point);

  geo::Coord point() const noexcept { return m_point; }

  // nullopt for an empty geometry.
  std::optional<PointDistance> to(const geo::Geometry& g) const;
  // The same for a caller that keeps only distances up to `within` (3857 units): nullopt also
  // when `g` is farther. `bbox` is g's bounding box. Edges that cannot come within `within`, and
  // the containment test of a polygon whose box misses the point, are skipped: a village
  // boundary's thousands of edges cost a few comparisons instead of a projection each. With
  // `slabs` (made from `g`), only the edges near the point's latitude are read: the same answer.
  std::optional<PointDistance> to(const geo::Geometry& g, const geo::BBox& bbox, double within,
                                  const geo::EdgeSlabs* slabs = nullptr) const;

 private:
  std::optional<PointDistance> nearest(const geo::Geometry& g, const geo::BBox* bbox, double within,
                                       const geo::EdgeSlabs* slabs) const;

  geo::Coord m_point;
};

}  // namespace minqing::query
