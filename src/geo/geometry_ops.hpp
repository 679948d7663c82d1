#pragma once
// GEOS operations that make or measure geometries: overlay (intersection, difference, union),
// buffer, Voronoi cells, point on surface, planar area. Needs no GEOS header. Each function
// throws DataError (with GEOS's message) when GEOS fails, unless it says otherwise.
//
// Thread-safety: see geo/geos_context.hpp. Every geometry passed in or returned belongs to
// `ctx`; use one context per thread.

#include <optional>
#include <vector>

#include "geo/coord.hpp"
#include "geo/geometry.hpp"
#include "geo/geos_context.hpp"
#include "geo/geos_geometry.hpp"

namespace minqing::geo {

GeosGeometry buffer(const GeosContext& ctx, const GeosGeometry& g, double distance, int quadsegs = 4);
GeosGeometry intersection(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b);
GeosGeometry difference(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b);
GeosGeometry union_of(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b);
// Union of many geometries (of any one kind), cheaper than pairwise unions.
GeosGeometry union_all(const GeosContext& ctx, const std::vector<Geometry>& parts);
GeosGeometry empty_polygon(const GeosContext& ctx);
GeosGeometry clone(const GeosContext& ctx, const GeosGeometry& g);
// True for a null or empty geometry.
bool is_empty(const GeosContext& ctx, const GeosGeometry& g);
// Planar area in CRS units² (0 for a null geometry).
double area(const GeosContext& ctx, const GeosGeometry& g);
double area(const GeosContext& ctx, const Geometry& g);
// Voronoi cells of `sites` clipped to nothing (caller intersects), envelope grown to `extent`.
// Returns one polygon per cell in GEOS's order.
std::vector<Geometry> voronoi_cells(const GeosContext& ctx, const std::vector<Coord>& sites, const BBox& extent);
// A point inside the polygon `g` (GEOS PointOnSurface); nullopt when GEOS cannot find one (an
// empty geometry). @throws DataError when GEOS refuses `g`.
std::optional<Coord> point_on_surface(const GeosContext& ctx, const Geometry& g);

}  // namespace minqing::geo
