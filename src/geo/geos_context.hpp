#pragma once
// A GEOS context: the per-thread state every GEOS operation runs in (GEOS's reentrant _r API).
// Needs no GEOS header: the handle is GEOS's opaque pointer type, declared here as geos_c.h
// declares it. Only src/geo/*.cpp call GEOS; other modules hold a context and pass it to the
// geo/ wrappers (geos_geometry.hpp, prepared_geometry.hpp, nearest_points.hpp, geometry_ops.hpp).
//
// Thread-safety model: a context is not thread-safe. Use one per thread (or per object that
// lives on one thread: a request's evaluator, a generator job). Every GeosGeometry and
// PreparedGeometry is made in one context, must be used only with it, and must be destroyed
// before it.

#include <string>

struct GEOSContextHandle_HS;
typedef struct GEOSContextHandle_HS* GEOSContextHandle_t;  // as in geos_c.h

namespace minqing::geo {

class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;

  // The raw handle, for src/geo/*.cpp (and tests) that call GEOS directly.
  GEOSContextHandle_t handle() const noexcept { return m_handle; }
  // The last error or notice GEOS reported on this context (empty when none).
  const std::string& last_message() const noexcept { return m_message; }

 private:
  static void on_message(const char* message, void* self);
  GEOSContextHandle_t m_handle;
  std::string m_message;
};

}  // namespace minqing::geo
