#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "render/cairo_context.hpp"
#include "render/symbolizers.hpp"

namespace minqing::render {

void draw_circle(const Canvas& canvas, const style::CircleSymbolizer& s, const FeatureList& features) {
  cairo_t* cr = canvas.cr;
  CairoSave save(cr);
  std::vector<std::size_t> order(features.size());
  std::iota(order.begin(), order.end(), 0);
  if (s.sort_key.depends_on_feature()) {
    std::vector<double> keys(features.size());
    for (std::size_t i = 0; i < features.size(); ++i) keys[i] = s.sort_key.evaluate(eval_context(canvas, *features[i]));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  }
  for (std::size_t i : order) {
    const auto& f = *features[i];
    if (!canvas.draw_box.empty() && !canvas.draw_box.intersects(f.bbox)) continue;
    const auto ctx = eval_context(canvas, f);
    const double r = s.radius.evaluate(ctx) * canvas.scale;
    const double sw = s.stroke_width.evaluate(ctx) * canvas.scale;
    const double opacity = s.opacity.evaluate(ctx);
    const style::Color fill = s.color.evaluate(ctx);
    const style::Color stroke = s.stroke_color.evaluate(ctx);
    const double stroke_opacity = s.stroke_opacity.evaluate(ctx);
    if (r <= 0) continue;
    const auto& g = f.feature.geometry;
    // Points of a point layer; the label point of lines and polygons is not drawn as a circle.
    if (g.kind != geo::GeometryKind::point) continue;
    for (const auto& c : g.coords) {
      const geo::Coord p = canvas.to_px(c);
      if (p.x < canvas.clip.min_x - r - sw || p.x > canvas.clip.max_x + r + sw || p.y < canvas.clip.min_y - r - sw ||
          p.y > canvas.clip.max_y + r + sw) {
        continue;
      }
      cairo_new_path(cr);
      cairo_arc(cr, p.x, p.y, r, 0, 2 * std::numbers::pi);
      if (opacity > 0 && fill.a > 0) {
        set_source(cr, fill, opacity);
        cairo_fill(cr);
      }
      if (sw > 0 && stroke_opacity > 0 && stroke.a > 0) {
        // The stroke lies outside the radius, as in MapLibre.
        cairo_new_path(cr);
        cairo_arc(cr, p.x, p.y, r + sw / 2, 0, 2 * std::numbers::pi);
        cairo_set_line_width(cr, sw);
        set_source(cr, stroke, stroke_opacity);
        cairo_stroke(cr);
      }
    }
  }
  check(cr, "drawing a circle layer");
}

}  // namespace minqing::render
