#include <algorithm>
#include <numeric>

#include "render/cairo_context.hpp"
#include "render/symbolizers.hpp"

namespace minqing::render {

void set_source(cairo_t* cr, const style::Color& c, double opacity) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * std::clamp(opacity, 0.0, 1.0));
}

void draw_background(const Canvas& canvas, const style::BackgroundSymbolizer& s) {
  const style::EvalContext ctx{canvas.zoom, nullptr, geo::GeometryKind::polygon};
  CairoSave save(canvas.cr);
  set_source(canvas.cr, s.color.evaluate(ctx), s.opacity.evaluate(ctx));
  cairo_rectangle(canvas.cr, 0, 0, canvas.width, canvas.height);
  cairo_fill(canvas.cr);
  check(canvas.cr, "drawing a background layer");
}

namespace {

void add_polygons(cairo_t* cr, const std::vector<PixelPolygon>& polys) {
  for (const auto& poly : polys) {
    for (const auto& ring : poly) {
      cairo_move_to(cr, ring[0].x, ring[0].y);
      for (std::size_t i = 1; i < ring.size(); ++i) cairo_line_to(cr, ring[i].x, ring[i].y);
      cairo_close_path(cr);
    }
  }
}

struct FillStyle {
  style::Color color;
  double opacity;
  std::optional<style::Color> outline;
  bool operator==(const FillStyle&) const = default;
};

}  // namespace

void draw_fill(const Canvas& canvas, const style::FillSymbolizer& s, const FeatureList& features) {
  cairo_t* cr = canvas.cr;
  CairoSave save(cr);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_set_antialias(cr, s.antialias ? CAIRO_ANTIALIAS_DEFAULT : CAIRO_ANTIALIAS_NONE);
  cairo_set_line_width(cr, 1.0 * canvas.scale);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);

  // Order by sort key (stable: fid order otherwise).
  std::vector<std::size_t> order(features.size());
  std::iota(order.begin(), order.end(), 0);
  if (s.sort_key.depends_on_feature()) {
    std::vector<double> keys(features.size());
    for (std::size_t i = 0; i < features.size(); ++i) keys[i] = s.sort_key.evaluate(eval_context(canvas, *features[i]));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  }

  // Features of equal style are filled as one path: fewer cairo calls, and no hairline seams
  // between adjacent polygons of the same colour.
  std::optional<FillStyle> pending;
  std::vector<PixelPolygon> batch;
  // Features beyond the draw box (Canvas::draw_box) draw nothing here, but in the whole metatile's
  // draw one of another style between two features of the same style splits their batch (one fill
  // or two: antialiased edges where they meet differ). They wait here, unconverted, for the next
  // feature that draws: only when it has the pending style does one of them need converting, to
  // learn whether it would have split the batch (a feature whose polygons vanish in clipping or
  // simplification splits nothing).
  std::vector<const store::ServedFeature*> unseen;
  const auto splits = [&] {
    for (const auto* u : unseen) {
      if (!polygons_in_pixels(u->feature.geometry, canvas.to_px, canvas.clip, canvas.tolerance).empty()) return true;
    }
    return false;
  };
  auto flush = [&] {
    if (!pending || batch.empty()) return;
    cairo_new_path(cr);
    add_polygons(cr, batch);
    set_source(cr, pending->color, pending->opacity);
    if (pending->outline) {
      cairo_fill_preserve(cr);
      set_source(cr, *pending->outline, pending->opacity);
      cairo_stroke(cr);
    } else {
      cairo_fill(cr);
    }
    batch.clear();
  };
  for (std::size_t i : order) {
    const auto& f = *features[i];
    const auto ctx = eval_context(canvas, f);
    FillStyle fs{s.color.evaluate(ctx), s.opacity.evaluate(ctx), std::nullopt};
    if (s.outline_color) fs.outline = s.outline_color->evaluate(ctx);
    if (fs.opacity <= 0 || (fs.color.a <= 0 && (!fs.outline || fs.outline->a <= 0))) continue;
    if (!canvas.draw_box.empty() && !canvas.draw_box.intersects(f.bbox)) {
      // Of the pending style it would only join the batch, elsewhere: nothing to remember.
      if (pending && !(*pending == fs)) unseen.push_back(&f);
      continue;
    }
    auto polys = polygons_in_pixels(f.feature.geometry, canvas.to_px, canvas.clip, canvas.tolerance);
    if (polys.empty()) continue;
    if (!pending || !(*pending == fs) || (!unseen.empty() && splits())) {
      flush();
      pending = fs;
    }
    unseen.clear();
    for (auto& p : polys) batch.push_back(std::move(p));
  }
  flush();
  check(cr, "drawing a fill layer");
}

}  // namespace minqing::render
