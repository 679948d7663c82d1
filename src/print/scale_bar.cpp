#include "print/scale_bar.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "print/paper.hpp"
#include "print/sheet_text.hpp"
#include "render/cairo_context.hpp"

namespace minqing::print {

std::string scale_text(int scale) { return "1:" + std::to_string(scale); }

double scale_bar_length_m(int scale, double max_pt) noexcept {
  const double max_m = max_pt / kPointsPerMm / 1000 * scale;
  double step = 1;
  while (step * 10 <= max_m) step *= 10;
  for (const double f : {5.0, 2.0}) {
    if (step * f <= max_m) return step * f;
  }
  return step;
}

namespace {

std::string metres(double m) {
  if (m == std::floor(m)) return std::to_string(static_cast<long long>(m));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", m);
  return buf;
}

}  // namespace

double draw_scale(cairo_t* cr, int scale, double cx, double top, double max_width_pt, double unit) {
  TextStyle big;
  big.size_pt = 12 * unit;
  big.bold = true;
  const TextSize t = draw_text(cr, "比例尺 " + scale_text(scale), big, cx, top, {0.5, 0});
  const double length_m = scale_bar_length_m(scale, max_width_pt * 0.85);
  const double length_pt = length_m / scale * 1000 * kPointsPerMm;
  const double x0 = cx - length_pt / 2, y0 = top + t.h + 6 * unit, h = 4 * unit;
  render::CairoSave save(cr);
  cairo_set_line_width(cr, 0.6);
  constexpr int kSegments = 4;
  for (int i = 0; i < kSegments; ++i) {
    cairo_rectangle(cr, x0 + length_pt * i / kSegments, y0, length_pt / kSegments, h);
    if (i % 2 == 0) {
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    } else {
      cairo_set_source_rgb(cr, 1, 1, 1);
    }
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_stroke(cr);
  }
  TextStyle small;
  small.size_pt = 7 * unit;
  const bool km = length_m >= 1000 && std::fmod(length_m, 1000) == 0 && std::fmod(length_m / 2, 1000) == 0;
  for (const int i : {0, 2, 4}) {
    const double v = length_m * i / kSegments;
    std::string text = metres(km ? v / 1000 : v);
    if (i == 4) text += km ? " 千米" : " 米";
    draw_text(cr, text, small, x0 + length_pt * i / kSegments, y0 + h + 2 * unit, {i == 4 ? 0.25 : 0.5, 0});
  }
  render::check(cr, "drawing the scale bar");
  return y0 + h + 2 * unit + 10 * unit - top;
}

void draw_north_arrow(cairo_t* cr, double cx, double top, double h, double unit) {
  TextStyle north;
  north.size_pt = 11 * unit;
  north.bold = true;
  const TextSize t = draw_text(cr, "北", north, cx, top, {0.5, 0});
  const double y0 = top + t.h + 1, y1 = top + h, w = h * 0.22, mid = y1 - (y1 - y0) * 0.28;
  render::CairoSave save(cr);
  cairo_set_line_width(cr, 0.7);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  // Left half dark, right half light: the classic arrow, readable in black and white.
  cairo_move_to(cr, cx, y0);
  cairo_line_to(cr, cx - w, y1);
  cairo_line_to(cr, cx, mid);
  cairo_close_path(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_fill_preserve(cr);
  cairo_stroke(cr);
  cairo_move_to(cr, cx, y0);
  cairo_line_to(cr, cx + w, y1);
  cairo_line_to(cr, cx, mid);
  cairo_close_path(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_stroke(cr);
  (void)unit;
  render::check(cr, "drawing the north arrow");
}

}  // namespace minqing::print
