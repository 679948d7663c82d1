#pragma once
// The GEOS overlay operations the generator needs (buffer, intersection, difference, union,
// Voronoi), as free functions over geo::GeosGeometry. The generator's only GEOS adapter: other
// generate/ files go through these. Each function throws DataError (with GEOS's message) when
// GEOS fails. A GeosContext is not thread-safe: one per thread.

#include <vector>

#include "geo/geometry.hpp"
#include "geo/geos.hpp"

namespace minqing::generate {

using geo::GeosContext;
using geo::GeosGeometry;

GeosGeometry buffer(const GeosContext& ctx, const GeosGeometry& g, double distance, int quadsegs = 4);
GeosGeometry intersection(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b);
GeosGeometry difference(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b);
GeosGeometry union_of(const GeosContext& ctx, const GeosGeometry& a, const GeosGeometry& b);
// Union of many geometries (of any one kind), cheaper than pairwise unions.
GeosGeometry union_all(const GeosContext& ctx, const std::vector<geo::Geometry>& parts);
GeosGeometry empty_polygon(const GeosContext& ctx);
GeosGeometry clone(const GeosContext& ctx, const GeosGeometry& g);
bool is_empty(const GeosContext& ctx, const GeosGeometry& g);
double area(const GeosContext& ctx, const GeosGeometry& g);
double area(const GeosContext& ctx, const geo::Geometry& g);
// Voronoi cells of `sites` clipped to nothing (caller intersects), envelope grown to `extent`.
// Returns one polygon per cell in GEOS's order.
std::vector<geo::Geometry> voronoi_cells(const GeosContext& ctx, const std::vector<geo::Coord>& sites,
                                         const geo::BBox& extent);

// A prepared geometry for repeated predicates against one geometry, which must outlive it.
class Prepared {
 public:
  Prepared(const GeosContext& ctx, const GeosGeometry& g);
  ~Prepared();
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  bool intersects(const GeosGeometry& other) const;
  bool contains(const GeosGeometry& other) const;

 private:
  const GeosContext* m_ctx;
  const GEOSPreparedGeometry* m_prepared;
};

// Single-part pieces of a geometry: each polygon (with its holes) or each line on its own.
std::vector<geo::Geometry> parts_of(const geo::Geometry& g);

}  // namespace minqing::generate
