#pragma once
// The scale of a sheet, twice: as the ratio "1:5000" and as a bar of alternating segments
// labelled in ground metres; and the north arrow (the frame is north-up: Web Mercator's grid
// north is true north).

#include <string>

#include <cairo.h>

#include "print/sheet_layout.hpp"

namespace minqing::print {

// "1:5000" for 5000.
std::string scale_text(int scale);

// The bar's ground length for 1:N when at most `max_pt` points long: a 1-2-5 round number of
// metres.
double scale_bar_length_m(int scale, double max_pt) noexcept;

// Draws "比例尺 1:N" and the scale bar, centred on `cx`, from `top`; returns the height used.
double draw_scale(cairo_t* cr, int scale, double cx, double top, double max_width_pt, double unit);

// Draws a north arrow of height `h` centred on (cx, top + h / 2), with 北 above it.
void draw_north_arrow(cairo_t* cr, double cx, double top, double h, double unit);

}  // namespace minqing::print
