#include "print/base_map_shapes.hpp"

#include "base/error.hpp"
#include "render/cairo_context.hpp"

namespace minqing::print {

cairo_surface_t* BaseMapShapes::get(const render::MapRenderer& renderer, const render::RenderRequest& request) {
  if (request.maps.empty()) throw RequestError("a base map needs a map");
  const std::string& map = request.maps.front();
  for (const Entry& e : m_entries) {
    if (e.map == map && e.extent.min_x == request.extent.min_x && e.extent.min_y == request.extent.min_y &&
        e.extent.max_x == request.extent.max_x && e.extent.max_y == request.extent.max_y &&
        e.width == request.width_px && e.height == request.height_px && e.scale == request.scale &&
        e.zoom == request.zoom) {
      return e.surface.get();
    }
  }
  // Bounded to the canvas, as a direct draw is clipped to it.
  const cairo_rectangle_t canvas{0, 0, double(request.width_px), double(request.height_px)};
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &canvas));
  render::check(surface.get(), "creating the base map's recording surface");
  {
    render::RenderRequest shapes = request;
    shapes.maps = {map};
    shapes.shapes_from = 0;
    shapes.draw_labels = false;
    const render::CairoPtr cr = render::make_context(surface.get());
    renderer.draw(cr.get(), shapes);
  }
  render::check(surface.get(), "recording the base map");
  m_entries.push_back(Entry{map, request.extent, request.width_px, request.height_px, request.scale, request.zoom,
                            std::move(surface)});
  return m_entries.back().surface.get();
}

}  // namespace minqing::print
