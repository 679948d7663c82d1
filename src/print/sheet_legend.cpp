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

std::vector<std::string> draw_legend(cairo_t* cr, const Rect& box, const std::vector<LegendSection>& sections,
                                     double unit) {
  std::vector<std::string> drawn;
  TextStyle heading;
  heading.size_pt = 13 * unit;
  heading.bold = true;
  heading.letter_spacing_pt = 6 * unit;
  const TextSize hs = draw_text(cr, "图例", heading, box.x, box.y);
  TextStyle item;
  item.size_pt = 8 * unit;
  TextStyle section = item;
  section.bold = true;
  section.r = section.g = section.b = 0.35;
  const double row = 13.5 * unit, sw = 20 * unit, sh = 9 * unit, col_w = std::min(box.w, 118 * unit);
  double x = box.x, y = box.y + hs.h + 5 * unit;
  const double top = y;
  // Moves to the next row (or column); false when the box is full.
  const auto next = [&](double height) {
    if (y + height <= box.bottom()) return true;
    x += col_w;
    y = top;
    return x + col_w <= box.right() + 1;
  };
  const auto row_text = [&](const std::string& title, double ty) {
    draw_text(cr, title, item, x + sw + 5 * unit, ty + sh / 2, {0, 0.5});
  };
  if (!next(row)) return drawn;
  draw_boundary_swatch(cr, x, y, sw, sh);
  row_text("本村村界", y);
  drawn.push_back("本村村界");
  y += row;
  for (const LegendSection& s : sections) {
    if (!s.heading.empty()) {
      y += 3 * unit;
      if (!next(row + row)) return drawn;
      draw_text(cr, s.heading, section, x, y + sh / 2, {0, 0.5});
      y += row;
    }
    const model::FeatureClassDef* last_class = nullptr;
    for (const style::LegendEntry& e : s.entries) {
      // Categories come under their class's name ("高" alone says nothing; "地质灾害隐患区" above
      // it does); a class drawn one way is one row with its own name.
      if (!e.field.empty() && e.cls != last_class) {
        if (!next(row + row)) return drawn;
        draw_text(cr, e.cls->title.zh, section, x, y + sh / 2, {0, 0.5});
        y += row;
      }
      last_class = e.field.empty() ? nullptr : e.cls;
      if (!next(row)) return drawn;
      draw_swatch(cr, e, x, y, sw, sh);
      row_text(e.title, y);
      drawn.push_back(e.title);
      y += row;
    }
  }
  render::check(cr, "drawing the legend");
  return drawn;
}

}  // namespace minqing::print
