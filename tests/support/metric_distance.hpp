#pragma once
// An oracle for ground distances, independent of query/ground_distance.cpp: the geometry and the
// point taken from EPSG:3857 to the metric EPSG:4549 (CGCS2000 GK CM 120°E; scale error below
// 1e-4 over the sample) by PROJ, and their distance measured there by GEOS.
//
// Segments are densified (every 10 m) before the transform: a served geometry is straight between
// its vertices in 3857, and a long straight 3857 segment is slightly curved in 4549 (a 5 km
// pairing line bows by ~0.1 m), so the densified one is the geometry the server measured.

#include <cmath>
#include <cstdint>

#include <catch2/catch.hpp>

#include "geo/geos.hpp"
#include "geo/projection.hpp"

namespace minqing::test {

inline geo::Geometry densified(const geo::Geometry& g, double step) {
  if (g.kind == geo::GeometryKind::point) return g;
  geo::Geometry out;
  out.kind = g.kind;
  out.polygon_ends = g.polygon_ends;
  std::uint32_t begin = 0;
  for (std::uint32_t end : g.part_ends) {
    for (std::uint32_t i = begin; i < end; ++i) {
      if (i > begin) {
        const geo::Coord a = g.coords[i - 1], b = g.coords[i];
        const int n = static_cast<int>(std::ceil(std::hypot(b.x - a.x, b.y - a.y) / step));
        for (int k = 1; k < n; ++k) out.coords.push_back({a.x + (b.x - a.x) * k / n, a.y + (b.y - a.y) * k / n});
      }
      out.coords.push_back(g.coords[i]);
    }
    out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
    begin = end;
  }
  return out;
}

// Metres between `p3857` and `g3857` (0 inside a polygon), measured in EPSG:4549.
inline double distance_4549(const geo::Geometry& g3857, geo::Coord p3857) {
  static thread_local geo::Transform to_gk("EPSG:3857", "EPSG:4549");
  geo::Geometry g = densified(g3857, 10);
  to_gk.apply(g.coords);
  const geo::GeosContext ctx;
  const geo::GeosGeometry a = geo::to_geos(ctx, g);
  const geo::GeosGeometry b = geo::to_geos(ctx, geo::Geometry::point(to_gk.apply(p3857)));
  double d = -1;
  REQUIRE(GEOSDistance_r(ctx.handle(), a.get(), b.get(), &d) == 1);
  return d;
}

}  // namespace minqing::test
