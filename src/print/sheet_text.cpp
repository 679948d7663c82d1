#include "print/sheet_text.hpp"

#include <pango/pangocairo.h>

#include "render/cairo_context.hpp"

namespace minqing::print {

namespace {

render::LayoutPtr make_layout(cairo_t* cr, std::string_view text, const TextStyle& style) {
  render::LayoutPtr layout(pango_cairo_create_layout(cr));
  // Sizes in points at 72 dpi: one point per cairo unit on the PDF page.
  pango_cairo_context_set_resolution(pango_layout_get_context(layout.get()), 72);
  pango_cairo_update_layout(cr, layout.get());
  render::FontDescriptionPtr d(pango_font_description_new());
  pango_font_description_set_family(d.get(), style.family);
  pango_font_description_set_weight(d.get(), style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(d.get(), style.size_pt * PANGO_SCALE);
  pango_layout_set_font_description(layout.get(), d.get());
  if (style.letter_spacing_pt != 0) {
    PangoAttrList* attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_letter_spacing_new(static_cast<int>(style.letter_spacing_pt * PANGO_SCALE)));
    pango_layout_set_attributes(layout.get(), attrs);
    pango_attr_list_unref(attrs);
  }
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

TextSize size_of(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return {static_cast<double>(logical.width) / PANGO_SCALE, static_cast<double>(logical.height) / PANGO_SCALE};
}

}  // namespace

TextSize measure_text(cairo_t* cr, std::string_view text, const TextStyle& style) {
  return size_of(make_layout(cr, text, style).get());
}

TextSize draw_text(cairo_t* cr, std::string_view text, const TextStyle& style, double x, double y, Anchor anchor,
                   double angle_rad) {
  const render::LayoutPtr layout = make_layout(cr, text, style);
  const TextSize s = size_of(layout.get());
  render::CairoSave save(cr);
  cairo_translate(cr, x, y);
  if (angle_rad != 0) cairo_rotate(cr, angle_rad);
  cairo_move_to(cr, -s.w * anchor.h, -s.h * anchor.v);
  cairo_set_source_rgba(cr, style.r, style.g, style.b, style.a);
  pango_cairo_update_layout(cr, layout.get());
  pango_cairo_show_layout(cr, layout.get());
  render::check(cr, "drawing sheet text");
  return s;
}

}  // namespace minqing::print
