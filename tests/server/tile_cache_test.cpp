// The tile cache keeps what was put, evicts the least recently used first, and stays within its
// byte bound.

#include <catch2/catch.hpp>

#include "server/tile_cache.hpp"

using namespace minqing::server;

namespace {
CachedTilePtr tile(std::size_t bytes, char fill = 'x') {
  auto t = std::make_shared<CachedTile>();
  t->body.assign(bytes, fill);
  t->etag = make_etag(t->body);
  return t;
}
}  // namespace

TEST_CASE("tile cache: hit, miss, LRU eviction within the byte bound", "[server][cache]") {
  TileCache cache(10'000, 1);  // one shard so the LRU order is global
  cache.put("a", tile(3000, 'a'));
  cache.put("b", tile(3000, 'b'));
  cache.put("c", tile(3000, 'c'));
  REQUIRE(cache.get("a"));  // a is now the most recent; b the least
  cache.put("d", tile(3000, 'd'));
  CHECK(cache.get("b") == nullptr);
  CHECK(cache.get("a")->body[0] == 'a');
  CHECK(cache.get("c"));
  CHECK(cache.get("d"));
  const auto s = cache.stats();
  CHECK(s.bytes <= 10'000);
  CHECK(s.entries == 3);
  CHECK(s.evictions == 1);
  CHECK(s.misses == 1);
}

TEST_CASE("tile cache: replacing a key keeps one entry, an oversized tile is not cached", "[server][cache]") {
  TileCache cache(10'000, 1);
  cache.put("k", tile(100, '1'));
  cache.put("k", tile(200, '2'));
  CHECK(cache.stats().entries == 1);
  CHECK(cache.get("k")->body.size() == 200);
  cache.put("huge", tile(20'000));
  CHECK(cache.get("huge") == nullptr);
  TileCache off(0);
  off.put("k", tile(10));
  CHECK(off.get("k") == nullptr);
}

TEST_CASE("etags differ when bodies differ", "[server][cache]") {
  CHECK(make_etag("abc") == make_etag("abc"));
  CHECK(make_etag("abc") != make_etag("abd"));
  CHECK(make_etag("abc").front() == '"');
}
