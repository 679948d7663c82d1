#pragma once
// Where everything goes on a sheet: the page divided into a title band, the map frame (with room
// around it for the coordinate labels), a side panel (legend above, scale, north arrow and notes
// below) and a footer line. Landscape pages put the panel on the right, portrait pages under the
// map. All in points from the page's top-left; the map frame is whole points wide and high so
// that the renderer's pixel grid fits it exactly.

#include "print/paper.hpp"

namespace minqing::print {

struct Rect {
  double x = 0;
  double y = 0;
  double w = 0;
  double h = 0;

  double right() const noexcept { return x + w; }
  double bottom() const noexcept { return y + h; }
};

struct SheetLayout {
  Paper paper = Paper::a3;
  Orientation orientation = Orientation::landscape;
  PageSize page;
  Rect border;  // the outer neat line
  Rect title;   // title band (title, subtitle, marking)
  Rect map;     // the map frame
  Rect legend;  // the legend's box
  Rect info;    // scale, scale bar, north arrow, notes
  Rect footer;  // date, data version, source
  double unit = 1;  // a type size unit: 1 on A3, smaller on A4
};

// The layout of a sheet on `paper` in `orientation`. Deterministic; never throws.
SheetLayout layout_for(Paper paper, Orientation orientation) noexcept;

}  // namespace minqing::print
