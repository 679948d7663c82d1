#include "print/sheet_legend.hpp"

#include <algorithm>

#include "model/layer_catalog.hpp"
#include "model/value.hpp"
#include "print/map_frame.hpp"
#include "print/sheet_text.hpp"
#include "render/cairo_context.hpp"

namespace minqing::print {

std::vector<style::LegendEntry> entries_present(const style::Style& style, double zoom,
                                                const query::ScopedReader& reader, const geo::BBox& extent) {
  std::vector<style::LegendEntry> out;
  std::string last_class;
  std::vector<store::ServedFeaturePtr> features;
  for (const style::LegendEntry& e : style::legend(style, zoom)) {
    if (!reader.view(e.cls->name)) continue;  // a class the caller may not see is not on the sheet
    if (e.cls->name != last_class) {
      features.clear();
      reader.query(e.cls->name, extent, features);
      last_class = e.cls->name;
    }
    const int field = e.field.empty() ? -1 : e.cls->field_index(e.field);
    const bool present = std::any_of(features.begin(), features.end(), [&](const store::ServedFeaturePtr& f) {
      if (field < 0) return true;
      const auto i = static_cast<std::size_t>(field);
      return i < f->feature.values.size() && model::to_display_string(f->feature.values[i]) == e.value;
    });
    if (present) out.push_back(e);
  }
  return out;
}

namespace {

void set_color(cairo_t* cr, const style::Color& c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }

// The swatch of `e` in the box (x, y, w, h).
void draw_swatch(cairo_t* cr, const style::LegendEntry& e, double x, double y, double w, double h) {
  render::CairoSave save(cr);
  switch (e.kind) {
    case style::SwatchKind::fill:
      cairo_rectangle(cr, x, y, w, h);
      set_color(cr, e.color);
      cairo_fill_preserve(cr);
      if (e.stroke) {
        set_color(cr, *e.stroke);
      } else {
        cairo_set_source_rgba(cr, 0, 0, 0, 0.25);
      }
      cairo_set_line_width(cr, 0.5);
      cairo_stroke(cr);
      break;
    case style::SwatchKind::line:
      cairo_move_to(cr, x, y + h / 2);
      cairo_line_to(cr, x + w, y + h / 2);
      set_color(cr, e.color);
      cairo_set_line_width(cr, std::min(h * 0.45, 2.4));
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      cairo_stroke(cr);
      break;
    case style::SwatchKind::circle:
      cairo_arc(cr, x + w / 2, y + h / 2, h * 0.42, 0, 6.283185307179586);
      set_color(cr, e.color);
      cairo_fill_preserve(cr);
      if (e.stroke) {
        set_color(cr, *e.stroke);
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
      }
      cairo_new_path(cr);
      break;
  }
}

void draw_boundary_swatch(cairo_t* cr, double x, double y, double w, double h) {
  cairo_new_path(cr);
  cairo_move_to(cr, x, y + h / 2);
  cairo_line_to(cr, x + w, y + h / 2);
  stroke_village_boundary(cr, 4);
}

}  // namespace

namespace {

// One row of the legend: the village boundary, a section's heading, a class's heading over its
// categories, or an entry.
struct Row {
  enum class Kind { boundary, section, class_heading, entry } kind;
  std::string text;
  const style::LegendEntry* entry = nullptr;
};

// The legend's rows, in order: the boundary, then each section (its heading unless the sheet's
// own), categories under their class's name ("高" alone says nothing; "地质灾害隐患区" above it
// does); a class drawn one way is one row with its own name.
std::vector<Row> legend_rows(const std::vector<LegendSection>& sections) {
  std::vector<Row> rows{{Row::Kind::boundary, "本村村界"}};
  for (const LegendSection& s : sections) {
    if (!s.heading.empty()) rows.push_back({Row::Kind::section, s.heading});
    const model::FeatureClassDef* last_class = nullptr;
    for (const style::LegendEntry& e : s.entries) {
      if (!e.field.empty() && e.cls != last_class) rows.push_back({Row::Kind::class_heading, e.cls->title.zh});
      last_class = e.field.empty() ? nullptr : e.cls;
      rows.push_back({Row::Kind::entry, e.title, &e});
    }
  }
  return rows;
}

// The legend's measures at size `k` (1 = the sheet's normal size), points.
struct LegendMetrics {
  double heading_gap, row, swatch_w, swatch_h, column_w, section_gap;
  static LegendMetrics at(double k, double unit, const Rect& box) {
    const double u = unit * k;
    return {5 * u, 13.5 * u, 20 * u, 9 * u, std::min(box.w, 118 * u), 3 * u};
  }
};

// Where each row goes in `box`, the rows flowing down and into further columns, below a heading
// of height `heading_h`; a heading is never left alone at the foot of a column. Empty when they
// do not all fit.
std::vector<geo::Coord> flow(const std::vector<Row>& rows, const LegendMetrics& m, const Rect& box, double heading_h) {
  std::vector<geo::Coord> at;
  const double top = box.y + heading_h + m.heading_gap;
  double x = box.x, y = top;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].kind == Row::Kind::section) y += m.section_gap;
    const bool heading = rows[i].kind == Row::Kind::section || rows[i].kind == Row::Kind::class_heading;
    const double need = heading && i + 1 < rows.size() ? 2 * m.row : m.row;
    if (y + need > box.bottom()) {
      x += m.column_w;
      y = top;
      if (x + m.column_w > box.right() + 1) return {};
    }
    at.push_back({x, y});
    y += m.row;
  }
  return at;
}

}  // namespace

std::vector<std::string> draw_legend(cairo_t* cr, const Rect& box, const std::vector<LegendSection>& sections,
                                     double unit) {
  const std::vector<Row> rows = legend_rows(sections);
  TextStyle heading;
  heading.size_pt = 13 * unit;
  heading.bold = true;
  heading.letter_spacing_pt = 6 * unit;
  const double heading_h = measure_text(cr, "图例", heading).h;
  // The largest size, in steps down to a little over half, at which every row fits; at the
  // smallest, what still fits (the sheet's own map first).
  constexpr double kSmallest = 0.55;
  double k = 1;
  std::vector<geo::Coord> at = flow(rows, LegendMetrics::at(k, unit, box), box, heading_h);
  while (at.empty() && k > kSmallest) {
    k = std::max(kSmallest, k - 0.05);
    at = flow(rows, LegendMetrics::at(k, unit, box), box, heading_h);
  }
  std::size_t shown = rows.size();
  while (at.empty() && shown > 0) {
    --shown;
    while (shown > 0 && rows[shown - 1].kind != Row::Kind::entry && rows[shown - 1].kind != Row::Kind::boundary) {
      --shown;  // no heading without its entries
    }
    at = flow(std::vector<Row>(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(shown)),
              LegendMetrics::at(k, unit, box), box, heading_h);
  }
  const LegendMetrics m = LegendMetrics::at(k, unit, box);
  draw_text(cr, "图例", heading, box.x, box.y);
  TextStyle item;
  item.size_pt = 8 * unit * k;
  TextStyle section = item;
  section.bold = true;
  section.r = section.g = section.b = 0.35;
  std::vector<std::string> drawn;
  for (std::size_t i = 0; i < at.size(); ++i) {
    const Row& r = rows[i];
    const double x = at[i].x, y = at[i].y;
    switch (r.kind) {
      case Row::Kind::boundary:
        draw_boundary_swatch(cr, x, y, m.swatch_w, m.swatch_h);
        break;
      case Row::Kind::section:
      case Row::Kind::class_heading:
        draw_text(cr, r.text, section, x, y + m.swatch_h / 2, {0, 0.5});
        continue;
      case Row::Kind::entry:
        draw_swatch(cr, *r.entry, x, y, m.swatch_w, m.swatch_h);
        break;
    }
    draw_text(cr, r.text, item, x + m.swatch_w + 5 * unit * k, y + m.swatch_h / 2, {0, 0.5});
    drawn.push_back(r.text);
  }
  render::check(cr, "drawing the legend");
  return drawn;
}

}  // namespace minqing::print
