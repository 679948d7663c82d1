#pragma once
// The map inside a sheet's frame: drawn by the same render::MapRenderer and styles as the tiles,
// onto the sheet's cairo context (a PDF page: vectors stay vectors, text stays text, only the
// hillshade is an embedded image), with labels placed inside the frame only. Everything outside
// the village's own polygon is veiled in translucent white, so that the neighbouring villages read
// lighter, and the village boundary is drawn over it.

#include <string>
#include <vector>

#include <cairo.h>

#include "geo/geometry.hpp"
#include "print/map_view.hpp"
#include "render/map_renderer.hpp"

namespace minqing::print {

// Device pixels of the renderer per point of paper (144 dpi), and style pixels as CSS pixels
// (0.75 pt): a 12 px label prints at 9 pt, a 1 px line at 0.26 mm.
inline constexpr int kPixelsPerPoint = 1;
inline constexpr double kPointsPerStylePixel = 0.75;
// The hillshade's grid: 0.5 px a point (36 dpi, 0.7 mm a pixel — 7 m on the ground at 1:10,000,
// finer than the village DEMs' cells), interpolated by the viewer.
inline constexpr double kHillshadePixelsPerPoint = 0.5;

// The renderer's request for `view` of `maps` read from `features` (which must outlive the draw).
render::RenderRequest map_request(const MapView& view, const std::vector<std::string>& maps,
                                  const store::FeatureSource& features);

// Draws the maps, the veil outside `village` (EPSG:3857 polygon; empty: no veil) and the village
// boundary into `view.frame` on `cr` (page coordinates in points). The cairo state is restored.
// `base_shapes` (may be null): the shapes of `request.maps.front()` on the request's canvas,
// recorded once (base_map_shapes.hpp), painted instead of drawing them again; that map's labels
// are still placed with the others'.
// @throws RequestError for an unknown map; RenderError when cairo fails.
void draw_map_frame(cairo_t* cr, const render::MapRenderer& renderer, const render::RenderRequest& request,
                    const MapView& view, const geo::Geometry& village, cairo_surface_t* base_shapes = nullptr);

// Strokes the current path as the village boundary (村界): a broad soft band under a dash-dot
// line — on the map and in the legend alike. Clears the path.
void stroke_village_boundary(cairo_t* cr, double band_width);

}  // namespace minqing::print
