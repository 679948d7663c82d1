#include "generate/geos_ops.hpp"

#include <string>

#include "base/error.hpp"

namespace minqing::generate {

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

GeosGeometry union_all(const GeosContext& ctx, const std::vector<geo::Geometry>& parts) {
  if (parts.empty()) return empty_polygon(ctx);
  geo::Geometry all;
  all.kind = parts.front().kind;
  for (const auto& p : parts) all.append(p);
  GeosGeometry g = geo::to_geos(ctx, all);
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

double area(const GeosContext& ctx, const geo::Geometry& g) {
  if (g.empty()) return 0;
  return area(ctx, geo::to_geos(ctx, g));
}

std::vector<geo::Geometry> voronoi_cells(const GeosContext& ctx, const std::vector<geo::Coord>& sites,
                                         const geo::BBox& extent) {
  geo::Geometry pts;
  pts.kind = geo::GeometryKind::point;
  for (const auto& c : sites) pts.append(geo::Geometry::point(c));
  GeosGeometry mp = geo::to_geos(ctx, pts);
  GeosGeometry env = geo::to_geos(ctx, geo::Geometry::polygon({{extent.min_x, extent.min_y},
                                                             {extent.max_x, extent.min_y},
                                                             {extent.max_x, extent.max_y},
                                                             {extent.min_x, extent.max_y}}));
  GeosGeometry cells = checked(ctx, GEOSVoronoiDiagram_r(ctx.handle(), mp.get(), env.get(), 0.0, 0), "voronoi");
  std::vector<geo::Geometry> out;
  const int n = GEOSGetNumGeometries_r(ctx.handle(), cells.get());
  for (int i = 0; i < n; ++i) {
    out.push_back(geo::from_geos(ctx, GEOSGetGeometryN_r(ctx.handle(), cells.get(), i), geo::GeometryKind::polygon));
  }
  return out;
}

Prepared::Prepared(const GeosContext& ctx, const GeosGeometry& g)
    : m_ctx(&ctx), m_prepared(GEOSPrepare_r(ctx.handle(), g.get())) {
  if (!m_prepared) throw DataError("GEOS prepare failed: " + ctx.last_message());
}

Prepared::~Prepared() { GEOSPreparedGeom_destroy_r(m_ctx->handle(), m_prepared); }

bool Prepared::intersects(const GeosGeometry& other) const {
  return GEOSPreparedIntersects_r(m_ctx->handle(), m_prepared, other.get()) == 1;
}

bool Prepared::contains(const GeosGeometry& other) const {
  return GEOSPreparedContains_r(m_ctx->handle(), m_prepared, other.get()) == 1;
}

std::vector<geo::Geometry> parts_of(const geo::Geometry& g) {
  std::vector<geo::Geometry> out;
  switch (g.kind) {
    case geo::GeometryKind::point:
      for (const auto& c : g.coords) out.push_back(geo::Geometry::point(c));
      break;
    case geo::GeometryKind::line: {
      std::uint32_t begin = 0;
      for (auto end : g.part_ends) {
        out.push_back(geo::Geometry::line({g.coords.begin() + begin, g.coords.begin() + end}));
        begin = end;
      }
      break;
    }
    case geo::GeometryKind::polygon: {
      std::uint32_t ring = 0, begin = 0;
      for (auto poly_end : g.polygon_ends) {
        geo::Geometry p;
        p.kind = geo::GeometryKind::polygon;
        for (; ring < poly_end; ++ring) {
          const auto end = g.part_ends[ring];
          p.coords.insert(p.coords.end(), g.coords.begin() + begin, g.coords.begin() + end);
          p.part_ends.push_back(static_cast<std::uint32_t>(p.coords.size()));
          begin = end;
        }
        p.polygon_ends.push_back(static_cast<std::uint32_t>(p.part_ends.size()));
        out.push_back(std::move(p));
      }
      break;
    }
  }
  return out;
}

}  // namespace minqing::generate
