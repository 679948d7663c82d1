#include "style/style.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace minqing::style {

using nlohmann::json;

bool Style::uses_relief() const noexcept {
  return std::any_of(layers.begin(), layers.end(),
                     [](const StyleLayer& l) { return std::holds_alternative<HillshadeSymbolizer>(l.symbolizer); });
}

namespace {

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

enum class Section { paint, layout };

// How one property is read into a symbolizer of type S.
template <class S>
using Setter = std::function<void(S&, const json&, const CompileContext&)>;

template <class S>
struct PropertySpec {
  const char* name;
  Section section;
  Setter<S> set;
};

template <class S, class T>
Setter<S> expr(Property<T> S::*member, Type type, bool data_driven = true) {
  return [member, type, data_driven](S& s, const json& j, const CompileContext& ctx) {
    const Expression e = Expression::compile(j, type, ctx);
    if (!data_driven && e.depends_on_feature()) {
      throw ConfigError(ctx.where + ": must not depend on feature attributes (zoom only)");
    }
    (s.*member).set(e);
  };
}

template <class S>
Setter<S> optional_color(std::optional<Property<Color>> S::*member) {
  return [member](S& s, const json& j, const CompileContext& ctx) {
    Property<Color> p{Color{0, 0, 0, 1}};
    p.set(Expression::compile(j, Type::color, ctx));
    s.*member = p;
  };
}

// A constant keyword from `choices`.
template <class S, class E>
Setter<S> keyword(E S::*member, std::vector<std::pair<const char*, E>> choices) {
  return [member, choices](S& s, const json& j, const CompileContext& ctx) {
    std::string all;
    for (const auto& [name, value] : choices) {
      if (j.is_string() && j.get<std::string>() == name) {
        s.*member = value;
        return;
      }
      all += (all.empty() ? "" : ", ") + std::string(name);
    }
    throw ConfigError(ctx.where + ": expected one of " + all + " (a constant), got " + j.dump());
  };
}

template <class S>
Setter<S> constant_bool(bool S::*member) {
  return [member](S& s, const json& j, const CompileContext& ctx) {
    if (!j.is_boolean()) throw ConfigError(ctx.where + ": expected a constant boolean, got " + j.dump());
    s.*member = j.get<bool>();
  };
}

template <class S>
Setter<S> constant_number(double S::*member, double lo, double hi) {
  return [member, lo, hi](S& s, const json& j, const CompileContext& ctx) {
    if (!j.is_number()) throw ConfigError(ctx.where + ": expected a constant number, got " + j.dump());
    const double v = j.get<double>();
    if (v < lo || v > hi) {
      throw ConfigError(ctx.where + ": " + j.dump() + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    s.*member = v;
  };
}

// "Noto Sans CJK SC Bold" → family "Noto Sans CJK SC", weight 700.
void set_font(SymbolSymbolizer& s, const json& j, const CompileContext& ctx) {
  if (!j.is_array() || j.empty() || !std::all_of(j.begin(), j.end(), [](const json& x) { return x.is_string(); })) {
    throw ConfigError(ctx.where + ": expected a constant array of font names, e.g. [\"Noto Sans CJK SC Regular\"], got " + j.dump());
  }
  std::string name = j[0].get<std::string>();
  static const std::vector<std::pair<std::string, int>> kWeights = {
      {" Thin", 100}, {" Light", 300}, {" DemiLight", 350}, {" Regular", 400},
      {" Medium", 500}, {" Bold", 700}, {" Black", 900}};
  s.font_weight = 400;
  for (const auto& [suffix, weight] : kWeights) {
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      name.resize(name.size() - suffix.size());
      s.font_weight = weight;
      break;
    }
  }
  s.font_family = name;
}

template <class S>
const std::vector<PropertySpec<S>>& specs();

template <>
const std::vector<PropertySpec<BackgroundSymbolizer>>& specs() {
  using S = BackgroundSymbolizer;
  static const std::vector<PropertySpec<S>> v = {
      {"background-color", Section::paint, expr(&S::color, Type::color, false)},
      {"background-opacity", Section::paint, expr(&S::opacity, Type::number, false)},
  };
  return v;
}

template <>
const std::vector<PropertySpec<FillSymbolizer>>& specs() {
  using S = FillSymbolizer;
  static const std::vector<PropertySpec<S>> v = {
      {"fill-color", Section::paint, expr(&S::color, Type::color)},
      {"fill-opacity", Section::paint, expr(&S::opacity, Type::number)},
      {"fill-outline-color", Section::paint, optional_color(&S::outline_color)},
      {"fill-antialias", Section::paint, constant_bool(&S::antialias)},
      {"fill-sort-key", Section::layout, expr(&S::sort_key, Type::number)},
  };
  return v;
}

template <>
const std::vector<PropertySpec<LineSymbolizer>>& specs() {
  using S = LineSymbolizer;
  static const std::vector<PropertySpec<S>> v = {
      {"line-color", Section::paint, expr(&S::color, Type::color)},
      {"line-width", Section::paint, expr(&S::width, Type::number)},
      {"line-opacity", Section::paint, expr(&S::opacity, Type::number)},
      {"line-dasharray", Section::paint, expr(&S::dasharray, Type::number_array)},
      {"line-cap", Section::layout,
       keyword(&S::cap, std::vector<std::pair<const char*, LineCap>>{
                            {"butt", LineCap::butt}, {"round", LineCap::round}, {"square", LineCap::square}})},
      {"line-join", Section::layout,
       keyword(&S::join, std::vector<std::pair<const char*, LineJoin>>{
                             {"miter", LineJoin::miter}, {"bevel", LineJoin::bevel}, {"round", LineJoin::round}})},
      {"line-miter-limit", Section::layout, constant_number(&S::miter_limit, 1, 100)},
      {"line-sort-key", Section::layout, expr(&S::sort_key, Type::number)},
  };
  return v;
}

template <>
const std::vector<PropertySpec<CircleSymbolizer>>& specs() {
  using S = CircleSymbolizer;
  static const std::vector<PropertySpec<S>> v = {
      {"circle-radius", Section::paint, expr(&S::radius, Type::number)},
      {"circle-color", Section::paint, expr(&S::color, Type::color)},
      {"circle-opacity", Section::paint, expr(&S::opacity, Type::number)},
      {"circle-stroke-width", Section::paint, expr(&S::stroke_width, Type::number)},
      {"circle-stroke-color", Section::paint, expr(&S::stroke_color, Type::color)},
      {"circle-stroke-opacity", Section::paint, expr(&S::stroke_opacity, Type::number)},
      {"circle-sort-key", Section::layout, expr(&S::sort_key, Type::number)},
  };
  return v;
}

template <>
const std::vector<PropertySpec<SymbolSymbolizer>>& specs() {
  using S = SymbolSymbolizer;
  static const std::vector<PropertySpec<S>> v = {
      {"text-field", Section::layout, expr(&S::text_field, Type::string)},
      {"text-font", Section::layout, set_font},
      {"text-size", Section::layout, expr(&S::text_size, Type::number)},
      {"symbol-placement", Section::layout,
       keyword(&S::placement, std::vector<std::pair<const char*, SymbolPlacement>>{
                                  {"point", SymbolPlacement::point},
                                  {"line", SymbolPlacement::line},
                                  {"line-center", SymbolPlacement::line_center}})},
      {"symbol-spacing", Section::layout, expr(&S::spacing, Type::number, false)},
      {"symbol-sort-key", Section::layout, expr(&S::sort_key, Type::number)},
      {"text-anchor", Section::layout,
       keyword(&S::anchor, std::vector<std::pair<const char*, TextAnchor>>{
                               {"center", TextAnchor::center}, {"left", TextAnchor::left},
                               {"right", TextAnchor::right}, {"top", TextAnchor::top},
                               {"bottom", TextAnchor::bottom}, {"top-left", TextAnchor::top_left},
                               {"top-right", TextAnchor::top_right}, {"bottom-left", TextAnchor::bottom_left},
                               {"bottom-right", TextAnchor::bottom_right}})},
      {"text-offset", Section::layout, expr(&S::text_offset, Type::number_array)},
      {"text-max-width", Section::layout, expr(&S::max_width, Type::number)},
      {"text-letter-spacing", Section::layout, expr(&S::letter_spacing, Type::number)},
      {"text-line-height", Section::layout, expr(&S::line_height, Type::number, false)},
      {"text-padding", Section::layout, expr(&S::padding, Type::number, false)},
      {"text-max-angle", Section::layout, expr(&S::max_angle, Type::number, false)},
      {"text-allow-overlap", Section::layout, constant_bool(&S::allow_overlap)},
      {"text-ignore-placement", Section::layout, constant_bool(&S::ignore_placement)},
      {"text-color", Section::paint, expr(&S::color, Type::color)},
      {"text-halo-color", Section::paint, expr(&S::halo_color, Type::color)},
      {"text-halo-width", Section::paint, expr(&S::halo_width, Type::number)},
      {"text-opacity", Section::paint, expr(&S::opacity, Type::number)},
  };
  return v;
}

template <>
const std::vector<PropertySpec<HillshadeSymbolizer>>& specs() {
  using S = HillshadeSymbolizer;
  static const std::vector<PropertySpec<S>> v = {
      {"hillshade-exaggeration", Section::paint, expr(&S::exaggeration, Type::number, false)},
      {"hillshade-shadow-color", Section::paint, expr(&S::shadow_color, Type::color, false)},
      {"hillshade-highlight-color", Section::paint, expr(&S::highlight_color, Type::color, false)},
      {"hillshade-accent-color", Section::paint, expr(&S::accent_color, Type::color, false)},
      {"hillshade-illumination-direction", Section::paint, constant_number(&S::illumination_direction, 0, 360)},
  };
  return v;
}

class StyleReader {
 public:
  StyleReader(std::filesystem::path file, std::string map, const model::LayerCatalog& catalog)
      : m_file(std::move(file)), m_map(std::move(map)), m_catalog(catalog) {}

  Style read() {
    std::ifstream in(m_file, std::ios::binary);
    if (!in) throw ConfigError(m_file.string() + ": cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    json doc;
    try {
      doc = json::parse(bytes);
    } catch (const json::parse_error& e) {
      throw ConfigError(m_file.string() + ": not valid JSON: " + e.what());
    }
    const model::MapDef* map = m_catalog.find_map(m_map);
    if (!map) fail("", "the file name does not name a map of the layer catalog");
    if (!doc.is_object()) fail("", "must be a JSON object");

    Style style;
    style.map = m_map;
    style.file = m_file;
    style.version = fnv1a(bytes);
    for (const auto& [key, value] : doc.items()) {
      if (key == "version") {
        if (value != 8) fail("version", "must be 8");
      } else if (key == "name") {
        if (!value.is_string()) fail("name", "must be a string");
        style.name = value.get<std::string>();
      } else if (key == "minzoom" || key == "maxzoom") {
        if (!value.is_number_integer() || value.get<int>() < 0 || value.get<int>() > 24) fail(key, "must be an integer in [0, 24]");
        (key == "minzoom" ? style.minzoom : style.maxzoom) = value.get<int>();
      } else if (key == "metadata") {
        if (!value.is_object()) fail("metadata", "must be an object");
      } else if (key == "layers") {
        // below
      } else {
        fail("", "unknown key \"" + key + "\" (supported: version, name, minzoom, maxzoom, metadata, layers)");
      }
    }
    if (style.minzoom > style.maxzoom) fail("minzoom", "is greater than maxzoom");
    if (!doc.contains("layers") || !doc["layers"].is_array()) fail("layers", "must be an array");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < doc["layers"].size(); ++i) {
      StyleLayer layer = read_layer(doc["layers"][i], i, *map);
      if (!ids.insert(layer.id).second) fail_layer(layer.id, "id", "duplicate layer id");
      style.layers.push_back(std::move(layer));
    }
    return style;
  }

 private:
  std::filesystem::path m_file;
  std::string m_map;
  const model::LayerCatalog& m_catalog;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(m_file.string() + ": " + (key.empty() ? "" : key + ": ") + what);
  }
  [[noreturn]] void fail_layer(const std::string& id, const std::string& property, const std::string& what) const {
    throw ConfigError(where(id, property) + ": " + what);
  }
  std::string where(const std::string& id, const std::string& property) const {
    return m_file.string() + ": layer \"" + id + "\"" + (property.empty() ? "" : ": " + property);
  }

  StyleLayer read_layer(const json& j, std::size_t index, const model::MapDef& map) {
    const std::string fallback_id = "#" + std::to_string(index);
    if (!j.is_object()) fail_layer(fallback_id, "", "must be an object");
    StyleLayer layer;
    if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty()) {
      fail_layer(fallback_id, "id", "missing or not a non-empty string");
    }
    layer.id = j["id"].get<std::string>();
    const std::string& id = layer.id;
    static const std::set<std::string> kKeys = {"id", "type", "source", "source-layer", "minzoom", "maxzoom",
                                                "filter", "layout", "paint", "metadata"};
    for (const auto& [key, value] : j.items()) {
      if (!kKeys.count(key)) {
        fail_layer(id, key, "unknown layer key (supported: id, type, source, source-layer, minzoom, maxzoom, filter, layout, paint, metadata)");
      }
    }
    if (!j.contains("type") || !j["type"].is_string()) fail_layer(id, "type", "missing or not a string");
    const std::string type = j["type"].get<std::string>();
    const bool vector_layer = type == "fill" || type == "line" || type == "circle" || type == "symbol";
    if (!vector_layer && type != "background" && type != "hillshade") {
      fail_layer(id, "type", "unsupported layer type \"" + type + "\" (supported: background, fill, line, circle, symbol, hillshade)");
    }
    if (j.contains("source")) {
      const std::string want = type == "hillshade" ? "relief" : "minqing";
      if (type == "background") fail_layer(id, "source", "a background layer has no source");
      if (j["source"] != want) fail_layer(id, "source", "must be \"" + want + "\" for a " + type + " layer");
    }
    if (vector_layer) {
      if (!j.contains("source-layer") || !j["source-layer"].is_string()) {
        fail_layer(id, "source-layer", "missing or not a string (a feature class of map " + m_map + ")");
      }
      layer.source_layer = j["source-layer"].get<std::string>();
      if (std::find(map.classes.begin(), map.classes.end(), layer.source_layer) == map.classes.end()) {
        std::string known;
        for (const auto& c : map.classes) known += (known.empty() ? "" : ", ") + c;
        fail_layer(id, "source-layer", "\"" + layer.source_layer + "\" is not a feature class of map " + m_map + " (" + known + ")");
      }
      layer.cls = m_catalog.find_class(layer.source_layer);
    } else if (j.contains("source-layer")) {
      fail_layer(id, "source-layer", "a " + type + " layer has no source-layer");
    }
    if (type == "hillshade" && !map.relief) fail_layer(id, "type", "map " + m_map + " has no relief (DEM) to shade");
    for (const char* key : {"minzoom", "maxzoom"}) {
      if (!j.contains(key)) continue;
      if (!j[key].is_number() || j[key].get<double>() < 0 || j[key].get<double>() > 24) {
        fail_layer(id, key, "must be a number in [0, 24]");
      }
      (std::string(key) == "minzoom" ? layer.minzoom : layer.maxzoom) = j[key].get<double>();
    }
    if (layer.minzoom >= layer.maxzoom) fail_layer(id, "minzoom", "must be less than maxzoom");
    if (j.contains("metadata") && !j["metadata"].is_object()) fail_layer(id, "metadata", "must be an object");
    if (j.contains("filter")) {
      if (!vector_layer) fail_layer(id, "filter", "only layers with a source-layer take a filter");
      layer.filter = Expression::compile(j["filter"], Type::boolean, CompileContext{where(id, "filter"), layer.cls});
    }
    if (type == "background") layer.symbolizer = read_symbolizer<BackgroundSymbolizer>(j, layer);
    else if (type == "fill") layer.symbolizer = read_symbolizer<FillSymbolizer>(j, layer);
    else if (type == "line") layer.symbolizer = read_symbolizer<LineSymbolizer>(j, layer);
    else if (type == "circle") layer.symbolizer = read_symbolizer<CircleSymbolizer>(j, layer);
    else if (type == "symbol") layer.symbolizer = read_symbolizer<SymbolSymbolizer>(j, layer);
    else layer.symbolizer = read_symbolizer<HillshadeSymbolizer>(j, layer);
    return layer;
  }

  template <class S>
  S read_symbolizer(const json& j, const StyleLayer& layer) {
    S s;
    bool visible = true;
    for (Section section : {Section::layout, Section::paint}) {
      const char* section_name = section == Section::layout ? "layout" : "paint";
      if (!j.contains(section_name)) continue;
      const json& props = j[section_name];
      if (!props.is_object()) fail_layer(layer.id, section_name, "must be an object");
      for (const auto& [name, value] : props.items()) {
        if (section == Section::layout && name == "visibility") {
          if (value != "visible" && value != "none") fail_layer(layer.id, name, "must be \"visible\" or \"none\"");
          visible = value == "visible";
          continue;
        }
        const auto& all = specs<S>();
        auto it = std::find_if(all.begin(), all.end(), [&](const PropertySpec<S>& p) { return name == p.name; });
        if (it == all.end()) {
          std::string known;
          for (const auto& p : all) {
            if (p.section == section) known += (known.empty() ? "" : ", ") + std::string(p.name);
          }
          fail_layer(layer.id, name, std::string("unknown ") + section_name + " property for this layer type (supported: " +
                                         (known.empty() ? "none" : known) + ")");
        }
        if (it->section != section) {
          fail_layer(layer.id, name, std::string("belongs in \"") + (section == Section::layout ? "paint" : "layout") + "\", not \"" +
                                         section_name + "\"");
        }
        it->set(s, value, CompileContext{where(layer.id, name), layer.cls});
      }
    }
    if (!visible) m_hidden.insert(layer.id);
    return s;
  }

 public:
  std::set<std::string> m_hidden;
};

}  // namespace

Style StyleSet::load_file(const std::filesystem::path& file, const std::string& map, const model::LayerCatalog& catalog) {
  StyleReader reader(file, map, catalog);
  Style style = reader.read();
  std::erase_if(style.layers, [&](const StyleLayer& l) { return reader.m_hidden.count(l.id) > 0; });
  return style;
}

StyleSet StyleSet::load_directory(const std::filesystem::path& dir, const model::LayerCatalog& catalog) {
  if (!std::filesystem::is_directory(dir)) throw ConfigError(dir.string() + ": style directory does not exist");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  StyleSet set;
  std::uint64_t h = 14695981039346656037ull;
  for (const auto& f : files) {
    set.m_styles.push_back(load_file(f, f.stem().string(), catalog));
    const auto v = set.m_styles.back().version;
    h = fnv1a(std::string_view(reinterpret_cast<const char*>(&v), sizeof v), h);
  }
  set.m_version = h;
  return set;
}

std::filesystem::path StyleSet::default_directory() {
  if (const char* env = std::getenv("MINQING_STYLES"); env && *env) return env;
  return std::filesystem::path(MINQING_SOURCE_DIR) / "styles";
}

const Style* StyleSet::find(std::string_view map) const noexcept {
  for (const auto& s : m_styles) {
    if (s.map == map) return &s;
  }
  return nullptr;
}

}  // namespace minqing::style
