// Issue 15's "visible at once, invalidated by place", end to end: a house moved by a PATCH over
// HTTP (the edit path: validation, the store's transaction, Dataset::apply_committed) is on the very
// next tile, while a tile 2 km away is still answered from the cache.

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "geo/tile.hpp"
#include "server/edit_fixture.hpp"

using nlohmann::json;
using minqing::server::http::verb;
namespace geo = minqing::geo;
namespace test = minqing::test;

namespace {

std::string tile_path(geo::TileId t) {
  return "/tiles/industry/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".png";
}

}  // namespace

TEST_CASE("edits: a house moved through the API is on the next tile while a tile 2 km away stays cached", "[edits][server][tiles]") {
  test::EditFixture fx("edits-tile");
  const auto& admin = fx.token("admin");
  const json house = fx.first("households");
  const json lonlat = house["geometry"]["coordinates"];
  const geo::Coord at = geo::lonlat_to_mercator({lonlat[0].get<double>(), lonlat[1].get<double>()});
  const geo::TileId here = geo::tile_at(at, 17);
  const geo::TileId away = geo::tile_at({at.x + 2300, at.y}, 17);  // ~2 km on the ground at 28.5°N

  const auto before_here = test::get(*fx.app, tile_path(here), admin);
  const auto before_away = test::get(*fx.app, tile_path(away), admin);
  REQUIRE(test::status(before_here) == 200);
  REQUIRE(test::status(before_away) == 200);

  // 0.0006° of longitude is ~59 m: the house's symbol moves about 50 px at z17.
  json moved = lonlat;
  moved[0] = lonlat[0].get<double>() + 0.0006;
  const std::string path = "/collections/households/items/" + std::to_string(house["id"].get<std::int64_t>());
  const auto patch = fx.send_json(verb::patch, path, {{"geometry", {{"type", "Point"}, {"coordinates", moved}}}}, admin,
                                  "\"1\"", "application/merge-patch+json");
  INFO(patch.body());
  REQUIRE(test::status(patch) == 200);

  const auto hits = fx.app->tile_cache().stats().hits;
  const auto after_here = test::get(*fx.app, tile_path(here), admin);
  REQUIRE(test::status(after_here) == 200);
  CHECK(after_here.body() != before_here.body());
  CHECK(test::etag_of(after_here) != test::etag_of(before_here));
  CHECK(fx.app->tile_cache().stats().hits == hits);  // drawn again, not a hit

  const auto after_away = test::get(*fx.app, tile_path(away), admin);
  REQUIRE(test::status(after_away) == 200);
  CHECK(test::etag_of(after_away) == test::etag_of(before_away));
  CHECK(fx.app->tile_cache().stats().hits == hits + 1);  // served from the cache
}
