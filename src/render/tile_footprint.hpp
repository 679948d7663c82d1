#pragma once
// Where the features that make a tile's pixels can lie — so that a change of the data can tell
// which cached tiles it may have changed (the tile cache invalidates by place, not by class).
//
// A tile of render_tile_png() draws
//   - the features intersecting the tile grown by the draw buffer (kDrawBufferPx: wide strokes
//     and circles centred outside the tile show their part inside), and
//   - its part of the labels placed over its whole metatile (metatile_size()), from the features
//     intersecting the metatile — which is how labels stay identical across tile edges, and why a
//     renamed house can move a label three tiles away.
// Its footprint is those two boxes; a feature whose bbox touches neither cannot change the tile.
//
// Pure functions, thread-safe.

#include <cstdint>

#include "geo/coord.hpp"
#include "geo/tile.hpp"

namespace minqing::render {

// Style pixels beyond a canvas whose geometry is still drawn (at any scale: @2x draws the same
// extent with twice the device pixels).
inline constexpr double kDrawBufferPx = 64;

// Metatile edge (in tiles) used for label placement at zoom z: 4, or fewer at the lowest zooms.
int metatile_size(int z) noexcept;

// The extent (EPSG:3857) of the metatile holding `tile`. @pre geo::is_valid(tile)
geo::BBox metatile_bbox(geo::TileId tile) noexcept;

struct TileFootprint {
  geo::BBox drawn;     // the tile grown by the draw buffer
  geo::BBox labelled;  // its metatile
  // Whether a feature with bbox `b` (EPSG:3857) can change the tile's pixels.
  bool touches(const geo::BBox& b) const noexcept { return drawn.intersects(b) || labelled.intersects(b); }
};

// @pre geo::is_valid(tile)
TileFootprint tile_footprint(geo::TileId tile) noexcept;

// An inclusive rectangle of tiles at one zoom.
struct TileRange {
  int z = 0;
  std::uint32_t min_x = 0, min_y = 0, max_x = 0, max_y = 0;
  std::uint64_t count() const noexcept {
    return std::uint64_t{max_x - min_x + 1} * std::uint64_t{max_y - min_y + 1};
  }
  bool contains(geo::TileId t) const noexcept {
    return t.z == z && t.x >= min_x && t.x <= max_x && t.y >= min_y && t.y <= max_y;
  }
};

// Every tile at zoom z whose footprint may touch `b` lies in the range (a superset: check
// tile_footprint(t).touches(b) for each). @pre !b.empty(), 0 <= z <= geo::kMaxZoom
TileRange tiles_touching(const geo::BBox& b, int z) noexcept;

}  // namespace minqing::render
