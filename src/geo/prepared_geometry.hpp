#pragma once
// A GEOS prepared geometry: one geometry (a filter literal, a bbox, a hazard zone, a land-cover
// piece) indexed once for many predicates against other geometries. Needs no GEOS header.
//
// Thread-safety: see geo/geos_context.hpp. A prepared geometry belongs to the context it was
// made in: use it on that context's thread only, and destroy it before the context.

#include <optional>

#include "geo/geometry.hpp"
#include "geo/geos_context.hpp"
#include "geo/geos_geometry.hpp"

struct GEOSPrepGeom_t;
typedef struct GEOSPrepGeom_t GEOSPreparedGeometry;  // as in geos_c.h

namespace minqing::geo {

// How a prepared geometry P relates to another geometry G, read "P <relation> G".
enum class SpatialRelation {
  intersects,
  disjoint,
  touches,
  contains,  // G lies in P
  within,    // P lies in G
  covers,    // no point of G outside P
  overlaps,
  crosses,
  equals,    // topologically equal (tested on P's geometry, unprepared)
};

class PreparedGeometry {
 public:
  // Prepares `geometry`, which it owns from now on.
  // @throws DataError (with GEOS's message) when GEOS cannot prepare it.
  PreparedGeometry(const GeosContext& ctx, GeosGeometry geometry);
  // Converts `g` to GEOS, then prepares it. @throws DataError when GEOS refuses or cannot prepare it.
  PreparedGeometry(const GeosContext& ctx, const Geometry& g);
  ~PreparedGeometry();
  PreparedGeometry(PreparedGeometry&& o) noexcept;
  PreparedGeometry& operator=(PreparedGeometry&& o) noexcept;
  PreparedGeometry(const PreparedGeometry&) = delete;
  PreparedGeometry& operator=(const PreparedGeometry&) = delete;

  // The geometry it was made from.
  const GeosGeometry& geometry() const noexcept { return m_geometry; }

  // Whether "this `relation` other" holds; nullopt when GEOS fails on `other` (the context's
  // last_message() says why). `other` must be made in the same context.
  std::optional<bool> relation(SpatialRelation relation, const GeosGeometry& other) const noexcept;

  // Shorthands. @throws DataError (with GEOS's message) when GEOS fails; the overloads taking a
  // geo::Geometry convert it first, and throw DataError when GEOS refuses it.
  bool intersects(const GeosGeometry& other) const;
  bool intersects(const Geometry& other) const;
  bool contains(const GeosGeometry& other) const;
  bool contains(const Geometry& other) const;
  bool covers(const GeosGeometry& other) const;
  bool covers(const Geometry& other) const;
  bool within(const GeosGeometry& other) const;
  bool within(const Geometry& other) const;
  // Whether the planar distance between this and `other` is at most `distance` (CRS units).
  bool distance_within(const GeosGeometry& other, double distance) const;
  bool distance_within(const Geometry& other, double distance) const;

 private:
  bool checked(SpatialRelation relation, const GeosGeometry& other) const;
  bool checked(SpatialRelation relation, const Geometry& other) const;
  void destroy() noexcept;

  const GeosContext* m_ctx;
  GeosGeometry m_geometry;
  const GEOSPreparedGeometry* m_prepared = nullptr;
};

}  // namespace minqing::geo
