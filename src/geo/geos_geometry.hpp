#pragma once
// An owned GEOS geometry and the conversions between geo::Geometry and GEOS, validity and
// MakeValid. Needs no GEOS header (GEOSGeometry is GEOS's opaque type, declared as geos_c.h
// declares it). Thread-safety: see geo/geos_context.hpp — a geometry belongs to the context it
// was made in, is used on that context's thread only, and must not outlive it.

#include <optional>
#include <string>

#include "geo/geometry.hpp"
#include "geo/geos_context.hpp"

struct GEOSGeom_t;
typedef struct GEOSGeom_t GEOSGeometry;  // as in geos_c.h

namespace minqing::geo {

// An owned GEOS geometry, destroyed with the context it was made in. The context must outlive
// it. Movable, not copyable (clone() in geometry_ops.hpp copies).
class GeosGeometry {
 public:
  GeosGeometry() = default;
  // Takes ownership of `g` (may be null), which must have been made in `ctx`.
  GeosGeometry(const GeosContext& ctx, GEOSGeometry* g) noexcept : m_ctx(&ctx), m_geom(g) {}
  ~GeosGeometry() { reset(); }
  GeosGeometry(GeosGeometry&& o) noexcept : m_ctx(o.m_ctx), m_geom(o.m_geom) { o.m_geom = nullptr; }
  GeosGeometry& operator=(GeosGeometry&& o) noexcept;
  GeosGeometry(const GeosGeometry&) = delete;
  GeosGeometry& operator=(const GeosGeometry&) = delete;

  explicit operator bool() const noexcept { return m_geom != nullptr; }
  // The raw geometry, owned by this object: for src/geo/*.cpp (and tests) that call GEOS.
  const GEOSGeometry* get() const noexcept { return m_geom; }
  GEOSGeometry* release() noexcept {
    auto* g = m_geom;
    m_geom = nullptr;
    return g;
  }
  void reset() noexcept;

 private:
  const GeosContext* m_ctx = nullptr;
  GEOSGeometry* m_geom = nullptr;
};

// Conversions. to_geos throws DataError on a geometry GEOS refuses (too few points for a ring).
GeosGeometry to_geos(const GeosContext& ctx, const Geometry& g);
// Converts points, lines and polygons (single, multi or collections of one kind). Parts of
// another dimension than `kind` are dropped (an intersection may yield stray points). A null
// `g` gives an empty geometry.
Geometry from_geos(const GeosContext& ctx, const GEOSGeometry* g, GeometryKind kind);
inline Geometry from_geos(const GeosContext& ctx, const GeosGeometry& g, GeometryKind kind) {
  return from_geos(ctx, g.get(), kind);
}

// Validity in GEOS's (OGC) sense. Returns nullopt when valid, else the reason, e.g.
// "Self-intersection[449312.1 3148201.5]".
std::optional<std::string> invalid_reason(const GeosContext& ctx, const Geometry& g);

// GEOS MakeValid, keeping only parts of the geometry's own kind. @throws DataError when GEOS fails.
Geometry make_valid(const GeosContext& ctx, const Geometry& g);

}  // namespace minqing::geo
