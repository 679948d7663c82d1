#pragma once
// The in-memory tile cache: an LRU bounded in bytes, sharded so that concurrent requests on
// different tiles rarely wait on one another.

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minqing::server {

// One rendered tile, immutable once cached and shared by every request that hits it.
struct CachedTile {
  std::string body;  // the encoded image
  std::string etag;  // strong validator, quoted: "\"9f86d081884c7d65\""
};
using CachedTilePtr = std::shared_ptr<const CachedTile>;

// Thread-safe. The key must hold everything that changes the picture (maps, style version, data
// versions, access scope, z/x/y, scale): the cache itself knows nothing of tiles.
class TileCache {
 public:
  // `max_bytes` bounds the sum of body and key sizes; 0 disables caching.
  explicit TileCache(std::size_t max_bytes, std::size_t shards = 16);

  // The tile under `key`, marked most recently used; null on a miss.
  CachedTilePtr get(const std::string& key);
  // Inserts or replaces, then evicts least recently used entries of the shard until it fits.
  // A tile larger than a shard's share of max_bytes is not cached.
  void put(const std::string& key, CachedTilePtr tile);
  void clear();

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::size_t entries = 0;
    std::size_t bytes = 0;
  };
  Stats stats() const;
  std::size_t max_bytes() const noexcept { return m_max_bytes; }

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::list<std::pair<std::string, CachedTilePtr>> lru;  // front = most recent
    std::unordered_map<std::string, std::list<std::pair<std::string, CachedTilePtr>>::iterator> map;
    std::size_t bytes = 0;
    std::uint64_t hits = 0, misses = 0, evictions = 0;
  };
  Shard& shard_for(const std::string& key);

  std::size_t m_max_bytes;
  std::size_t m_shard_bytes;
  std::vector<std::unique_ptr<Shard>> m_shards;
};

// A strong ETag for `body`: a quoted 64-bit FNV-1a hash in hex.
std::string make_etag(const std::string& body);

// True when an If-None-Match header value names `etag` (or is "*"), weak or strong: the answer
// is then 304 Not Modified.
bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;

}  // namespace minqing::server
