// A tile's footprint: where a changed feature can alter the tile's pixels — the tile grown by the
// renderer's draw buffer, and its label metatile — and tiles_touching(), which must never leave
// out a tile whose footprint a box touches.

#include <random>

#include <catch2/catch.hpp>

#include "geo/tile.hpp"
#include "render/tile_footprint.hpp"

using namespace minqing;

TEST_CASE("tile footprint: the tile grown by the draw buffer, and its metatile", "[render][edits]") {
  const geo::TileId t{16, 54321, 27014};
  const render::TileFootprint f = render::tile_footprint(t);
  const geo::BBox tile = geo::tile_bbox(t);
  const double buffer = render::kDrawBufferPx * geo::resolution(16);
  CHECK(f.drawn.min_x == Approx(tile.min_x - buffer).margin(0.05));
  CHECK(f.drawn.max_y == Approx(tile.max_y + buffer).margin(0.05));
  // 54321 = 4·13580 + 1, 27014 = 4·6753 + 2: the metatile starts at x 54320, y 27012.
  const geo::BBox meta = render::metatile_bbox(t);
  CHECK(meta.min_x == Approx(geo::tile_bbox({16, 54320, 27012}).min_x));
  CHECK(meta.max_x == Approx(geo::tile_bbox({16, 54323, 27012}).max_x));
  CHECK(meta.max_y == Approx(geo::tile_bbox({16, 54320, 27012}).max_y));
  CHECK(meta.min_y == Approx(geo::tile_bbox({16, 54320, 27015}).min_y));
  CHECK(render::metatile_size(0) == 1);
  CHECK(render::metatile_size(1) == 2);
  CHECK(render::metatile_size(5) == 4);
}

TEST_CASE("tiles_touching holds every tile whose footprint a box touches", "[render][edits]") {
  std::mt19937 rng(15);
  const geo::Coord centre = geo::lonlat_to_mercator({119.48, 28.45});
  std::uniform_real_distribution<double> offset(-3000, 3000), size(0, 400);
  for (int i = 0; i < 40; ++i) {
    const double x = centre.x + offset(rng), y = centre.y + offset(rng);
    const geo::BBox b{x, y, x + size(rng), y + size(rng)};
    for (int z = 8; z <= 19; ++z) {
      const render::TileRange range = render::tiles_touching(b, z);
      // Every tile within a few tiles of the box: touched ⇒ in the range.
      const geo::TileId a = geo::tile_at({b.min_x, b.max_y}, z), c = geo::tile_at({b.max_x, b.min_y}, z);
      for (std::uint32_t ty = a.y - 6; ty <= c.y + 6; ++ty) {
        for (std::uint32_t tx = a.x - 6; tx <= c.x + 6; ++tx) {
          const geo::TileId t{z, tx, ty};
          if (render::tile_footprint(t).touches(b)) {
            INFO("z " << z << " tile " << tx << "/" << ty);
            CHECK(range.contains(t));
          }
        }
      }
      CHECK(range.contains(geo::tile_at(b.center(), z)));
    }
  }
}
