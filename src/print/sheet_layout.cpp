#include "print/sheet_layout.hpp"

#include <cmath>

namespace minqing::print {

SheetLayout layout_for(Paper paper, Orientation orientation) noexcept {
  SheetLayout l;
  l.paper = paper;
  l.orientation = orientation;
  l.page = page_size(paper, orientation);
  const double mm = kPointsPerMm;
  const bool a3 = paper == Paper::a3;
  l.unit = a3 ? 1.0 : 0.82;
  const double margin = (a3 ? 10 : 8) * mm;
  l.border = {margin, margin, l.page.width_pt - 2 * margin, l.page.height_pt - 2 * margin};
  const double title_h = (a3 ? 19 : 15) * mm;
  const double footer_h = (a3 ? 7 : 6) * mm;
  const double gap = (a3 ? 6 : 5) * mm;  // room for coordinate labels around the map frame
  l.title = {l.border.x, l.border.y, l.border.w, title_h};
  l.footer = {l.border.x, l.border.bottom() - footer_h, l.border.w, footer_h};
  const double body_top = l.title.bottom();
  const double body_bottom = l.footer.y;
  Rect map;
  if (orientation == Orientation::landscape) {
    const double panel_w = (a3 ? 72 : 58) * mm;
    const Rect panel{l.border.right() - panel_w, body_top, panel_w, body_bottom - body_top};
    map = {l.border.x + gap, body_top + gap, panel.x - l.border.x - 2 * gap, body_bottom - body_top - 2 * gap};
    const double info_h = (a3 ? 92 : 80) * mm;
    l.legend = {panel.x + 3 * mm, panel.y + 3 * mm, panel.w - 6 * mm, panel.h - info_h - 6 * mm};
    l.info = {panel.x + 3 * mm, panel.bottom() - info_h, panel.w - 6 * mm, info_h - 3 * mm};
  } else {
    const double panel_h = (a3 ? 78 : 62) * mm;
    const Rect panel{l.border.x, body_bottom - panel_h, l.border.w, panel_h};
    map = {l.border.x + gap, body_top + gap, l.border.w - 2 * gap, panel.y - body_top - 2 * gap};
    const double info_w = (a3 ? 92 : 76) * mm;
    l.legend = {panel.x + 3 * mm, panel.y + 3 * mm, panel.w - info_w - 6 * mm, panel.h - 6 * mm};
    l.info = {panel.right() - info_w, panel.y + 3 * mm, info_w - 3 * mm, panel.h - 6 * mm};
  }
  // Whole points, so that the map's pixel grid (a whole number of pixels per point) fits exactly.
  map.x = std::round(map.x);
  map.y = std::round(map.y);
  map.w = std::floor(map.w);
  map.h = std::floor(map.h);
  l.map = map;
  return l;
}

}  // namespace minqing::print
