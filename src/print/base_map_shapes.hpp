#pragma once
// A village's base map drawn once and laid under each of its sheets. The atlas prints a village's
// maps on one PDF surface, and every thematic sheet draws its map over the same terrain base map,
// at the same extent and scale as the terrain sheet itself. Drawn for each page, the base map's
// shapes — most of a page's ~35,000 path coordinates — were replayed by cairo, printed as decimal
// text and deflated once per sheet. Recorded once (a cairo recording surface) and painted under
// each page, they become one Form XObject that the village's pages share: cairo's PDF surface
// writes a source surface once per document. Each sheet's own file keeps its copy (pdf_split).
//
// Only the shapes: the base map's labels are placed together with the sheet map's own, on each
// page, exactly as before (render::RenderRequest::shapes_from, draw_labels).
//
// Not thread-safe: one per PDF being drawn.

#include <cairo.h>

#include <memory>
#include <string>
#include <vector>

#include "geo/coord.hpp"
#include "render/map_renderer.hpp"

namespace minqing::print {

class BaseMapShapes {
 public:
  // The shapes, without labels, of `request.maps.front()` on `request`'s canvas (user space: one
  // unit per canvas pixel, origin at the top-left), recorded on the first call for that map,
  // extent, canvas size, scale and zoom. The surface lives as long as this object.
  // @throws as render::MapRenderer::draw.
  cairo_surface_t* get(const render::MapRenderer& renderer, const render::RenderRequest& request);

  std::size_t size() const noexcept { return m_entries.size(); }

 private:
  struct SurfaceDeleter {  // as render::SurfacePtr; this header stays free of pango
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
  };
  struct Entry {
    std::string map;
    geo::BBox extent;
    int width = 0;
    int height = 0;
    double scale = 0;
    double zoom = 0;
    std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface;
  };
  std::vector<Entry> m_entries;
};

}  // namespace minqing::print
