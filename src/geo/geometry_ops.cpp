#include "geo/geometry_ops.hpp"

#include <string>

#include <geos_c.h>

#include "base/error.hpp"

namespace minqing::geo {

namespace {
GeosGeometry checked(const GeosContext& ctx, GEOSGeometry* g, const char* what) {
  if (!g) throw DataError(std::string("GEOS ") + what + " failed: " + ctx.last_message());
  return GeosGeometry(ctx, g);
}
}  // namespace

GeosGeometry buffer(const GeosContext& ctx, const GeosGeometry& g, double distance, int quadsegs) {
  return checked(ctx, GEOSBuffer_r(ctx.handle(), g.get(), distance, quadsegs), "buffer");
}

GeosGeometry intersection(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b) {
  return checked(ctx, GEOSIntersection_r(ctx.handle(), a.get(), b.get()), "intersection");
}

GeosGeometry difference(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b) {
  return checked(ctx, GEOSDifference_r(ctx.handle(), a.get(), b.get()), "difference");
}

GeosGeometry union_of(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b) {
  return checked(ctx, GEOSUnion_r(ctx.handle(), a.get(), b.get()), "union");
}

GeosGeometry union_all(const GeosContext& ctx, const std::vector<Geometry>& parts) {
  if (parts.empty()) return empty_polygon(ctx);
  Geometry all;
  all.kind = parts.front().kind;
  for (const auto& p : parts) all.append(p);
  GeosGeometry g = to_geos(ctx, all);
  return checked(ctx, GEOSUnaryUnion_r(ctx.handle(), g.get()), "union");
}

GeosGeometry empty_polygon(const GeosContext& ctx) {
  return checked(ctx, GEOSGeom_createEmptyPolygon_r(ctx.handle()), "empty polygon");
}

GeosGeometry clone(const GeosContext& ctx, const GeosGeometry& g) {
  return checked(ctx, GEOSGeom_clone_r(ctx.handle(), g.get()), "clone");
}

bool is_empty(const GeosContext& ctx, const GeosGeometry& g) { return !g || GEOSisEmpty_r(ctx.handle(), g.get()) == 1; }

double area(const GeosContext& ctx, const GeosGeometry& g) {
  double a = 0;
  if (g) GEOSArea_r(ctx.handle(), g.get(), &a);
  return a;
}

double area(const GeosContext& ctx, const Geometry& g) {
  if (g.empty()) return 0;
  return area(ctx, to_geos(ctx, g));
}

std::vector<Geometry> voronoi_cells(const GeosContext& ctx, const std::vector<Coord>& sites,
                                         const BBox& extent) {
  Geometry pts;
  pts.kind = GeometryKind::point;
  for (const auto& c : sites) pts.append(Geometry::point(c));
  GeosGeometry mp = to_geos(ctx, pts);
  GeosGeometry env = to_geos(ctx, Geometry::polygon({{extent.min_x, extent.min_y},
                                                             {extent.max_x, extent.min_y},
                                                             {extent.max_x, extent.max_y},
                                                             {extent.min_x, extent.max_y}}));
  GeosGeometry cells = checked(ctx, GEOSVoronoiDiagram_r(ctx.handle(), mp.get(), env.get(), 0.0, 0), "voronoi");
  std::vector<Geometry> out;
  const int n = GEOSGetNumGeometries_r(ctx.handle(), cells.get());
  for (int i = 0; i < n; ++i) {
    out.push_back(from_geos(ctx, GEOSGetGeometryN_r(ctx.handle(), cells.get(), i), GeometryKind::polygon));
  }
  return out;
}

std::optional<Coord> point_on_surface(const GeosContext& ctx, const Geometry& g) {
  const GeosGeometry geom = to_geos(ctx, g);
  const GeosGeometry p(ctx, GEOSPointOnSurface_r(ctx.handle(), geom.get()));
  double x = 0, y = 0;
  if (p && GEOSGeomGetX_r(ctx.handle(), p.get(), &x) == 1 && GEOSGeomGetY_r(ctx.handle(), p.get(), &y) == 1) {
    return Coord{x, y};
  }
  return std::nullopt;
}

}  // namespace minqing::geo
