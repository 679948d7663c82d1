#include <algorithm>
#include <cmath>
#include <numeric>

#include "render/cairo_context.hpp"
#include "render/symbolizers.hpp"

namespace minqing::render {

void draw_line(const Canvas& canvas, const style::LineSymbolizer& s, const FeatureList& features) {
  cairo_t* cr = canvas.cr;
  CairoSave save(cr);
  switch (s.cap) {
    case style::LineCap::butt: cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT); break;
    case style::LineCap::round: cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND); break;
    case style::LineCap::square: cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE); break;
  }
  switch (s.join) {
    case style::LineJoin::miter: cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER); break;
    case style::LineJoin::bevel: cairo_set_line_join(cr, CAIRO_LINE_JOIN_BEVEL); break;
    case style::LineJoin::round: cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND); break;
  }
  cairo_set_miter_limit(cr, s.miter_limit);

  std::vector<std::size_t> order(features.size());
  std::iota(order.begin(), order.end(), 0);
  if (s.sort_key.depends_on_feature()) {
    std::vector<double> keys(features.size());
    for (std::size_t i = 0; i < features.size(); ++i) keys[i] = s.sort_key.evaluate(eval_context(canvas, *features[i]));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  }

  for (std::size_t i : order) {
    const auto& f = *features[i];
    if (!canvas.draw_box.empty() && !canvas.draw_box.intersects(f.bbox)) continue;  // strokes one by one: nothing to keep
    const auto ctx = eval_context(canvas, f);
    const double width = s.width.evaluate(ctx) * canvas.scale;
    const double opacity = s.opacity.evaluate(ctx);
    const style::Color color = s.color.evaluate(ctx);
    if (width <= 0 || opacity <= 0 || color.a <= 0) continue;
    // The outline of a polygon layer's features is drawn too (e.g. hazard zone borders).
    auto lines = lines_in_pixels(f.feature.geometry, canvas.to_px, canvas.clip, canvas.tolerance);
    if (lines.empty()) continue;
    const auto dash_units = s.dasharray.evaluate(ctx);
    std::vector<double> dashes;
    double dash_total = 0;
    for (double d : dash_units) {
      dashes.push_back(std::max(d * width, 0.0));
      dash_total += dashes.back();
    }
    const bool dashed = dashes.size() >= 2 && dash_total > 0;
    set_source(cr, color, opacity);
    cairo_set_line_width(cr, width);
    cairo_new_path(cr);
    for (const auto& line : lines) {
      if (dashed) {
        // Dash phase from the line's start: dashes continue across clip and tile edges.
        cairo_set_dash(cr, dashes.data(), static_cast<int>(dashes.size()), std::fmod(line.start_distance, dash_total));
      }
      cairo_move_to(cr, line.pts[0].x, line.pts[0].y);
      for (std::size_t k = 1; k < line.pts.size(); ++k) cairo_line_to(cr, line.pts[k].x, line.pts[k].y);
      if (dashed) {
        cairo_stroke(cr);
      }
    }
    if (!dashed) cairo_stroke(cr);
  }
  cairo_set_dash(cr, nullptr, 0, 0);
  check(cr, "drawing a line layer");
}

}  // namespace minqing::render
