#pragma once
// Identify (点选查询): the features under a clicked point across the feature classes a caller sees,
// nearest first, with a pick tolerance in screen pixels that follows the zoom.
//
// A click lands on a pixel, so distances are compared as screen pixels at the zoom of the map
// (EPSG:3857 is what the screen shows: a pixel is 156543.034 / 2^zoom units at 256-px tiles,
// whatever the latitude). A feature is under the click when a polygon contains the point or a
// point or line lies within the tolerance (default 6 px). Order: distance rounded down to whole
// pixels (the resolution of a click), nearest first; within the same pixel, points before lines
// before polygons and smaller polygons before larger ones — what the map draws on top comes
// first: the household at the centre of a house, then the house, then the land cover and the
// village it sits on. Remaining ties: exact distance, class (in the order given), fid.
//
// Reads only what the caller's ScopedReader gives. Candidates come
// from the serving index's R-tree (the tolerance box), exact distances from GEOS
// (query/ground_distance.hpp).

#include <cstddef>
#include <span>
#include <vector>

#include "geo/coord.hpp"
#include "query/class_view.hpp"
#include "query/scoped_reader.hpp"

namespace minqing::query {

inline constexpr double kIdentifyPixels = 6;          // pick tolerance, CSS pixels
inline constexpr std::size_t kIdentifyDefaultLimit = 20;
inline constexpr std::size_t kIdentifyMaxLimit = 100;
inline constexpr double kIdentifyMaxZoom = 22;

// EPSG:3857 units per CSS pixel at `zoom` with 256-px tiles: 156543.034 / 2^zoom.
double pixel_size(double zoom) noexcept;

struct IdentifyHit {
  store::ServedFeaturePtr feature;
  const ClassView* view = nullptr;  // points into the `views` given to identify()
  double distance_px = 0;           // screen pixels at the zoom asked
  double distance_m = 0;            // ground metres (0 inside a polygon)
};

struct IdentifyResult {
  std::vector<IdentifyHit> hits;  // at most `limit`, in the order above
  std::size_t matched = 0;        // every feature under the click, before the limit
  double tolerance_m = 0;         // the pick tolerance in ground metres at the point
};

// The features of `views` under `point` (EPSG:3857) at `zoom` (0…22, fractional allowed).
// `views` must outlive the result (hits point into it). Thread-safe for distinct calls.
// @pre point lies within Web Mercator's latitude range; 0 <= zoom <= kIdentifyMaxZoom.
// @throws DataError when GEOS cannot take a stored geometry.
IdentifyResult identify(const ScopedReader& reader, std::span<const ClassView> views, geo::Coord point,
                        double zoom, std::size_t limit = kIdentifyDefaultLimit,
                        double tolerance_px = kIdentifyPixels);

}  // namespace minqing::query
