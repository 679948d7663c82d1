#include "print/sheet_marks.hpp"

#include <cmath>
#include <numbers>

#include "print/sheet_text.hpp"
#include "render/cairo_context.hpp"

namespace minqing::print {

void draw_confidential_marking(cairo_t* cr, const Rect& title_band, double unit) {
  TextStyle mark;
  mark.size_pt = 11 * unit;
  mark.bold = true;
  mark.r = 0.78;
  mark.g = 0.08;
  mark.b = 0.08;
  const TextSize s = measure_text(cr, kConfidentialMarking, mark);
  const double pad = 4 * unit;
  const double x = title_band.right() - s.w - 2 * pad - 2, y = title_band.y + 4 * unit;
  render::CairoSave save(cr);
  cairo_rectangle(cr, x, y, s.w + 2 * pad, s.h + 2 * pad * 0.6);
  cairo_set_source_rgb(cr, 0.78, 0.08, 0.08);
  cairo_set_line_width(cr, 1.2);
  cairo_stroke(cr);
  draw_text(cr, kConfidentialMarking, mark, x + pad, y + pad * 0.6);
}

void draw_watermark(cairo_t* cr, const Rect& area, const std::string& text, double unit) {
  TextStyle w;
  w.size_pt = 15 * unit;
  w.r = w.g = w.b = 0.35;
  w.a = 0.16;
  const TextSize s = measure_text(cr, text, w);
  const double step_x = s.w + 70 * unit, step_y = 110 * unit;
  render::CairoSave save(cr);
  cairo_rectangle(cr, area.x, area.y, area.w, area.h);
  cairo_clip(cr);
  int row = 0;
  for (double y = area.y + step_y / 2; y < area.bottom() + step_y; y += step_y, ++row) {
    for (double x = area.x + (row % 2) * step_x / 2; x < area.right() + step_x; x += step_x) {
      // Level, not slanted: a slanted line of text is not found by text search (pdftotext), and
      // the watermark must be as findable as the title.
      draw_text(cr, text, w, x, y, {0.5, 0.5});
    }
  }
}

}  // namespace minqing::print
