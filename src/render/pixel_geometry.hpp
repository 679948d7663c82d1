#pragma once
// Geometry on its way to the canvas: EPSG:3857 → pixel space, simplified (vertices closer than a
// tolerance dropped) and clipped to a (buffered) pixel rectangle. Pure functions, no cairo.

#include <vector>

#include "geo/coord.hpp"
#include "geo/geometry.hpp"

namespace minqing::render {

// Maps a 3857 extent onto a width × height pixel grid (y down). `origin_*` shifts the pixel
// origin (label space of a metatile uses the same scale with another origin).
struct PixelTransform {
  double min_x = 0;
  double max_y = 0;
  double sx = 1;  // pixels per metre
  double sy = 1;
  // Added after scaling: a tile drawn alone measures from its metatile's corner and shifts by its
  // whole-pixel place in the metatile, so that its pixels come out as the metatile's own
  // (render/metatile.hpp) rather than a rounding apart.
  double offset_x = 0;
  double offset_y = 0;

  PixelTransform() = default;
  PixelTransform(const geo::BBox& extent, int width_px, int height_px)
      : min_x(extent.min_x), max_y(extent.max_y), sx(width_px / extent.width()), sy(height_px / extent.height()) {}

  geo::Coord operator()(geo::Coord c) const noexcept {
    return {(c.x - min_x) * sx + offset_x, (max_y - c.y) * sy + offset_y};
  }
};

// One line part in pixels, with the arc length (pixels) from its original line's start to its
// first vertex, so that dashes continue across clip boundaries and tile edges.
struct PixelLine {
  std::vector<geo::Coord> pts;
  double start_distance = 0;
};

// A pixel polygon: rings, the first the exterior (fill with the even-odd rule).
using PixelPolygon = std::vector<std::vector<geo::Coord>>;

// Drops vertices closer than `tolerance` to the previously kept one; keeps the first and last.
void simplify(std::vector<geo::Coord>& pts, double tolerance);

// The lines of `g` (kind line or polygon rings) in pixels, simplified, then clipped to `clip`.
std::vector<PixelLine> lines_in_pixels(const geo::Geometry& g, const PixelTransform& t, const geo::BBox& clip,
                                       double tolerance);

// The polygons of `g` in pixels, simplified, then clipped (Sutherland–Hodgman) to `clip`.
// Rings that collapse are dropped.
std::vector<PixelPolygon> polygons_in_pixels(const geo::Geometry& g, const PixelTransform& t, const geo::BBox& clip,
                                             double tolerance);

// Whole lines in pixels, simplified, unclipped (for label placement along a line).
std::vector<std::vector<geo::Coord>> whole_lines_in_pixels(const geo::Geometry& g, const PixelTransform& t,
                                                            double tolerance);

// A point to put a polygon's label at: the centroid of its largest exterior ring when that lies
// inside the ring, else the middle of the widest horizontal span through the ring's centre line.
geo::Coord polygon_label_point(const geo::Geometry& g);

}  // namespace minqing::render
