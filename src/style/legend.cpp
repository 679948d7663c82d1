#include "style/legend.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <variant>

namespace minqing::style {

namespace {

// What one style layer draws for one feature: nothing (filtered out) or a swatch.
struct Look {
  bool drawn = false;
  SwatchKind kind = SwatchKind::fill;
  Color color;
  std::optional<Color> stroke;

  bool operator==(const Look&) const = default;
};

Color with_opacity(Color c, double opacity) {
  c.a *= std::clamp(opacity, 0.0, 1.0);
  return c;
}

Look look_of(const StyleLayer& layer, const model::Feature& feature, double zoom) {
  const EvalContext ctx{zoom, &feature, layer.cls->geometry};
  Look look;
  if (layer.filter) {
    const auto pass = as_boolean(layer.filter->evaluate(ctx));
    if (!pass || !*pass) return look;
  }
  if (const auto* f = std::get_if<FillSymbolizer>(&layer.symbolizer)) {
    look.kind = SwatchKind::fill;
    look.color = with_opacity(f->color.evaluate(ctx), f->opacity.evaluate(ctx));
    if (f->outline_color) look.stroke = f->outline_color->evaluate(ctx);
  } else if (const auto* l = std::get_if<LineSymbolizer>(&layer.symbolizer)) {
    look.kind = SwatchKind::line;
    look.color = with_opacity(l->color.evaluate(ctx), l->opacity.evaluate(ctx));
  } else if (const auto* c = std::get_if<CircleSymbolizer>(&layer.symbolizer)) {
    look.kind = SwatchKind::circle;
    look.color = with_opacity(c->color.evaluate(ctx), c->opacity.evaluate(ctx));
    if (c->stroke_width.evaluate(ctx) > 0) {
      look.stroke = with_opacity(c->stroke_color.evaluate(ctx), c->stroke_opacity.evaluate(ctx));
    }
  } else {
    return look;
  }
  look.drawn = look.color.a > 0;
  return look;
}

model::Feature blank_feature(const model::FeatureClassDef& cls) {
  model::Feature f;
  f.values.resize(cls.fields.size());
  return f;
}

}  // namespace

std::string_view to_string(SwatchKind k) noexcept {
  switch (k) {
    case SwatchKind::fill: return "fill";
    case SwatchKind::line: return "line";
    case SwatchKind::circle: return "circle";
  }
  return "fill";
}

std::string to_css(const Color& c) {
  auto channel = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
  char buf[48];
  if (c.a >= 0.999) {
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", channel(c.r), channel(c.g), channel(c.b));
  } else {
    std::snprintf(buf, sizeof buf, "rgba(%d,%d,%d,%.2f)", channel(c.r), channel(c.g), channel(c.b),
                  std::clamp(c.a, 0.0, 1.0));
  }
  return buf;
}

std::vector<LegendEntry> legend(const Style& style, double zoom) {
  // Entries keyed by (class, field, value); a later layer drawing the same key replaces the
  // earlier one's swatch (it is drawn on top), keeping the first one's place in the order.
  std::vector<LegendEntry> out;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> at;
  auto put = [&](LegendEntry e) {
    auto key = std::make_tuple(e.cls->name, e.field, e.value);
    if (auto it = at.find(key); it != at.end()) {
      out[it->second] = std::move(e);
    } else {
      at.emplace(std::move(key), out.size());
      out.push_back(std::move(e));
    }
  };
  for (const StyleLayer& layer : style.layers) {
    if (!layer.cls) continue;
    const bool drawable = std::holds_alternative<FillSymbolizer>(layer.symbolizer) ||
                          std::holds_alternative<LineSymbolizer>(layer.symbolizer) ||
                          std::holds_alternative<CircleSymbolizer>(layer.symbolizer);
    if (!drawable) continue;
    const double z = std::clamp(zoom, layer.minzoom, std::max(layer.minzoom, layer.maxzoom - 0.5));
    const model::FeatureClassDef& cls = *layer.cls;

    // The first enumerated field whose values make the layer look different.
    bool categorised = false;
    for (std::size_t i = 0; i < cls.fields.size() && !categorised; ++i) {
      const model::FieldDef& field = cls.fields[i];
      if (field.values.empty()) continue;
      std::vector<Look> looks;
      for (const auto& v : field.values) {
        model::Feature f = blank_feature(cls);
        f.values[i] = v;
        looks.push_back(look_of(layer, f, z));
      }
      const bool varies = std::any_of(looks.begin(), looks.end(), [&](const Look& l) { return !(l == looks.front()); });
      if (!varies) continue;
      categorised = true;
      for (std::size_t k = 0; k < looks.size(); ++k) {
        if (!looks[k].drawn) continue;
        put(LegendEntry{&cls, field.name, field.values[k], std::string(field.value_title(field.values[k])),
                        looks[k].kind, looks[k].color, looks[k].stroke});
      }
    }
    if (categorised) continue;
    const Look look = look_of(layer, blank_feature(cls), z);
    if (look.drawn) put(LegendEntry{&cls, {}, {}, cls.title.zh, look.kind, look.color, look.stroke});
  }
  // A whole-class entry says nothing more where the class also has categories.
  std::set<const model::FeatureClassDef*> categorised_classes;
  for (const auto& e : out) {
    if (!e.field.empty()) categorised_classes.insert(e.cls);
  }
  std::vector<LegendEntry> result;
  for (auto& e : out) {
    if (e.field.empty() && categorised_classes.contains(e.cls)) continue;
    result.push_back(std::move(e));
  }
  return result;
}

}  // namespace minqing::style
