#include "render/shaded_relief_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace minqing::render {

ShadedReliefPtr shade_cropped(const ReliefSource& relief, const geo::BBox& extent, int width, int height,
                              const HillshadeParams& params) {
  // The whole canvas is shaded (the relief's transform grid starts at its corner), into memory this
  // thread keeps: a band's 2–8 MB, allocated and faulted in per draw, cost as much as its memset.
  thread_local std::vector<std::uint32_t> canvas;
  const auto w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
  canvas.assign(w * h, 0);
  if (!relief.render_hillshade(extent, width, height, params, reinterpret_cast<std::uint8_t*>(canvas.data()),
                               width * 4)) {
    return nullptr;
  }
  // The box of the pixels that are not transparent.
  std::size_t x_lo = w, x_hi = 0, y_lo = h, y_hi = 0;
  for (std::size_t y = 0; y < h; ++y) {
    const std::uint32_t* row = canvas.data() + y * w;
    std::size_t a = 0;
    while (a < w && row[a] == 0) ++a;
    if (a == w) continue;
    std::size_t b = w - 1;
    while (row[b] == 0) --b;
    x_lo = std::min(x_lo, a);
    x_hi = std::max(x_hi, b);
    y_lo = std::min(y_lo, y);
    y_hi = y;
  }
  if (x_lo > x_hi) return nullptr;
  auto out = std::make_shared<ShadedRelief>();
  out->x = static_cast<int>(x_lo);
  out->y = static_cast<int>(y_lo);
  out->width = static_cast<int>(x_hi - x_lo + 1);
  out->height = static_cast<int>(y_hi - y_lo + 1);
  const auto cw = static_cast<std::size_t>(out->width);
  if (cw == w && static_cast<std::size_t>(out->height) == h) {
    out->pixels = std::move(canvas);  // all of it (a metatile amid a village): no copy; the next
    return out;                       // call allocates the thread's canvas anew
  }
  out->pixels.resize(cw * static_cast<std::size_t>(out->height));
  for (std::size_t y = y_lo; y <= y_hi; ++y) {
    std::memcpy(out->pixels.data() + (y - y_lo) * cw, canvas.data() + y * w + x_lo, cw * sizeof(std::uint32_t));
  }
  return out;
}

namespace {

bool same(const style::Color& a, const style::Color& b) noexcept { return a == b; }

std::size_t mix(std::size_t h, std::uint64_t v) noexcept {
  return h ^ (std::hash<std::uint64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}
std::size_t mix(std::size_t h, double v) noexcept { return mix(h, std::bit_cast<std::uint64_t>(v)); }

}  // namespace

bool ShadedReliefCache::Key::operator==(const Key& o) const noexcept {
  const HillshadeParams& a = params;
  const HillshadeParams& b = o.params;
  return source == o.source && extent.min_x == o.extent.min_x && extent.min_y == o.extent.min_y &&
         extent.max_x == o.extent.max_x && extent.max_y == o.extent.max_y && width == o.width && height == o.height &&
         a.exaggeration == b.exaggeration && same(a.shadow, b.shadow) && same(a.highlight, b.highlight) &&
         same(a.accent, b.accent) && a.azimuth_deg == b.azimuth_deg && a.altitude_deg == b.altitude_deg &&
         a.z_factor == b.z_factor;
}

std::size_t ShadedReliefCache::KeyHash::operator()(const Key& k) const noexcept {
  std::size_t h = std::hash<std::uint64_t>{}(k.source);
  h = mix(h, k.extent.min_x);
  h = mix(h, k.extent.min_y);
  h = mix(h, k.extent.max_x);
  h = mix(h, k.extent.max_y);
  h = mix(h, static_cast<std::uint64_t>(k.width) << 32 | static_cast<std::uint32_t>(k.height));
  h = mix(h, k.params.exaggeration);
  h = mix(h, k.params.azimuth_deg);
  return h;  // the colours, altitude and z factor rarely differ between keys: equality decides
}

ShadedReliefCache::ShadedReliefCache(std::size_t max_bytes) : m_max_bytes(max_bytes) {}

ShadedReliefPtr ShadedReliefCache::get(const ReliefSource& relief, const geo::BBox& extent, int width, int height,
                                       const HillshadeParams& params) {
  Key key{relief.id(), extent, width, height, params};
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_index.find(key); it != m_index.end()) {
      m_lru.splice(m_lru.begin(), m_lru, it->second);
      ++m_hits;
      return it->second->image;
    }
    ++m_misses;
  }
  ShadedReliefPtr image = shade_cropped(relief, extent, width, height, params);
  const std::size_t bytes = kEntryOverhead + (image ? image->bytes() : 0);
  std::lock_guard lock(m_mutex);
  insert(Entry{std::move(key), image, bytes});
  return image;
}

void ShadedReliefCache::insert(Entry entry) {
  if (entry.bytes > m_max_bytes || m_index.count(entry.key) != 0) return;
  m_lru.push_front(std::move(entry));
  m_index.emplace(m_lru.front().key, m_lru.begin());
  m_bytes += m_lru.front().bytes;
  while (m_bytes > m_max_bytes) {
    const Entry& last = m_lru.back();
    m_bytes -= last.bytes;
    m_index.erase(last.key);
    m_lru.pop_back();
  }
}

ShadedReliefCache::Stats ShadedReliefCache::stats() const {
  std::lock_guard lock(m_mutex);
  return Stats{m_hits, m_misses, m_index.size(), m_bytes};
}

}  // namespace minqing::render
