#pragma once
// The nearest points of two GEOS geometries (planar, in their CRS). Needs no GEOS header.
// Thread-safety: see geo/geos_context.hpp (both geometries belong to `ctx`, used on its thread).

#include <optional>

#include "geo/coord.hpp"
#include "geo/geos_context.hpp"
#include "geo/geos_geometry.hpp"

namespace minqing::geo {

// A point on each geometry, as close to the other as any. For a polygon holding the other
// geometry's point both are that point (distance 0).
struct NearestPoints {
  Coord on_a;
  Coord on_b;
};

// nullopt when GEOS fails (an empty geometry, or an error: ctx.last_message() says which).
std::optional<NearestPoints> nearest_points(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b);

}  // namespace minqing::geo
