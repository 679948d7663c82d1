#pragma once
// Shaded relief kept for reuse: the sheets of one village in the atlas share their extent, size and
// zoom, so their hillshade is the same image — shading it once per village instead of once per
// sheet saves five of six shadings (and hands cairo the very same surface each time).
//
// A RenderRequest may carry one (RenderRequest::relief_cache); draw_hillshade then looks the
// shaded image up by everything that determines it — extent, pixel size, shading parameters — and
// shades only on a miss, so a cached draw is pixel-for-pixel the draw without the cache.
//
// Not thread-safe: one cache serves one thread at a time (the atlas keeps one per village task).

#include <cairo.h>

#include <memory>
#include <vector>

#include "geo/coord.hpp"
#include "render/relief_source.hpp"

namespace minqing::render {

class ReliefCache {
  struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
  };

 public:
  // An owned cairo surface (as render::SurfacePtr; this header stays free of pango).
  using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

  // The shaded image for `extent` at width × height with `params` (an ARGB32 surface, transparent
  // where no DEM has data), or null when no grid touches the window. `shade` makes it on a miss:
  // it returns the surface, or null for "nothing touched". The cache keeps the surface alive.
  template <class Shade>
  cairo_surface_t* get(const geo::BBox& extent, int width, int height, const HillshadeParams& params, Shade&& shade) {
    for (const Entry& e : m_entries) {
      if (same(e.extent, extent) && e.width == width && e.height == height && same(e.params, params)) {
        return e.surface.get();
      }
    }
    m_entries.push_back(Entry{extent, width, height, params, Surface(shade().release())});
    return m_entries.back().surface.get();
  }

  std::size_t size() const noexcept { return m_entries.size(); }

 private:
  struct Entry {
    geo::BBox extent;
    int width = 0;
    int height = 0;
    HillshadeParams params;
    Surface surface;  // null: nothing to shade there
  };

  static bool same(const geo::BBox& a, const geo::BBox& b) noexcept {
    return a.min_x == b.min_x && a.min_y == b.min_y && a.max_x == b.max_x && a.max_y == b.max_y;
  }
  static bool same(const HillshadeParams& a, const HillshadeParams& b) noexcept {
    return a.exaggeration == b.exaggeration && a.shadow == b.shadow && a.highlight == b.highlight &&
           a.accent == b.accent && a.azimuth_deg == b.azimuth_deg && a.altitude_deg == b.altitude_deg &&
           a.z_factor == b.z_factor;
  }

  std::vector<Entry> m_entries;
};

}  // namespace minqing::render
