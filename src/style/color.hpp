#pragma once
// Colours of the style files: CSS colour strings as the MapLibre style specification reads them.

#include <optional>
#include <string>
#include <string_view>

namespace minqing::style {

// A straight (not premultiplied) RGBA colour, each channel in [0, 1].
struct Color {
  double r = 0;
  double g = 0;
  double b = 0;
  double a = 1;
  friend bool operator==(const Color&, const Color&) = default;
};

// Parses "#rgb", "#rgba", "#rrggbb", "#rrggbbaa", "rgb(r,g,b)", "rgba(r,g,b,a)",
// "hsl(h,s%,l%)", "hsla(h,s%,l%,a)", "transparent" and the CSS basic colour keywords
// (black, white, red, …). Returns nullopt for anything else.
std::optional<Color> parse_color(std::string_view text);

// "rgba(r,g,b,a)" with 0–255 channels, for messages and tests.
std::string to_string(const Color& c);

// Linear interpolation in RGBA space (what `interpolate` does on colours), t in [0, 1].
Color mix(const Color& from, const Color& to, double t) noexcept;

}  // namespace minqing::style
