#include "geo/noding.hpp"

#include <string>

#include <geos_c.h>

#include "base/error.hpp"
#include "geo/geos_geometry.hpp"

namespace minqing::geo {

Geometry node_lines(const GeosContext& ctx, const Geometry& lines) {
  if (lines.empty()) {
    Geometry none;
    none.kind = GeometryKind::line;
    return none;
  }
  const GeosGeometry input = to_geos(ctx, lines);
  GeosGeometry noded(ctx, GEOSNode_r(ctx.handle(), input.get()));
  if (!noded) throw DataError("GEOS noding failed: " + ctx.last_message());
  return from_geos(ctx, noded, GeometryKind::line);
}

}  // namespace minqing::geo
