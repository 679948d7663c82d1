#pragma once
// Thin RAII wrappers over the GEOS C API (reentrant _r functions). The only header that
// includes geos_c.h; link with GEOS::geos_c.

#include <memory>
#include <optional>
#include <string>

#include <geos_c.h>

#include "geo/geometry.hpp"

namespace minqing::geo {

// One GEOS context handle. Not thread-safe: use one per thread.
class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;

  GEOSContextHandle_t handle() const noexcept { return m_handle; }
  // The last error or notice GEOS reported on this context (empty when none).
  const std::string& last_message() const noexcept { return m_message; }

 private:
  static void on_message(const char* message, void* self);
  GEOSContextHandle_t m_handle;
  std::string m_message;
};

// An owned GEOS geometry, destroyed with the context it was made in. The context must outlive it.
class GeosGeometry {
 public:
  GeosGeometry() = default;
  GeosGeometry(const GeosContext& ctx, GEOSGeometry* g) noexcept : m_ctx(&ctx), m_geom(g) {}
  ~GeosGeometry() { reset(); }
  GeosGeometry(GeosGeometry&& o) noexcept : m_ctx(o.m_ctx), m_geom(o.m_geom) { o.m_geom = nullptr; }
  GeosGeometry& operator=(GeosGeometry&& o) noexcept;
  GeosGeometry(const GeosGeometry&) = delete;
  GeosGeometry& operator=(const GeosGeometry&) = delete;

  explicit operator bool() const noexcept { return m_geom != nullptr; }
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
// another dimension than `kind` are dropped (an intersection may yield stray points).
Geometry from_geos(const GeosContext& ctx, const GEOSGeometry* g, GeometryKind kind);

// Validity in GEOS's (OGC) sense. Returns nullopt when valid, else the reason, e.g.
// "Self-intersection[449312.1 3148201.5]".
std::optional<std::string> invalid_reason(const GeosContext& ctx, const Geometry& g);

// GEOS MakeValid, keeping only parts of the geometry's own kind.
Geometry make_valid(const GeosContext& ctx, const Geometry& g);

}  // namespace minqing::geo
