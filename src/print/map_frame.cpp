#include "print/map_frame.hpp"

#include <cmath>

#include "render/cairo_context.hpp"

namespace minqing::print {

render::RenderRequest map_request(const MapView& view, const std::vector<std::string>& maps,
                                  const store::FeatureSource& features) {
  render::RenderRequest r;
  r.maps = maps;
  r.extent = view.extent;
  r.width_px = static_cast<int>(std::lround(view.frame.w * kPixelsPerPoint));
  r.height_px = static_cast<int>(std::lround(view.frame.h * kPixelsPerPoint));
  r.scale = kPixelsPerPoint * kPointsPerStylePixel;
  r.zoom = render::zoom_for(r.extent, r.width_px, r.scale);
  r.features = &features;
  r.label_extent = view.extent;  // labels wholly inside the frame
  r.hillshade_resolution = kHillshadePixelsPerPoint / kPixelsPerPoint;
  return r;
}

namespace {

void add_rings(cairo_t* cr, const MapView& view, const geo::Geometry& g) {
  std::uint32_t start = 0;
  for (const std::uint32_t end : g.part_ends) {
    for (std::uint32_t i = start; i < end; ++i) {
      const geo::Coord p = view.to_page(g.coords[i]);
      if (i == start) {
        cairo_move_to(cr, p.x, p.y);
      } else {
        cairo_line_to(cr, p.x, p.y);
      }
    }
    cairo_close_path(cr);
    start = end;
  }
}

}  // namespace

void stroke_village_boundary(cairo_t* cr, double band_width) {
  render::CairoSave save(cr);
  cairo_set_source_rgba(cr, 0.62, 0.36, 0.66, 0.35);
  cairo_set_line_width(cr, band_width);
  cairo_stroke_preserve(cr);
  const double dashes[] = {7, 2, 1.5, 2};
  cairo_set_dash(cr, dashes, 4, 0);
  cairo_set_source_rgb(cr, 0.42, 0.16, 0.46);
  cairo_set_line_width(cr, 1.1);
  cairo_stroke(cr);
}

void draw_map_frame(cairo_t* cr, const render::MapRenderer& renderer, const render::RenderRequest& request,
                    const MapView& view, const geo::Geometry& village, cairo_surface_t* base_shapes) {
  render::CairoSave save(cr);
  const Rect& f = view.frame;
  cairo_rectangle(cr, f.x, f.y, f.w, f.h);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  {
    render::CairoSave map(cr);
    cairo_translate(cr, f.x, f.y);
    cairo_scale(cr, 1.0 / kPixelsPerPoint, 1.0 / kPixelsPerPoint);
    if (base_shapes) {
      cairo_set_source_surface(cr, base_shapes, 0, 0);
      cairo_paint(cr);
      render::RenderRequest rest = request;
      rest.shapes_from = 1;
      renderer.draw(cr, rest);
    } else {
      renderer.draw(cr, request);
    }
  }
  if (village.kind == geo::GeometryKind::polygon && !village.empty()) {
    // The veil: the frame minus the village (even-odd), translucent white.
    cairo_new_path(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    add_rings(cr, view, village);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.62);
    cairo_fill(cr);
    add_rings(cr, view, village);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    stroke_village_boundary(cr, 4.5);
  }
  render::check(cr, "drawing the map frame");
}

}  // namespace minqing::print
