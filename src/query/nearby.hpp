#pragma once
// Nearby (周边查询): the features of one class within a ground distance of a point, nearest first.
//
// The serving index's R-tree gives the candidates in a 3857 box that surely holds the circle
// (ground_circle_box: 3857 is stretched by ~1/cos(latitude)); each candidate's exact ground
// distance (GEOS nearest points, measured on the ellipsoid: query/ground_distance.hpp) decides.
// Reads only what the caller's ScopedReader gives.

#include <cstddef>
#include <vector>

#include "geo/coord.hpp"
#include "query/class_view.hpp"
#include "query/scoped_reader.hpp"

namespace minqing::query {

inline constexpr double kNearbyMaxRadius = 5000;  // metres
inline constexpr std::size_t kNearbyDefaultLimit = 50;
inline constexpr std::size_t kNearbyMaxLimit = 1000;

struct NearbyHit {
  store::ServedFeaturePtr feature;
  double distance_m = 0;  // ground metres; 0 inside a polygon
};

struct NearbyResult {
  std::vector<NearbyHit> hits;  // at most `limit`, nearest first (ties by fid)
  std::size_t matched = 0;      // every visible feature within the radius
};

// The features of `view` within `radius_m` ground metres of `point` (EPSG:3857).
// Thread-safe for distinct calls.
// @pre 0 < radius_m <= kNearbyMaxRadius; point within Web Mercator's latitude range.
// @throws DataError when GEOS cannot take a stored geometry.
NearbyResult nearby(const ScopedReader& reader, const ClassView& view, geo::Coord point, double radius_m,
                    std::size_t limit = kNearbyDefaultLimit);

}  // namespace minqing::query
