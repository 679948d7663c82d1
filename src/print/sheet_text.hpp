#pragma once
// Text on a sheet, shaped with pango so that cairo's PDF surface embeds the font (a subset) and
// writes the characters as real, searchable text. One small interface for the sheet's pieces:
// a style (family, size in points, weight, colour) and "draw this string here, anchored so".
// Thread-safe: pango's default font map is per thread.

#include <string>
#include <string_view>

#include <cairo.h>

namespace minqing::print {

// One family (regular and bold, as the styles' labels use): every family a PDF embeds is a CJK
// font subset to make — a serif title cost an eighth more time per sheet in the atlas.
inline constexpr const char* kSansFont = "Noto Sans CJK SC";

struct TextStyle {
  const char* family = kSansFont;
  double size_pt = 9;
  bool bold = false;
  double r = 0.1, g = 0.1, b = 0.1, a = 1;
  double letter_spacing_pt = 0;
};

struct TextSize {
  double w = 0;
  double h = 0;
};

// Where (x, y) is on the text's box: horizontally 0 left, 0.5 centre, 1 right; vertically the same
// from top to bottom.
struct Anchor {
  double h = 0;
  double v = 0;
};

// The size of `text` in `style` (its logical box, points).
TextSize measure_text(cairo_t* cr, std::string_view text, const TextStyle& style);

// Draws `text` with its box anchored at (x, y); returns the box's size. Rotates by `angle_rad`
// around (x, y) when non-zero. @throws RenderError on a cairo failure.
TextSize draw_text(cairo_t* cr, std::string_view text, const TextStyle& style, double x, double y,
                   Anchor anchor = {}, double angle_rad = 0);

}  // namespace minqing::print
