#pragma once
// RAII for the cairo and pango objects the renderer creates, and the one place where a cairo
// status becomes an exception. The cairo/pango adapter header of render/.

#include <memory>
#include <string>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "base/error.hpp"

namespace minqing::render {

struct CairoSurfaceDeleter {
  void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
struct CairoDeleter {
  void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};
struct GObjectDeleter {
  void operator()(void* o) const noexcept { g_object_unref(o); }
};
struct FontDescriptionDeleter {
  void operator()(PangoFontDescription* d) const noexcept { pango_font_description_free(d); }
};

using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceDeleter>;
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectDeleter>;
using FontDescriptionPtr = std::unique_ptr<PangoFontDescription, FontDescriptionDeleter>;

// @throws RenderError naming `what` when the surface or context is in an error state.
inline void check(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw RenderError(std::string(what) + ": cairo: " + cairo_status_to_string(status));
  }
}
inline void check(cairo_t* cr, const char* what) { check(cairo_status(cr), what); }
inline void check(cairo_surface_t* s, const char* what) { check(cairo_surface_status(s), what); }

// A new ARGB32 image surface. @throws RenderError when it cannot be created.
inline SurfacePtr make_image_surface(int width, int height) {
  SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
  check(s.get(), "creating the image surface");
  return s;
}

inline CairoPtr make_context(cairo_surface_t* surface) {
  CairoPtr cr(cairo_create(surface));
  check(cr.get(), "creating the cairo context");
  return cr;
}

// Saves the cairo state and restores it on scope exit.
class CairoSave {
 public:
  explicit CairoSave(cairo_t* cr) : m_cr(cr) { cairo_save(cr); }
  ~CairoSave() { cairo_restore(m_cr); }
  CairoSave(const CairoSave&) = delete;
  CairoSave& operator=(const CairoSave&) = delete;

 private:
  cairo_t* m_cr;
};

}  // namespace minqing::render
