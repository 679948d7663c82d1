#pragma once
// The map styles of styles/*.json: one file per map, in the subset of the MapLibre GL style
// specification documented in styles/README.md. Loaded once, checked against the layer
// catalog, immutable afterwards and safe to share between threads.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/layer_catalog.hpp"
#include "style/property.hpp"

namespace minqing::style {

struct BackgroundSymbolizer {
  Property<Color> color{Color{0, 0, 0, 1}};
  Property<double> opacity{1};
};

struct FillSymbolizer {
  Property<Color> color{Color{0, 0, 0, 1}};
  Property<double> opacity{1};
  std::optional<Property<Color>> outline_color;  // a 1 px (× scale) outline when set
  bool antialias = true;
  Property<double> sort_key{0};
};

enum class LineCap { butt, round, square };
enum class LineJoin { miter, bevel, round };

struct LineSymbolizer {
  Property<Color> color{Color{0, 0, 0, 1}};
  Property<double> width{1};
  Property<double> opacity{1};
  Property<std::vector<double>> dasharray{};  // in line widths, as in the specification
  LineCap cap = LineCap::butt;
  LineJoin join = LineJoin::miter;
  double miter_limit = 2;
  Property<double> sort_key{0};
};

struct CircleSymbolizer {
  Property<double> radius{5};
  Property<Color> color{Color{0, 0, 0, 1}};
  Property<double> opacity{1};
  Property<double> stroke_width{0};
  Property<Color> stroke_color{Color{0, 0, 0, 1}};
  Property<double> stroke_opacity{1};
  Property<double> sort_key{0};
};

enum class SymbolPlacement { point, line, line_center };
enum class TextAnchor { center, left, right, top, bottom, top_left, top_right, bottom_left, bottom_right };

struct SymbolSymbolizer {
  // layout
  Property<std::string> text_field{std::string()};
  std::string font_family = "Noto Sans CJK SC";  // from text-font's first entry
  int font_weight = 400;                          // 400 regular, 500 medium, 700 bold …
  Property<double> text_size{16};
  SymbolPlacement placement = SymbolPlacement::point;
  Property<double> spacing{250};
  TextAnchor anchor = TextAnchor::center;
  Property<std::vector<double>> text_offset{std::vector<double>{0, 0}};  // ems
  Property<double> max_width{10};                                       // ems
  Property<double> letter_spacing{0};                                   // ems
  Property<double> line_height{1.2};                                    // ems
  Property<double> padding{2};                                          // px
  Property<double> max_angle{45};                                       // degrees
  bool allow_overlap = false;
  bool ignore_placement = false;
  Property<double> sort_key{0};
  // paint
  Property<Color> color{Color{0, 0, 0, 1}};
  Property<Color> halo_color{Color{0, 0, 0, 0}};
  Property<double> halo_width{0};
  Property<double> opacity{1};
};

struct HillshadeSymbolizer {
  Property<double> exaggeration{0.5};
  Property<Color> shadow_color{Color{0, 0, 0, 1}};
  Property<Color> highlight_color{Color{1, 1, 1, 1}};
  Property<Color> accent_color{Color{0, 0, 0, 1}};
  double illumination_direction = 335;  // degrees clockwise from north, constant
};

using Symbolizer = std::variant<BackgroundSymbolizer, FillSymbolizer, LineSymbolizer, CircleSymbolizer,
                                SymbolSymbolizer, HillshadeSymbolizer>;

// One entry of a style's `layers`.
struct StyleLayer {
  std::string id;
  std::string source_layer;                     // feature class; empty for background / hillshade
  const model::FeatureClassDef* cls = nullptr;  // the catalog's definition of source_layer
  double minzoom = 0;                           // drawn when minzoom <= zoom < maxzoom
  double maxzoom = 24;
  std::optional<Expression> filter;             // boolean; absent = every feature
  Symbolizer symbolizer;

  bool visible_at(double zoom) const noexcept { return zoom >= minzoom && zoom < maxzoom; }
};

// One map's style.
struct Style {
  std::string map;    // the file stem, a map of the catalog
  std::string name;   // the style's "name", for people
  std::filesystem::path file;
  std::uint64_t version = 0;  // FNV-1a hash of the file bytes; changes when the file does
  int minzoom = 0;            // the map's useful zoom range (TileJSON)
  int maxzoom = 22;
  std::vector<StyleLayer> layers;

  bool uses_relief() const noexcept;
};

// All styles of a directory. Immutable; safe to share between threads.
class StyleSet {
 public:
  // Reads every *.json in `dir`; each file's stem must name a map of `catalog`.
  // @throws ConfigError naming the file, the layer id and the property at fault, for unknown
  //   keys or properties, wrong value types, bad expressions, unknown source layers (or ones of
  //   another map), unknown or personal fields.
  static StyleSet load_directory(const std::filesystem::path& dir, const model::LayerCatalog& catalog);

  // Parses one style file for map `map` (what load_directory does per file).
  static Style load_file(const std::filesystem::path& file, const std::string& map, const model::LayerCatalog& catalog);

  // $MINQING_STYLES when set, else the styles/ directory of the source tree.
  static std::filesystem::path default_directory();

  const Style* find(std::string_view map) const noexcept;
  const std::vector<Style>& styles() const noexcept { return m_styles; }
  // Hash over every style's version: one number for cache keys.
  std::uint64_t version() const noexcept { return m_version; }

 private:
  std::vector<Style> m_styles;
  std::uint64_t m_version = 0;
};

}  // namespace minqing::style
