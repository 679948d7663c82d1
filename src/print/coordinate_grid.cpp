#include "print/coordinate_grid.hpp"

#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "geo/projection.hpp"
#include "print/sheet_text.hpp"
#include "render/cairo_context.hpp"

namespace minqing::print {

namespace {

// PROJ transforms are not thread-safe: one pair per rendering thread, made at first use.
struct GridTransforms {
  geo::Transform to_survey{"EPSG:3857", "EPSG:4549"};
  geo::Transform to_mercator{"EPSG:4549", "EPSG:3857"};
};

GridTransforms& transforms() {
  thread_local GridTransforms t;
  return t;
}

std::string label_of(double metres) {
  // Whole metres; kilometres and metres apart for reading (3149 500 → "3149.5").
  const long long v = std::llround(metres);
  const long long km = v / 1000, m = v % 1000;
  if (m == 0) return std::to_string(km);
  std::string frac = std::to_string(m + 1000).substr(1);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return std::to_string(km) + "." + frac;
}

// Where the page polyline `pts` crosses the horizontal line y = c (first crossing), if anywhere.
std::optional<double> cross_y(const std::vector<geo::Coord>& pts, double c) {
  for (std::size_t i = 1; i < pts.size(); ++i) {
    const geo::Coord a = pts[i - 1], b = pts[i];
    if ((a.y - c) * (b.y - c) <= 0 && a.y != b.y) return a.x + (c - a.y) / (b.y - a.y) * (b.x - a.x);
  }
  return std::nullopt;
}
std::optional<double> cross_x(const std::vector<geo::Coord>& pts, double c) {
  for (std::size_t i = 1; i < pts.size(); ++i) {
    const geo::Coord a = pts[i - 1], b = pts[i];
    if ((a.x - c) * (b.x - c) <= 0 && a.x != b.x) return a.y + (c - a.x) / (b.x - a.x) * (b.y - a.y);
  }
  return std::nullopt;
}

}  // namespace

double grid_spacing_m(int scale) noexcept {
  const double target = scale * 0.04;  // 4 cm of paper
  double step = 1;
  while (step * 10 <= target) step *= 10;
  for (const double f : {5.0, 2.0, 1.0}) {
    if (step * f <= target * 1.3) return step * f;
  }
  return step;
}

void draw_coordinate_grid(cairo_t* cr, const MapView& view, double label_room, double unit) {
  GridTransforms& t = transforms();
  const geo::BBox survey = t.to_survey.apply(view.extent);
  const double step = grid_spacing_m(view.scale);
  const Rect& f = view.frame;
  constexpr int kSamples = 16;
  const auto line_on_page = [&](geo::Coord a, geo::Coord b) {
    std::vector<geo::Coord> pts;
    for (int i = 0; i <= kSamples; ++i) {
      const double s = static_cast<double>(i) / kSamples;
      pts.push_back({a.x + (b.x - a.x) * s, a.y + (b.y - a.y) * s});
    }
    t.to_mercator.apply(pts);
    for (auto& p : pts) p = view.to_page(p);
    return pts;
  };
  const auto stroke = [&](const std::vector<geo::Coord>& pts) {
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (i == 0) {
        cairo_move_to(cr, pts[i].x, pts[i].y);
      } else {
        cairo_line_to(cr, pts[i].x, pts[i].y);
      }
    }
  };
  TextStyle label;
  label.size_pt = 6.5 * unit;
  label.r = label.g = label.b = 0.2;
  const double pad = std::min(2.0, label_room / 4);

  render::CairoSave save(cr);
  cairo_set_line_width(cr, 0.35);
  cairo_set_source_rgba(cr, 0.15, 0.25, 0.45, 0.55);
  std::vector<std::pair<std::vector<geo::Coord>, double>> eastings, northings;
  for (double e = std::ceil(survey.min_x / step) * step; e <= survey.max_x; e += step) {
    eastings.push_back({line_on_page({e, survey.min_y}, {e, survey.max_y}), e});
  }
  for (double n = std::ceil(survey.min_y / step) * step; n <= survey.max_y; n += step) {
    northings.push_back({line_on_page({survey.min_x, n}, {survey.max_x, n}), n});
  }
  {
    render::CairoSave clip(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    cairo_clip(cr);
    for (const auto& [pts, v] : eastings) stroke(pts);
    for (const auto& [pts, v] : northings) stroke(pts);
    cairo_stroke(cr);
  }
  // Labels where the lines leave the frame, kept off the corners.
  const double corner = 14 * unit;
  for (const auto& [pts, e] : eastings) {
    const std::string text = label_of(e);
    if (auto x = cross_y(pts, f.y); x && *x > f.x + corner && *x < f.right() - corner) {
      draw_text(cr, text, label, *x, f.y - pad, {0.5, 1});
    }
    if (auto x = cross_y(pts, f.bottom()); x && *x > f.x + corner && *x < f.right() - corner) {
      draw_text(cr, text, label, *x, f.bottom() + pad, {0.5, 0});
    }
  }
  for (const auto& [pts, n] : northings) {
    const std::string text = label_of(n);
    // Written along the frame edge (rotated), as on topographic sheets, so they fit the margin.
    if (auto y = cross_x(pts, f.x); y && *y > f.y + corner && *y < f.bottom() - corner) {
      draw_text(cr, text, label, f.x - pad, *y, {0.5, 1}, -std::numbers::pi / 2);
    }
    if (auto y = cross_x(pts, f.right()); y && *y > f.y + corner && *y < f.bottom() - corner) {
      draw_text(cr, text, label, f.right() + pad, *y, {0.5, 1}, std::numbers::pi / 2);
    }
  }
  render::check(cr, "drawing the coordinate grid");
}

}  // namespace minqing::print
