#pragma once
// The in-memory tile cache: an LRU bounded in bytes, sharded so that concurrent requests on
// different tiles rarely wait on one another, and invalidated by place: a change of the data drops
// only the tiles whose footprint (render/tile_footprint.hpp: the tile grown by the draw buffer and
// its label metatile) touches the changed feature's old or new extent, at every zoom, in every
// variant of the key (scope, scale, map combination) — a one-house edit leaves the rest of the
// county cached.
//
// The hit path is one shard lock, one lookup of the tile id and a comparison of the keys of its
// few variants. Every variant of a tile lives in the shard of its tile id, indexed by tile id, so
// that an invalidation finds the tiles at a place without scanning the cache. (A second index by
// key string, as there was until session 11, cost a tenth of a cached tile's user CPU: hashing and
// walking ~150-byte keys.)

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/coord.hpp"
#include "geo/tile.hpp"
#include "server/tile_answer.hpp"
#include "server/tile_bytes.hpp"

namespace minqing::server {

// One rendered tile, immutable once cached and shared by every request that hits it.
struct CachedTile {
  TileBytes body;    // the encoded image (TileCache::keep)
  std::string etag;  // strong validator, quoted: "\"9f86d081884c7d65\""
  TileAnswer answer;  // its whole plain answer, once prepared (server/tile_answer.hpp)
};
using CachedTilePtr = std::shared_ptr<const CachedTile>;

// What a cached tile shows: where, and from which feature classes (bit i: the catalog's i-th
// class; all bits: unknown, any change may touch it).
struct TilePlace {
  geo::TileId tile;
  std::uint64_t classes = ~std::uint64_t{0};
};

// A change of the data, as the cache needs it.
struct TileInvalidation {
  std::uint64_t sequence = 0;    // the data's change sequence (query::Dataset::change_sequence())
  std::uint64_t classes = 0;     // the changed classes, bits as in TilePlace
  std::vector<geo::BBox> boxes;  // EPSG:3857: the changed features' old and new extents
};

// Thread-safe. The key must hold everything that changes the picture apart from the data (maps,
// style version, access scope, z/x/y, scale): data changes reach the cache through invalidate().
class TileCache {
 public:
  // `max_bytes` bounds the sum of body and key sizes; 0 disables caching.
  explicit TileCache(std::size_t max_bytes, std::size_t shards = 16);

  // A drawn tile's bytes as the cache keeps them: a large tile in a memory file, which the server
  // sends with sendfile instead of copying it into each socket (server/tile_bytes.hpp).
  // In a file, room is kept in front for the tile's head (server/tile_answer.hpp).
  TileBytes keep(std::string png) {
    return m_max_bytes == 0 ? TileBytes(std::move(png)) : m_keeper.keep(std::move(png), kTileHeadRoom);
  }

  // The tile under `key` (a tile of `tile`), marked most recently used; null on a miss.
  CachedTilePtr get(const std::string& key, geo::TileId tile);
  // Inserts or replaces, then evicts least recently used entries of the shard until it fits.
  // A tile larger than a shard's share of max_bytes is not cached. `drawn_at` is the data's change
  // sequence read before the tile's data was read: when an invalidation numbered after it touches
  // the tile, the tile may show data older than that change and is not kept (a request drawing
  // while an edit lands must not put back what the edit dropped).
  void put(const std::string& key, const TilePlace& place, CachedTilePtr tile, std::uint64_t drawn_at = 0);
  // Whether a change numbered after `drawn_at` touches `place` — put() would refuse a tile drawn
  // then. Also true when such a change is too old to be remembered. One atomic load when nothing
  // changed since.
  bool changed_since(const TilePlace& place, std::uint64_t drawn_at) const;
  // Drops every tile that drew one of `change.classes` and whose footprint touches one of
  // `change.boxes`; returns how many. Call it after the change is visible to readers.
  std::size_t invalidate(const TileInvalidation& change);
  void clear();

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::uint64_t invalidated = 0;  // entries dropped by invalidate()
    std::uint64_t not_kept = 0;     // puts refused: drawn before a change that touches them
    std::size_t entries = 0;
    std::size_t bytes = 0;
  };
  Stats stats() const;
  std::size_t max_bytes() const noexcept { return m_max_bytes; }

 private:
  struct Entry {
    std::string key;
    CachedTilePtr tile;
    TilePlace place;
  };
  using EntryList = std::list<Entry>;
  struct Shard {
    mutable std::mutex mutex;
    EntryList lru;  // front = most recent
    std::unordered_map<std::uint64_t, std::vector<EntryList::iterator>> by_tile;  // every variant
    std::size_t bytes = 0;
    std::uint64_t hits = 0, misses = 0, evictions = 0, invalidated = 0, not_kept = 0;
  };
  Shard& shard_for(geo::TileId tile);
  void remove(Shard& s, EntryList::iterator it);
  // The entry under `key` among the variants of its tile, or s.lru.end().
  static EntryList::iterator find(Shard& s, const std::string& key, std::uint64_t tile_code);
  // Drops the entries of `tile` in its shard that `change` touches.
  std::size_t invalidate_tile(geo::TileId tile, const TileInvalidation& change);
  // Whether an invalidation numbered after `drawn_at` touches `place`. Locks m_log_mutex.
  bool touched_since(const TilePlace& place, std::uint64_t drawn_at) const;

  std::size_t m_max_bytes;
  std::size_t m_shard_bytes;
  TileBytesKeeper m_keeper;
  std::vector<std::unique_ptr<Shard>> m_shards;
  std::array<std::atomic<std::size_t>, geo::kMaxZoom + 1> m_per_zoom{};  // entries per zoom

  // The recent invalidations, for put()'s check; older ones are forgotten past kLogSize, and a
  // tile drawn before the last forgotten one is not kept.
  static constexpr std::size_t kLogSize = 1024;
  mutable std::mutex m_log_mutex;
  std::deque<TileInvalidation> m_log;
  std::uint64_t m_log_floor = 0;
  std::atomic<std::uint64_t> m_latest{0};  // the newest invalidation's sequence
};

// Whether a tile at `place` may have been changed by `change`.
bool touches(const TilePlace& place, const TileInvalidation& change) noexcept;

// A strong ETag for `body`: a quoted 64-bit hash in hex (FNV-1a's constants over 8-byte words; the
// same body gives the same tag in every process on one architecture).
std::string make_etag(std::string_view body);

// True when an If-None-Match header value names `etag` (or is "*"), weak or strong: the answer
// is then 304 Not Modified.
bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;

}  // namespace minqing::server
