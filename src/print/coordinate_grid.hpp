#pragma once
// The coordinate grid (公里网) of a sheet in CGCS2000 / 3-degree Gauss-Krüger CM 120°E
// (EPSG:4549, the survey CRS of the county's data): lines every round number of metres across the
// map frame, drawn from densified lines projected into the frame (in Web Mercator they are very
// nearly straight, but not parallel to the frame), labelled where they leave the frame —
// eastings (Y) above and below, northings (X) left and right.

#include <cairo.h>

#include "print/map_view.hpp"

namespace minqing::print {

// Grid spacing in metres for 1:N: about 3–5 cm of paper, a 1-2-5 step (1:5,000 → 200 m).
double grid_spacing_m(int scale) noexcept;

// Draws the grid lines inside `view.frame` and their labels outside it, within `label_room`
// points. Thread-safe (a PROJ transform per thread). @throws ProjError when EPSG:4549 is unknown
// to PROJ, RenderError on a cairo failure.
void draw_coordinate_grid(cairo_t* cr, const MapView& view, double label_room, double unit);

}  // namespace minqing::print
