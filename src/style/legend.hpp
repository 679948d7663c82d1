#pragma once
// A map's legend (图例), generated from its style: what each style layer draws, one entry per
// category of the field that decides how a feature looks (a `match` on `land_use`, a filter on
// `class` …), with the swatch colour and the Chinese title of the category (layers/*.json
// "value_titles"). So the web map, the printed sheets and any other client draw the same legend,
// and a colour changed in styles/ changes the legend with it.
//
// How categories are found: the style's expressions are evaluated, not read, for a feature
// holding nothing but one value of one enumerated field; a field whose values give different
// colours (or pass the filter differently) is the layer's category field. A layer that varies by
// no enumerated field gives one entry titled with its class. Symbol (label), background and
// hillshade layers give none.

#include <optional>
#include <string>
#include <vector>

#include "style/color.hpp"
#include "style/style.hpp"

namespace minqing::style {

enum class SwatchKind { fill, line, circle };

std::string_view to_string(SwatchKind k) noexcept;

struct LegendEntry {
  const model::FeatureClassDef* cls = nullptr;  // the catalog's class; never null
  std::string field;  // the category field, or "" for a whole class
  std::string value;  // the category code, or ""
  std::string title;  // the category's Chinese title, or the class's
  SwatchKind kind = SwatchKind::fill;
  Color color;                  // opacity folded into alpha
  std::optional<Color> stroke;  // a fill's outline or a circle's stroke, when drawn
};

// The legend of `style` as drawn at `zoom` (each layer at the nearest zoom it is drawn at):
// classes in drawing order, categories in their field's `values` order. Deterministic.
// Never throws except std::bad_alloc.
std::vector<LegendEntry> legend(const Style& style, double zoom = 16);

// "#rrggbb", or "rgba(r,g,b,a)" when not opaque: a CSS colour.
std::string to_css(const Color& c);

}  // namespace minqing::style
