#pragma once
// The legend (图例) of a sheet: generated from the map's style by style::legend() — the very
// legend /api/legend/{map} serves the web map — and cut down to the entries present on the sheet
// (a category with at least one feature the caller sees inside the frame), each with its Chinese
// title. The base map under a thematic map follows in its own section. The legend is drawn as
// large as its box allows for every entry to be listed.

#include <string>
#include <vector>

#include <cairo.h>

#include "geo/coord.hpp"
#include "print/sheet_layout.hpp"
#include "query/scoped_reader.hpp"
#include "style/legend.hpp"

namespace minqing::print {

struct LegendSection {
  std::string heading;                      // "" for the sheet's own map
  std::vector<style::LegendEntry> entries;  // only those present
};

// The entries of `style`'s legend at `zoom` with a feature `reader` sees in `extent` (EPSG:3857).
std::vector<style::LegendEntry> entries_present(const style::Style& style, double zoom,
                                                const query::ScopedReader& reader, const geo::BBox& extent);

// Draws "图例", the village boundary's entry, then the sections, flowing into further columns
// inside `box`, at the largest size (down to 0.55 of the normal one) at which every entry fits;
// only if they do not fit even then are the last left out (a base-map section first). Returns the
// titles drawn (the boundary's and the entries', not the headings). @throws RenderError on a
// cairo failure.
std::vector<std::string> draw_legend(cairo_t* cr, const Rect& box, const std::vector<LegendSection>& sections,
                                     double unit);

}  // namespace minqing::print
