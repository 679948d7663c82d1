// Issue 15 "invalidated by place", through App and HTTP: a tile drawn, a house moved through
// query::Dataset::apply_committed (the seam the write path commits through), the same tile asked
// again shows the change — in every scope variant and at @2x, with a new ETag — while a tile 2 km
// away is still served from the cache; TileJSON's version moves.

#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "geo/tile.hpp"
#include "model/feature.hpp"
#include "server/app.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using test::status;

namespace {

std::string tile_path(const std::string& maps, geo::TileId t, const std::string& suffix = ".png") {
  return "/tiles/" + maps + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + suffix;
}

// The feature as stored (store CRS): what the write path hands apply_committed.
model::Feature stored_feature(const App& app, const std::string& cls, std::int64_t fid) {
  const auto store = store::FeatureStore::open(app.store_location(), app.catalog(), store::FeatureStore::Mode::read_only);
  model::Feature out;
  store.for_each(cls, [&](model::Feature& f) {
    if (f.fid == fid) out = f;
  });
  REQUIRE(out.fid == fid);
  return out;
}

std::string etag(const Response& r) { return std::string(r[http::field::etag]); }

}  // namespace

TEST_CASE("a moved house shows on the next tile while a tile 2 km away is still served from cache",
          "[server][tiles][edits]") {
  App app(test::demo_app_options("edit_visibility"));
  const std::string admin = test::sign_in(app, "admin");
  // The first building of the sample.
  std::vector<store::ServedFeaturePtr> buildings;
  app.index().query("buildings", app.index().extent("buildings"), buildings);
  REQUIRE_FALSE(buildings.empty());
  const auto first = *std::min_element(buildings.begin(), buildings.end(),
                                       [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
  const geo::Coord at = first->bbox.center();
  const geo::TileId here = geo::tile_at(at, 17);
  // 2 km on the ground is ~2.3 km in Web Mercator at 28.5°N.
  const geo::TileId away = geo::tile_at({at.x + 2300, at.y}, 17);

  const Response public_here = test::get(app, tile_path("terrain", here));
  const Response public_here_2x = test::get(app, tile_path("terrain", here, "@2x.png"));
  const Response admin_here = test::get(app, tile_path("terrain", here), admin);
  const Response admin_both = test::get(app, tile_path("terrain,disaster", here), admin);
  const Response public_away = test::get(app, tile_path("terrain", away));
  for (const auto* r : {&public_here, &public_here_2x, &admin_here, &admin_both, &public_away}) REQUIRE(status(*r) == 200);
  const auto version = test::json_body(test::get(app, "/tiles/terrain.json")).at("version").get<std::string>();
  {
    const auto hits = app.tile_cache().stats().hits;
    CHECK(etag(test::get(app, tile_path("terrain", here))) == etag(public_here));
    CHECK(app.tile_cache().stats().hits == hits + 1);
  }

  // The house moves 60 m east, as a committed edit hands it over.
  model::Feature moved = stored_feature(app, "buildings", first->feature.fid);
  for (auto& p : moved.geometry.coords) p.x += 60;
  app.data_for_edits().apply_committed("buildings", moved.fid, &moved);
  CHECK(app.tile_cache().stats().invalidated >= 4);

  // The tile under it is drawn again and differs, in every variant of the key.
  auto redrawn = [&](const std::string& path, const test::Auth& auth, const Response& before) {
    const auto misses = app.tile_cache().stats().misses;
    const Response now = test::get(app, path, auth);
    REQUIRE(status(now) == 200);
    INFO(path);
    CHECK(app.tile_cache().stats().misses == misses + 1);
    CHECK(etag(now) != etag(before));
    CHECK(now.body() != before.body());
  };
  redrawn(tile_path("terrain", here), {}, public_here);
  redrawn(tile_path("terrain", here, "@2x.png"), {}, public_here_2x);
  redrawn(tile_path("terrain", here), admin, admin_here);
  redrawn(tile_path("terrain,disaster", here), admin, admin_both);
  // A browser revalidating with the old ETag gets the new picture, not 304.
  {
    Request req = test::request(http::verb::get, tile_path("terrain", here));
    req.set(http::field::if_none_match, etag(public_here));
    CHECK(status(test::send(app, std::move(req))) == 200);
  }
  // The tile 2 km away is a cache hit, the same bytes.
  {
    const auto hits = app.tile_cache().stats().hits;
    const Response again = test::get(app, tile_path("terrain", away));
    CHECK(app.tile_cache().stats().hits == hits + 1);
    CHECK(etag(again) == etag(public_away));
  }
  CHECK(test::json_body(test::get(app, "/tiles/terrain.json")).at("version").get<std::string>() != version);

  // Deleted: the tile is drawn again, and shows no house where it stood.
  app.data_for_edits().apply_committed("buildings", moved.fid, nullptr);
  const auto misses = app.tile_cache().stats().misses;
  const Response gone = test::get(app, tile_path("terrain", here));
  CHECK(app.tile_cache().stats().misses == misses + 1);
  CHECK(gone.body() != public_here.body());
}

TEST_CASE("an edit of a class a map does not draw leaves that map's tiles cached", "[server][tiles][edits]") {
  App app(test::demo_app_options("edit_visibility_classes"));
  const std::string admin = test::sign_in(app, "admin");
  std::vector<store::ServedFeaturePtr> shelters;
  app.index().query("shelters", app.index().extent("shelters"), shelters);
  REQUIRE_FALSE(shelters.empty());
  const geo::TileId here = geo::tile_at(shelters.front()->bbox.center(), 16);
  const Response terrain = test::get(app, tile_path("terrain", here), admin);
  const Response disaster = test::get(app, tile_path("disaster", here), admin);
  REQUIRE(status(terrain) == 200);
  REQUIRE(status(disaster) == 200);

  model::Feature renamed = stored_feature(app, "shelters", shelters.front()->feature.fid);
  for (auto& p : renamed.geometry.coords) p.y += 40;
  app.data_for_edits().apply_committed("shelters", renamed.fid, &renamed);

  auto hits = app.tile_cache().stats().hits;
  CHECK(etag(test::get(app, tile_path("terrain", here), admin)) == etag(terrain));
  CHECK(app.tile_cache().stats().hits == hits + 1);
  hits = app.tile_cache().stats().hits;
  CHECK(etag(test::get(app, tile_path("disaster", here), admin)) != etag(disaster));
  CHECK(app.tile_cache().stats().hits == hits);
}
