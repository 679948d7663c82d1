// XYZ tile math round-trips.

#include <catch2/catch.hpp>

#include "geo/tile.hpp"

using namespace minqing::geo;

TEST_CASE("tile bbox and tile_at round-trip at every zoom", "[geo][tile]") {
  const Coord songyang = lonlat_to_mercator({119.48, 28.45});
  for (int z = 0; z <= 20; ++z) {
    const TileId t = tile_at(songyang, z);
    REQUIRE(is_valid(t));
    const BBox b = tile_bbox(t);
    CHECK(b.contains(songyang));
    CHECK(tile_at(b.center(), z) == t);
    CHECK(b.width() == Approx(tile_span(z)));
  }
  CHECK(tile_at(songyang, 16) == TileId{16, 54518, 27361});  // the standard slippy-map formula
}

TEST_CASE("tile validity", "[geo][tile]") {
  CHECK(is_valid({0, 0, 0}));
  CHECK_FALSE(is_valid({0, 1, 0}));
  CHECK_FALSE(is_valid({-1, 0, 0}));
  CHECK_FALSE(is_valid({25, 0, 0}));
  CHECK(is_valid({18, (1u << 18) - 1, 0}));
}

TEST_CASE("mercator and lon/lat round-trip", "[geo][tile]") {
  const Coord p{119.48, 28.45};
  const Coord back = mercator_to_lonlat(lonlat_to_mercator(p));
  CHECK(back.x == Approx(p.x).margin(1e-12));
  CHECK(back.y == Approx(p.y).margin(1e-12));
}

TEST_CASE("tiles_covering lists exactly the tiles a box touches", "[geo][tile]") {
  const TileId t{16, 54518, 27361};
  const BBox b = tile_bbox(t);
  const auto inner = tiles_covering(b.buffered(-1), 16);
  REQUIRE(inner.size() == 1);
  CHECK(inner[0] == t);
  const BBox two_by_two{b.min_x + 1, b.min_y - b.height() + 1, b.max_x + b.width() - 1, b.max_y - 1};
  const auto four = tiles_covering(two_by_two, 16);
  CHECK(four.size() == 4);
  CHECK(tiles_covering(b.buffered(-1), 18).size() == 16);
  CHECK(tiles_covering(BBox{}, 10).empty());
}
