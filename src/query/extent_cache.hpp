#pragma once
// What a caller sees of a feature class in summary — its extent and its number of features — for
// collection documents (/collections), /api/layers, TileJSON and WMTS bounds, computed once per
// class, data version and (for callers who see only part of a class) scope, instead of per
// request: at county scale a class holds up to ~100,000 features, and every GIS client asks for
// these first. A caller who sees the whole class (the public grant reaches it, or the caller's area
// is the county) shares one entry; a caller who sees part of it gets the summary of that part,
// never the county's (which would tell where features outside its area lie).
//
// Thread-safe: one cache is shared by all request threads.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "geo/coord.hpp"

namespace minqing::query {

struct ClassSummary {
  geo::BBox extent;  // EPSG:3857; empty when the caller sees no feature
  std::size_t count = 0;
};

class ExtentCache {
 public:
  // The summary stored under `key` for data version `version`, or `compute()`'s, then stored.
  // `key` names the class and, for a caller who sees part of it, the caller's scope
  // (Scope::cache_key). Two threads missing together both compute; the answers are equal.
  ClassSummary get(const std::string& key, std::uint64_t version, const std::function<ClassSummary()>& compute) const;

 private:
  struct Entry {
    std::uint64_t version = 0;
    ClassSummary summary;
  };
  static constexpr std::size_t kMaxEntries = 20000;  // ~401 villages × 18 classes fit; then start afresh
  mutable std::mutex m_mutex;
  mutable std::map<std::string, Entry, std::less<>> m_entries;
};

}  // namespace minqing::query
