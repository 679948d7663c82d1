#pragma once
// Shaded relief kept across requests, maps and callers (issue 12 part 3): the hillshade of a canvas
// depends only on the DEMs, the canvas's extent and pixel size and the shading parameters — not on
// the map, the caller or the data — so a metatile (or one band of it: render/metatile.hpp) drawn
// for terrain and then for the composite, or drawn again after an edit invalidated its tiles, is
// shaded once. It was a fifth of a cold composite tile's CPU.
//
// The shaded image is kept cropped to the pixels the shading touched (a metatile at z14 is mostly
// outside every village's DEM) as plain memory, not a cairo surface: a cairo image surface used as a
// source on several threads at once shares one pixman image whose reference count is not atomic,
// so each draw wraps the kept pixels in a surface of its own (render/hillshade_symbolizer.cpp).
//
// Entries are keyed by the ReliefSource's id (ReliefSource::id(): unique per source made in this
// process, so a source loaded anew after a DEM was replaced never meets the old source's entries,
// even at the same address), the canvas extent (exact doubles), its pixel size and the shading
// parameters. Bounded by bytes (the kept pixels plus a fixed overhead per entry): least recently
// used entries are dropped past the bound; an image larger than the whole bound is not kept.
//
// Thread-safe: any number of threads may call get() at once. The shading itself runs outside the
// lock; two threads missing the same key at once both shade it (same pixels) and one copy is kept.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "geo/coord.hpp"
#include "render/relief_source.hpp"

namespace minqing::render {

// A shaded image cropped to its non-transparent pixels: premultiplied ARGB32 (cairo's layout),
// `width` × `height` pixels at (x, y) of the canvas it was shaded for, rows of `width` pixels.
// Immutable once made; shared by the draws that use it.
struct ShadedRelief {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  std::vector<std::uint32_t> pixels;

  std::size_t bytes() const noexcept { return pixels.size() * sizeof(std::uint32_t); }
};
using ShadedReliefPtr = std::shared_ptr<const ShadedRelief>;

// Shades `extent` (EPSG:3857) onto a width × height canvas as ReliefSource::render_hillshade does
// and crops the result: null when no grid touched the window or every shaded pixel is
// transparent. Drawing the result at (x, y) with OVER gives the very pixels of drawing the whole
// uncropped image (the pixels left out are transparent). @throws DataError as render_hillshade.
ShadedReliefPtr shade_cropped(const ReliefSource& relief, const geo::BBox& extent, int width, int height,
                              const HillshadeParams& params);

class ShadedReliefCache {
 public:
  // Keeps at most `max_bytes` of shaded images (and their entries' overhead).
  explicit ShadedReliefCache(std::size_t max_bytes);
  ShadedReliefCache(const ShadedReliefCache&) = delete;
  ShadedReliefCache& operator=(const ShadedReliefCache&) = delete;

  // The shading of `extent` at width × height with `params` from `relief`: the kept one, or
  // shade_cropped()'s, kept for next time. Null as shade_cropped.
  // @throws DataError as shade_cropped (nothing is kept then).
  ShadedReliefPtr get(const ReliefSource& relief, const geo::BBox& extent, int width, int height,
                      const HillshadeParams& params);

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
    std::size_t bytes = 0;  // what the bound counts
  };
  Stats stats() const;
  std::size_t max_bytes() const noexcept { return m_max_bytes; }

  // What an entry costs besides its pixels (the key, the list node, the map slot).
  static constexpr std::size_t kEntryOverhead = 256;

 private:
  struct Key {
    std::uint64_t source = 0;
    geo::BBox extent;
    int width = 0;
    int height = 0;
    HillshadeParams params;
    bool operator==(const Key& o) const noexcept;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Entry {
    Key key;
    ShadedReliefPtr image;  // null: nothing to shade there (kept too: it costs a pass to learn)
    std::size_t bytes = 0;
  };
  using Lru = std::list<Entry>;  // most recently used first

  // Keeps `entry` unless its key is already kept; drops the least recently used past the bound.
  // Called under m_mutex.
  void insert(Entry entry);

  const std::size_t m_max_bytes;
  mutable std::mutex m_mutex;
  Lru m_lru;
  std::unordered_map<Key, Lru::iterator, KeyHash> m_index;
  std::size_t m_bytes = 0;
  std::uint64_t m_hits = 0;
  std::uint64_t m_misses = 0;
};

}  // namespace minqing::render
