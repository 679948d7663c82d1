// Issue 12 (cold tiles, part 3): a cold tile request draws its whole metatile and caches the
// siblings; concurrent requests for one metatile share one draw; a draw that read the data before
// an edit touching a tile neither serves nor caches that tile; an edit drops exactly the siblings
// whose footprint it touches; key_persons tiles served from a sibling's draw are still audited.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "geo/tile.hpp"
#include "render/metatile.hpp"
#include "render/tile_footprint.hpp"
#include "server/edit_fixture.hpp"
#include "server/tile_cache.hpp"
#include "server/tile_metatiles.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

std::string key_of(geo::TileId t) {
  return "maps|scope|" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + "@1";
}

// The m × m tiles of the metatile holding `tile`, each with a body naming it and `tag`.
std::vector<render::TilePng> fake_draw(geo::TileId tile, const std::string& tag) {
  std::vector<render::TilePng> out;
  const geo::TileId o = render::metatile_origin(tile);
  const auto m = static_cast<std::uint32_t>(render::metatile_size(tile.z));
  for (std::uint32_t j = 0; j < m; ++j) {
    for (std::uint32_t i = 0; i < m; ++i) {
      const geo::TileId t{tile.z, o.x + i, o.y + j};
      out.push_back({t, tag + ":" + key_of(t)});
    }
  }
  return out;
}

// A gate a fake draw blocks on until the test opens it.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_open; });
  }
  void open() {
    {
      std::lock_guard lock(m_mutex);
      m_open = true;
    }
    m_cv.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_open = false;
};

// Waits (bounded) until `done` holds; no timing is asserted, the bound only keeps a bug from hanging.
template <class Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 2000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

constexpr geo::TileId kTile{16, 54321, 27012};

}  // namespace

TEST_CASE("metatiles: one request draws the metatile and caches its sixteen tiles under their own keys", "[server][tiles][metatile]") {
  TileCache cache(1 << 20, 4);
  MetatileRenders renders(2);
  int draws = 0;
  MetatileRenders::Request r;
  r.tile = kTile;
  r.key_of = key_of;
  r.draw = [&] {
    ++draws;
    return fake_draw(kTile, "v1");
  };
  const CachedTilePtr t = renders.tile(cache, r);
  REQUIRE(t);
  CHECK(t->body == "v1:" + key_of(kTile));
  CHECK(t->etag == make_etag(t->body));
  CHECK(draws == 1);
  CHECK(cache.stats().entries == 16);
  const geo::TileId o = render::metatile_origin(kTile);
  for (std::uint32_t j = 0; j < 4; ++j) {
    for (std::uint32_t i = 0; i < 4; ++i) {
      const geo::TileId s{16, o.x + i, o.y + j};
      const CachedTilePtr hit = cache.get(key_of(s), s);
      REQUIRE(hit);
      CHECK(hit->body == "v1:" + key_of(s));
    }
  }
  CHECK(renders.stats().draws == 1);
  CHECK(renders.stats().in_flight == 0);
}

TEST_CASE("metatiles: concurrent requests for tiles of one metatile wait for one draw", "[server][tiles][metatile]") {
  TileCache cache(1 << 20, 4);
  MetatileRenders renders(2);
  Gate gate;
  std::atomic<int> draws{0};
  const geo::TileId o = render::metatile_origin(kTile);
  auto request_for = [&](geo::TileId t) {
    MetatileRenders::Request r;
    r.tile = t;
    r.key_of = key_of;
    r.draw = [&draws, &gate, t] {
      ++draws;
      gate.wait();
      return fake_draw(t, "v1");
    };
    return r;
  };
  auto first = std::async(std::launch::async, [&] { return renders.tile(cache, request_for(kTile)); });
  REQUIRE(eventually([&] { return draws.load() == 1; }));
  std::vector<std::future<CachedTilePtr>> siblings;
  std::vector<geo::TileId> asked;
  for (std::uint32_t i = 0; i < 4; ++i) asked.push_back({16, o.x + i, o.y + 3});
  for (const auto& t : asked) siblings.push_back(std::async(std::launch::async, [&, t] { return renders.tile(cache, request_for(t)); }));
  REQUIRE(eventually([&] { return renders.stats().joined == asked.size(); }));
  gate.open();
  CHECK(first.get()->body == "v1:" + key_of(kTile));
  for (std::size_t k = 0; k < asked.size(); ++k) CHECK(siblings[k].get()->body == "v1:" + key_of(asked[k]));
  CHECK(draws.load() == 1);
  CHECK(renders.stats().draws == 1);
}

TEST_CASE("metatiles: a draw's error reaches every request waiting on it, and the next request draws again", "[server][tiles][metatile]") {
  TileCache cache(1 << 20, 4);
  MetatileRenders renders(2);
  Gate gate;
  std::atomic<int> draws{0};
  MetatileRenders::Request failing;
  failing.tile = kTile;
  failing.key_of = key_of;
  failing.draw = [&]() -> std::vector<render::TilePng> {
    ++draws;
    gate.wait();
    throw RenderError("out of memory");
  };
  auto first = std::async(std::launch::async, [&] { return renders.tile(cache, failing); });
  REQUIRE(eventually([&] { return draws.load() == 1; }));
  MetatileRenders::Request sibling = failing;
  sibling.tile = {16, kTile.x ^ 1, kTile.y};
  auto second = std::async(std::launch::async, [&] { return renders.tile(cache, sibling); });
  REQUIRE(eventually([&] { return renders.stats().joined == 1; }));
  gate.open();
  CHECK_THROWS_AS(first.get(), RenderError);
  CHECK_THROWS_AS(second.get(), RenderError);
  CHECK(draws.load() == 1);
  CHECK(cache.stats().entries == 0);
  MetatileRenders::Request ok = failing;
  ok.draw = [&] { return fake_draw(kTile, "v2"); };
  CHECK(renders.tile(cache, ok)->body == "v2:" + key_of(kTile));
}

TEST_CASE("metatiles: a request does not join a draw that read the data before a change touching its tile", "[server][tiles][metatile][edits]") {
  TileCache cache(1 << 20, 4);
  MetatileRenders renders(2);
  Gate gate;
  std::atomic<int> draws{0};
  MetatileRenders::Request old_draw;
  old_draw.tile = kTile;
  old_draw.now = 5;  // read the data at change sequence 5
  old_draw.key_of = key_of;
  old_draw.draw = [&] {
    ++draws;
    gate.wait();
    return fake_draw(kTile, "old");
  };
  auto first = std::async(std::launch::async, [&] { return renders.tile(cache, old_draw); });
  REQUIRE(eventually([&] { return draws.load() == 1; }));
  // Change 6 lands in the middle of the metatile (its labels reach every tile of it) and is logged.
  TileInvalidation change;
  change.sequence = 6;
  change.classes = ~std::uint64_t{0};
  change.boxes.push_back(geo::tile_bbox(kTile).buffered(-1));
  cache.invalidate(change);
  // A request after the change draws afresh instead of taking the old draw's tile.
  MetatileRenders::Request fresh = old_draw;
  fresh.tile = {16, kTile.x ^ 1, kTile.y};
  fresh.now = 6;
  fresh.draw = [&] { return fake_draw(kTile, "new"); };
  CHECK(renders.tile(cache, fresh)->body == "new:" + key_of(fresh.tile));
  gate.open();
  CHECK(first.get()->body == "old:" + key_of(kTile));  // its own request predates the change
  // The old draw's tiles did not replace the new ones: the cache holds what the change left.
  for (const auto& t : fake_draw(kTile, "")) {
    const CachedTilePtr hit = cache.get(key_of(t.tile), t.tile);
    REQUIRE(hit);
    CHECK(hit->body == "new:" + key_of(t.tile));
  }
  CHECK(renders.stats().joined == 0);
}

TEST_CASE("metatiles: concurrent draws are bounded", "[server][tiles][metatile]") {
  TileCache cache(1 << 20, 4);
  MetatileRenders renders(1);
  CHECK(renders.max_draws() == 1);
  Gate gate;
  std::atomic<int> running{0}, most{0}, started{0};
  auto request_for = [&](geo::TileId t) {
    MetatileRenders::Request r;
    r.tile = t;
    r.key_of = key_of;
    r.draw = [&, t] {
      const int now = ++running;
      most = std::max(most.load(), now);
      ++started;
      gate.wait();
      --running;
      return fake_draw(t, "v1");
    };
    return r;
  };
  auto a = std::async(std::launch::async, [&] { return renders.tile(cache, request_for(kTile)); });
  auto b = std::async(std::launch::async, [&] { return renders.tile(cache, request_for({16, kTile.x + 8, kTile.y})); });
  REQUIRE(eventually([&] { return started.load() == 1 && renders.stats().in_flight == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(started.load() == 1);  // the second metatile waits for a slot
  gate.open();
  CHECK(a.get());
  CHECK(b.get());
  CHECK(most.load() == 1);
  CHECK(renders.stats().draws == 2);
}

namespace {

std::string tile_path(const std::string& maps, geo::TileId t) {
  return "/tiles/" + maps + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".png";
}

std::vector<geo::TileId> metatile_tiles(geo::TileId origin) {
  std::vector<geo::TileId> out;
  for (std::uint32_t j = 0; j < 4; ++j) {
    for (std::uint32_t i = 0; i < 4; ++i) out.push_back({origin.z, origin.x + i, origin.y + j});
  }
  return out;
}

}  // namespace

TEST_CASE("metatiles: after one request its siblings are cache hits, and an edit drops exactly the siblings it touches", "[server][tiles][metatile][edits]") {
  test::EditFixture fx("metatile-siblings");
  const auto& admin = fx.token("admin");
  const json house = fx.first("households");
  const json lonlat = house["geometry"]["coordinates"];
  const geo::Coord at = geo::lonlat_to_mercator({lonlat[0].get<double>(), lonlat[1].get<double>()});
  const int z = 18;
  const geo::TileId here = geo::tile_at(at, z);
  const geo::TileId origin = render::metatile_origin(here);
  const geo::TileId east_origin{z, origin.x + 4, origin.y};
  TileCache& cache = fx.app->tile_cache();

  // One request each: the house's tile, and the far corner of the metatile east of it.
  REQUIRE(test::status(test::get(*fx.app, tile_path("industry", here), admin)) == 200);
  REQUIRE(test::status(test::get(*fx.app, tile_path("industry", {z, east_origin.x + 3, east_origin.y + 3}), admin)) == 200);
  CHECK(cache.stats().entries == 32);
  std::vector<geo::TileId> all = metatile_tiles(origin);
  for (const auto& t : metatile_tiles(east_origin)) all.push_back(t);
  const auto hits0 = cache.stats().hits;
  std::map<std::string, std::string> etags;
  for (const auto& t : all) {
    const auto r = test::get(*fx.app, tile_path("industry", t), admin);
    REQUIRE(test::status(r) == 200);
    etags[tile_path("", t)] = test::etag_of(r);
  }
  CHECK(cache.stats().hits == hits0 + all.size());  // every sibling served from the cache

  // Move the house 3 m east: the tiles whose footprint (the tile grown by the draw buffer, and its
  // label metatile) holds the old or the new place are dropped; the others stay.
  json moved = lonlat;
  moved[0] = lonlat[0].get<double>() + 0.00003;
  const geo::Coord to = geo::lonlat_to_mercator({moved[0].get<double>(), moved[1].get<double>()});
  const std::string path = "/collections/households/items/" + std::to_string(house["id"].get<std::int64_t>());
  const auto patch = fx.send_json(server::http::verb::patch, path, {{"geometry", {{"type", "Point"}, {"coordinates", moved}}}},
                                  admin, "\"1\"", "application/merge-patch+json");
  INFO(patch.body());
  REQUIRE(test::status(patch) == 200);
  std::set<std::string> touched;
  for (const auto& t : all) {
    const render::TileFootprint f = render::tile_footprint(t);
    if (f.touches(geo::BBox{at.x, at.y, at.x, at.y}) || f.touches(geo::BBox{to.x, to.y, to.x, to.y})) touched.insert(tile_path("", t));
  }
  CHECK(touched.size() >= 16);        // at least the house's own metatile: labels tie it together
  CHECK(touched.size() < all.size());  // and not the metatile east of it
  CHECK(cache.stats().entries == all.size() - touched.size());
  // The siblings kept are hits; then the first dropped one is drawn again.
  const auto hits1 = cache.stats().hits;
  std::size_t kept = 0;
  for (const auto& t : all) {
    if (touched.count(tile_path("", t))) continue;
    const auto r = test::get(*fx.app, tile_path("industry", t), admin);
    CHECK(test::etag_of(r) == etags[tile_path("", t)]);
    ++kept;
  }
  CHECK(cache.stats().hits == hits1 + kept);
  const auto r = test::get(*fx.app, tile_path("industry", here), admin);
  REQUIRE(test::status(r) == 200);
  CHECK(cache.stats().hits == hits1 + kept);  // a miss: drawn again
  CHECK(test::etag_of(r) != etags[tile_path("", here)]);
}

TEST_CASE("metatiles: key_persons tiles served from a sibling's draw are each audited", "[server][tiles][metatile][audit]") {
  test::EditFixture fx("metatile-audit");
  const auto& admin = fx.token("admin");
  const json person = fx.first("key_persons");
  const json lonlat = person["geometry"]["coordinates"];
  const geo::TileId here = geo::tile_at(geo::lonlat_to_mercator({lonlat[0].get<double>(), lonlat[1].get<double>()}), 17);
  const auto before = test::audit_entries(*fx.app).size();
  const auto tiles = metatile_tiles(render::metatile_origin(here));
  for (const auto& t : tiles) REQUIRE(test::status(test::get(*fx.app, tile_path("terrain,key_persons", t), admin)) == 200);
  CHECK(fx.app->tile_cache().stats().hits == 15);  // one draw, fifteen siblings from the cache
  const auto entries = test::audit_entries(*fx.app);
  REQUIRE(entries.size() == before + tiles.size());
  for (std::size_t k = 0; k < tiles.size(); ++k) {
    const json& e = entries[before + k];
    INFO(e.dump());
    CHECK(e.dump().find("key_persons") != std::string::npos);
    CHECK(e.dump().find("\"x\":" + std::to_string(tiles[k].x)) != std::string::npos);
  }
}
