#include "geo/nearest_points.hpp"

#include <geos_c.h>

namespace minqing::geo {

std::optional<NearestPoints> nearest_points(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b) {
  const auto h = ctx.handle();
  GEOSCoordSequence* pair = GEOSNearestPoints_r(h, a.get(), b.get());
  if (!pair) return std::nullopt;
  NearestPoints out;
  GEOSCoordSeq_getXY_r(h, pair, 0, &out.on_a.x, &out.on_a.y);
  GEOSCoordSeq_getXY_r(h, pair, 1, &out.on_b.x, &out.on_b.y);
  GEOSCoordSeq_destroy_r(h, pair);
  return out;
}

}  // namespace minqing::geo
