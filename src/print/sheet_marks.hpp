#pragma once
// The marks of a sheet holding personal data (the key persons map, DOMAIN.md "Personal data"):
// the confidentiality marking 内部资料 注意保密 in the title band, and a watermark across the map
// of who printed it and when — so that a copy found on a table says whose it was.

#include <string>

#include <cairo.h>

#include "print/sheet_layout.hpp"

namespace minqing::print {

inline constexpr const char* kConfidentialMarking = "内部资料 注意保密";

// Draws the marking, boxed in red, at the right end of `title_band`.
void draw_confidential_marking(cairo_t* cr, const Rect& title_band, double unit);

// Tiles `text` faintly over `area`, in staggered rows.
void draw_watermark(cairo_t* cr, const Rect& area, const std::string& text, double unit);

}  // namespace minqing::print
