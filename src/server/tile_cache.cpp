#include "server/tile_cache.hpp"

#include <cstdio>
#include <functional>

namespace minqing::server {

namespace {
std::size_t entry_size(const std::string& key, const CachedTilePtr& tile) {
  return key.size() + (tile ? tile->body.size() + tile->etag.size() : 0) + 64;  // + node overhead
}
}  // namespace

TileCache::TileCache(std::size_t max_bytes, std::size_t shards)
    : m_max_bytes(max_bytes), m_shard_bytes(max_bytes / (shards ? shards : 1)) {
  for (std::size_t i = 0; i < (shards ? shards : 1); ++i) m_shards.push_back(std::make_unique<Shard>());
}

TileCache::Shard& TileCache::shard_for(const std::string& key) {
  return *m_shards[std::hash<std::string>{}(key) % m_shards.size()];
}

CachedTilePtr TileCache::get(const std::string& key) {
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mutex);
  auto it = s.map.find(key);
  if (it == s.map.end()) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->second;
}

void TileCache::put(const std::string& key, CachedTilePtr tile) {
  const std::size_t size = entry_size(key, tile);
  if (!tile || size > m_shard_bytes) return;
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mutex);
  if (auto it = s.map.find(key); it != s.map.end()) {
    s.bytes -= entry_size(key, it->second->second);
    s.lru.erase(it->second);
    s.map.erase(it);
  }
  s.lru.emplace_front(key, std::move(tile));
  s.map.emplace(key, s.lru.begin());
  s.bytes += size;
  while (s.bytes > m_shard_bytes && !s.lru.empty()) {
    auto& victim = s.lru.back();
    s.bytes -= entry_size(victim.first, victim.second);
    s.map.erase(victim.first);
    s.lru.pop_back();
    ++s.evictions;
  }
}

void TileCache::clear() {
  for (auto& s : m_shards) {
    std::lock_guard lock(s->mutex);
    s->lru.clear();
    s->map.clear();
    s->bytes = 0;
  }
}

TileCache::Stats TileCache::stats() const {
  Stats out;
  for (const auto& s : m_shards) {
    std::lock_guard lock(s->mutex);
    out.hits += s->hits;
    out.misses += s->misses;
    out.evictions += s->evictions;
    out.entries += s->map.size();
    out.bytes += s->bytes;
  }
  return out;
}

std::string make_etag(const std::string& body) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
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
