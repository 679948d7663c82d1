#include "render/tile_footprint.hpp"

#include <algorithm>

namespace minqing::render {

int metatile_size(int z) noexcept {
  int m = 4;
  while (m > 1 && (1 << z) < m) m /= 2;
  return m;
}

geo::BBox metatile_bbox(geo::TileId tile) noexcept {
  const auto m = static_cast<std::uint32_t>(metatile_size(tile.z));
  const std::uint32_t mx = tile.x / m * m, my = tile.y / m * m;
  const geo::BBox first = geo::tile_bbox({tile.z, mx, my});
  const geo::BBox last = geo::tile_bbox({tile.z, mx + m - 1, my + m - 1});
  return geo::BBox{first.min_x, last.min_y, last.max_x, first.max_y};
}

TileFootprint tile_footprint(geo::TileId tile) noexcept {
  // A centimetre of slack over the renderer's own arithmetic: a superset is safe, a miss is not.
  return {geo::tile_bbox(tile).buffered(kDrawBufferPx * geo::resolution(tile.z) + 0.01), metatile_bbox(tile).buffered(0.01)};
}

TileRange tiles_touching(const geo::BBox& b, int z) noexcept {
  // The tiles under b grown by the draw buffer, widened to whole metatiles: every tile whose
  // grown extent or whose metatile meets b is inside.
  const geo::BBox grown = b.buffered(kDrawBufferPx * geo::resolution(z) + 0.02);
  const geo::TileId nw = geo::tile_at({grown.min_x, grown.max_y}, z);
  const geo::TileId se = geo::tile_at({grown.max_x, grown.min_y}, z);
  const auto m = static_cast<std::uint32_t>(metatile_size(z));
  const std::uint32_t last = (std::uint32_t{1} << z) - 1;
  return {z, nw.x / m * m, nw.y / m * m, std::min(last, se.x / m * m + m - 1), std::min(last, se.y / m * m + m - 1)};
}

}  // namespace minqing::render
