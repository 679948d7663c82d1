// The tile cache keeps what was put, evicts the least recently used first, and stays within its
// byte bound.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "geo/tile.hpp"
#include "render/tile_footprint.hpp"
#include "server/tile_cache.hpp"

using namespace minqing;
using namespace minqing::server;

namespace {
CachedTilePtr tile(std::size_t bytes, char fill = 'x') {
  auto t = std::make_shared<CachedTile>();
  t->body.assign(bytes, fill);
  t->etag = make_etag(t->body);
  return t;
}

constexpr geo::TileId kTile{16, 54321, 27012};
const TilePlace kPlace{kTile};
}  // namespace

TEST_CASE("tile cache: hit, miss, LRU eviction within the byte bound", "[server][cache]") {
  TileCache cache(10'000, 1);  // one shard so the LRU order is global
  cache.put("a", kPlace, tile(3000, 'a'));
  cache.put("b", kPlace, tile(3000, 'b'));
  cache.put("c", kPlace, tile(3000, 'c'));
  REQUIRE(cache.get("a", kTile));  // a is now the most recent; b the least
  cache.put("d", kPlace, tile(3000, 'd'));
  CHECK(cache.get("b", kTile) == nullptr);
  CHECK(cache.get("a", kTile)->body[0] == 'a');
  CHECK(cache.get("c", kTile));
  CHECK(cache.get("d", kTile));
  const auto s = cache.stats();
  CHECK(s.bytes <= 10'000);
  CHECK(s.entries == 3);
  CHECK(s.evictions == 1);
  CHECK(s.misses == 1);
}

TEST_CASE("tile cache: replacing a key keeps one entry, an oversized tile is not cached", "[server][cache]") {
  TileCache cache(10'000, 1);
  cache.put("k", kPlace, tile(100, '1'));
  cache.put("k", kPlace, tile(200, '2'));
  CHECK(cache.stats().entries == 1);
  CHECK(cache.get("k", kTile)->body.size() == 200);
  cache.put("huge", kPlace, tile(20'000));
  CHECK(cache.get("huge", kTile) == nullptr);
  TileCache off(0);
  off.put("k", kPlace, tile(10));
  CHECK(off.get("k", kTile) == nullptr);
}

TEST_CASE("etags differ when bodies differ", "[server][cache]") {
  CHECK(make_etag("abc") == make_etag("abc"));
  CHECK(make_etag("abc") != make_etag("abd"));
  CHECK(make_etag("abc").front() == '"');
}

// The tag is hashed a word at a time: a change in any byte of a word, high or low, and in the bytes
// past the last whole word, gives another tag; so do a byte more or less at the end.
TEST_CASE("etags differ when any one bit of a tile-sized body differs", "[server][cache]") {
  std::string body(36'001, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 131 + 7) % 251);
  const std::string tag = make_etag(body);
  std::set<std::string> tags{tag};
  for (const std::size_t at : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{15}, std::size_t{18'003},
                               std::size_t{35'999}, std::size_t{36'000}}) {
    for (const int bit : {0, 7}) {
      INFO("byte " << at << ", bit " << bit);
      std::string other = body;
      other[at] = static_cast<char>(other[at] ^ (1 << bit));
      CHECK(tags.insert(make_etag(other)).second);
    }
  }
  CHECK(tags.insert(make_etag(body.substr(0, body.size() - 1))).second);
  CHECK(tags.insert(make_etag(body + '\0')).second);
  CHECK(make_etag(body) == tag);
}

namespace {
// Tiles cached around a point, in two scope variants and @2x, at zooms 10–18, plus one tile 5 km
// away at each zoom.
struct Cached {
  std::string key;
  TilePlace place;
};

std::vector<Cached> fill(TileCache& cache, geo::Coord at, std::uint64_t classes) {
  std::vector<Cached> out;
  const geo::Coord far{at.x + 5000, at.y};
  for (int z = 10; z <= 18; ++z) {
    const geo::TileId here = geo::tile_at(at, z);
    const auto m = static_cast<std::uint32_t>(render::metatile_size(z));
    // The corner tile of the same metatile farthest from `here`: only labels tie it to `at`.
    const geo::TileId corner{z, here.x / m * m + (here.x % m < m / 2 ? m - 1 : 0),
                             here.y / m * m + (here.y % m < m / 2 ? m - 1 : 0)};
    std::vector<geo::TileId> tiles{here, corner};
    if (const geo::TileId f = geo::tile_at(far, z); f != here && f != corner) tiles.push_back(f);
    for (const geo::TileId t : tiles) {
      for (const char* variant : {"public|", "role=village_cadre;area=331124207202|", "public|@2x|"}) {
        const std::string key = std::string(variant) + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
                                std::to_string(t.y);
        cache.put(key, TilePlace{t, classes}, tile(100));
        out.push_back({key, TilePlace{t, classes}});
      }
    }
  }
  return out;
}
}  // namespace

TEST_CASE("tile cache: a change drops the tiles whose footprint it touches, at every zoom and in every variant",
          "[server][cache][edits]") {
  TileCache cache(64 << 20);
  const geo::Coord house = geo::lonlat_to_mercator({119.48, 28.45});
  const auto cached = fill(cache, house, 0b110);
  REQUIRE(cache.stats().entries == cached.size());

  TileInvalidation moved{1, 0b010, {geo::BBox{house.x - 5, house.y - 5, house.x + 5, house.y + 5},
                                    geo::BBox{house.x + 40, house.y - 5, house.x + 50, house.y + 5}}};
  const std::size_t dropped = cache.invalidate(moved);
  std::size_t expected = 0;
  for (const auto& c : cached) {
    const bool touched = touches(c.place, moved);
    expected += touched ? 1 : 0;
    INFO(c.key);
    CHECK((cache.get(c.key, c.place.tile) == nullptr) == touched);
    // The tile under the house and the corner of its metatile are touched at every zoom; the tile
    // 5 km away is not from zoom 15 on (below, a metatile spans more than 5 km: it shares the
    // house's labels).
    const geo::TileId t = c.place.tile;
    if (t == geo::tile_at(house, t.z)) CHECK(touched);
    if (t.z >= 15 && t == geo::tile_at({house.x + 5000, house.y}, t.z)) CHECK_FALSE(touched);
  }
  CHECK(dropped == expected);
  CHECK(dropped >= 9 * 2 * 3);  // here and the metatile corner, three variants, nine zooms
  CHECK(cache.stats().invalidated == dropped);

  // A change of a class these tiles do not draw leaves them.
  const std::size_t left = cache.stats().entries;
  CHECK(cache.invalidate({2, 0b001, {geo::BBox{house.x - 1e5, house.y - 1e5, house.x + 1e5, house.y + 1e5}}}) == 0);
  CHECK(cache.stats().entries == left);
  // A large change (more candidate tiles than cached ones: one pass over the cache) drops the rest.
  CHECK(cache.invalidate({3, 0b100, {geo::BBox{house.x - 1e5, house.y - 1e5, house.x + 1e5, house.y + 1e5}}}) == left);
  CHECK(cache.stats().entries == 0);
}

TEST_CASE("tile cache: a tile drawn before a change that touches it is not kept", "[server][cache][edits]") {
  TileCache cache(1 << 20);
  const geo::Coord house = geo::lonlat_to_mercator({119.48, 28.45});
  const geo::TileId here = geo::tile_at(house, 17);
  const geo::TileId far = geo::tile_at({house.x + 5000, house.y}, 17);
  // Drawn at sequence 4; the change numbered 5 lands while it is drawn (nothing cached to drop yet).
  cache.invalidate({5, 1, {geo::BBox{house.x, house.y, house.x, house.y}}});
  cache.put("here", TilePlace{here, 1}, tile(10), 4);
  cache.put("far", TilePlace{far, 1}, tile(10), 4);
  cache.put("here-later", TilePlace{here, 1}, tile(10), 5);  // drawn after it: kept
  CHECK(cache.get("here", here) == nullptr);
  CHECK(cache.get("far", far) != nullptr);
  CHECK(cache.get("here-later", here) != nullptr);
  CHECK(cache.stats().not_kept == 1);
}
