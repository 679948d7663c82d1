#include "server/tile_cache.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "render/tile_footprint.hpp"

namespace minqing::server {

namespace {
std::size_t entry_size(const std::string& key, const CachedTilePtr& tile) {
  return key.size() + (tile ? tile->body.memory() + tile->etag.size() : 0) + 96;  // + node and index overhead
}

std::uint64_t tile_code(geo::TileId t) noexcept {
  return (std::uint64_t(t.z) << 50) | (std::uint64_t{t.x} << 25) | std::uint64_t{t.y};
}
}  // namespace

bool touches(const TilePlace& place, const TileInvalidation& change) noexcept {
  if ((place.classes & change.classes) == 0) return false;
  const render::TileFootprint footprint = render::tile_footprint(place.tile);
  for (const auto& b : change.boxes) {
    if (footprint.touches(b)) return true;
  }
  return false;
}

TileCache::TileCache(std::size_t max_bytes, std::size_t shards)
    : m_max_bytes(max_bytes), m_shard_bytes(max_bytes / (shards ? shards : 1)) {
  for (std::size_t i = 0; i < (shards ? shards : 1); ++i) m_shards.push_back(std::make_unique<Shard>());
}

TileCache::Shard& TileCache::shard_for(geo::TileId tile) {
  // A 64-bit mix (splitmix64's finaliser) of the tile id: neighbouring tiles land apart.
  std::uint64_t h = tile_code(tile);
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  return *m_shards[h % m_shards.size()];
}

TileCache::EntryList::iterator TileCache::find(Shard& s, const std::string& key, std::uint64_t tile_code) {
  const auto variants = s.by_tile.find(tile_code);
  if (variants == s.by_tile.end()) return s.lru.end();
  for (const auto it : variants->second) {
    if (it->key == key) return it;
  }
  return s.lru.end();
}

CachedTilePtr TileCache::get(const std::string& key, geo::TileId tile) {
  Shard& s = shard_for(tile);
  std::lock_guard lock(s.mutex);
  const auto it = find(s, key, tile_code(tile));
  if (it == s.lru.end()) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  s.lru.splice(s.lru.begin(), s.lru, it);
  return it->tile;
}

void TileCache::remove(Shard& s, EntryList::iterator it) {
  s.bytes -= entry_size(it->key, it->tile);
  const auto variants = s.by_tile.find(tile_code(it->place.tile));
  if (variants != s.by_tile.end()) {
    auto& v = variants->second;
    v.erase(std::remove(v.begin(), v.end(), it), v.end());
    if (v.empty()) s.by_tile.erase(variants);
  }
  --m_per_zoom[static_cast<std::size_t>(it->place.tile.z)];
  s.lru.erase(it);
}

void TileCache::put(const std::string& key, const TilePlace& place, CachedTilePtr tile, std::uint64_t drawn_at) {
  const std::size_t size = entry_size(key, tile);
  if (!tile || size > m_shard_bytes || !geo::is_valid(place.tile)) return;
  Shard& s = shard_for(place.tile);
  std::lock_guard lock(s.mutex);
  // Checked under the shard lock: an invalidation logs itself before it takes the shard locks, so
  // either it is seen here or it runs after this put and drops the tile itself.
  if (drawn_at < m_latest.load(std::memory_order_acquire) && touched_since(place, drawn_at)) {
    ++s.not_kept;
    return;
  }
  if (const auto it = find(s, key, tile_code(place.tile)); it != s.lru.end()) remove(s, it);
  s.lru.push_front(Entry{key, std::move(tile), place});
  s.by_tile[tile_code(place.tile)].push_back(s.lru.begin());
  ++m_per_zoom[static_cast<std::size_t>(place.tile.z)];
  s.bytes += size;
  while (s.bytes > m_shard_bytes && !s.lru.empty()) {
    remove(s, std::prev(s.lru.end()));
    ++s.evictions;
  }
}

bool TileCache::changed_since(const TilePlace& place, std::uint64_t drawn_at) const {
  return drawn_at < m_latest.load(std::memory_order_acquire) && touched_since(place, drawn_at);
}

bool TileCache::touched_since(const TilePlace& place, std::uint64_t drawn_at) const {
  std::lock_guard lock(m_log_mutex);
  if (drawn_at < m_log_floor) return true;  // what it missed is forgotten: assume the worst
  for (auto it = m_log.rbegin(); it != m_log.rend() && it->sequence > drawn_at; ++it) {
    if (touches(place, *it)) return true;
  }
  return false;
}

std::size_t TileCache::invalidate_tile(geo::TileId tile, const TileInvalidation& change) {
  Shard& s = shard_for(tile);
  std::lock_guard lock(s.mutex);
  const auto variants = s.by_tile.find(tile_code(tile));
  if (variants == s.by_tile.end()) return 0;
  std::vector<EntryList::iterator> doomed;
  for (auto it : variants->second) {
    if (touches(it->place, change)) doomed.push_back(it);
  }
  for (auto it : doomed) remove(s, it);
  s.invalidated += doomed.size();
  return doomed.size();
}

std::size_t TileCache::invalidate(const TileInvalidation& change) {
  {
    std::lock_guard lock(m_log_mutex);
    m_log.push_back(change);
    if (m_log.size() > kLogSize) {
      m_log_floor = m_log.front().sequence;
      m_log.pop_front();
    }
    if (change.sequence > m_latest.load(std::memory_order_relaxed)) m_latest.store(change.sequence, std::memory_order_release);
  }
  if (change.classes == 0) return 0;
  // The candidate tiles, zoom by zoom (zooms holding no tile skipped). Looking each up costs a
  // shard lock; when there are more candidates than tiles cached (a long road at zoom 19), one
  // pass over the cache is cheaper.
  std::vector<render::TileRange> ranges;
  std::uint64_t candidates = 0;
  std::size_t cached = 0;
  for (int z = 0; z <= geo::kMaxZoom; ++z) {
    const std::size_t n = m_per_zoom[static_cast<std::size_t>(z)].load(std::memory_order_relaxed);
    if (n == 0) continue;
    cached += n;
    for (const auto& b : change.boxes) {
      if (b.empty()) continue;
      ranges.push_back(render::tiles_touching(b, z));
      candidates += ranges.back().count();
    }
  }
  std::size_t dropped = 0;
  if (candidates > cached) {
    for (auto& sp : m_shards) {
      Shard& s = *sp;
      std::lock_guard lock(s.mutex);
      for (auto it = s.lru.begin(); it != s.lru.end();) {
        const auto next = std::next(it);
        if (touches(it->place, change)) {
          remove(s, it);
          ++s.invalidated;
          ++dropped;
        }
        it = next;
      }
    }
    return dropped;
  }
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    const render::TileRange& range = ranges[r];
    for (std::uint32_t y = range.min_y; y <= range.max_y; ++y) {
      for (std::uint32_t x = range.min_x; x <= range.max_x; ++x) {
        const geo::TileId t{range.z, x, y};
        // The old and new extents' ranges may overlap: a tile is looked up once.
        bool seen = false;
        for (std::size_t q = 0; q < r && !seen; ++q) seen = ranges[q].contains(t);
        if (!seen) dropped += invalidate_tile(t, change);
      }
    }
  }
  return dropped;
}

void TileCache::clear() {
  for (auto& s : m_shards) {
    std::lock_guard lock(s->mutex);
    while (!s->lru.empty()) remove(*s, s->lru.begin());
  }
}

TileCache::Stats TileCache::stats() const {
  Stats out;
  for (const auto& s : m_shards) {
    std::lock_guard lock(s->mutex);
    out.hits += s->hits;
    out.misses += s->misses;
    out.evictions += s->evictions;
    out.invalidated += s->invalidated;
    out.not_kept += s->not_kept;
    out.entries += s->lru.size();
    out.bytes += s->bytes;
  }
  return out;
}

std::string make_etag(std::string_view body) {
  // FNV-1a's constants over 8-byte words, each product's high half folded back into its low half
  // (a word's high bytes reach every bit of the hash). One multiply per 8 bytes: byte-wise FNV-1a
  // was ~40 us for a 36 KB composite tile, and the 16 tiles of a metatile are hashed one after the
  // other after its draw, while the other core waits (issue 12, session 11).
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t h = 1469598103934665603ull;
  const char* p = body.data();
  std::size_t n = body.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kPrime;
    h ^= h >> 32;
  }
  for (; n > 0; ++p, --n) h = (h ^ static_cast<unsigned char>(*p)) * kPrime;
  h = (h ^ body.size()) * kPrime;
  h ^= h >> 32;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool etag_matches(std::string_view header, std::string_view etag) noexcept {
  if (header.empty()) return false;
  if (header == "*") return true;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    auto tag = header.substr(pos, end - pos);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == etag) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace minqing::server
