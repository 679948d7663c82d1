#pragma once
// Class extents for collection documents (OGC API /collections), computed once per class and
// data version for county-wide callers instead of per request: at county scale a class holds up to
// ~100,000 features, and every GIS client asks for /collections first. Callers with a smaller area
// get the extent of what they may see, computed per request (their area bounds it anyway, and an
// extent over the whole county would tell them where features outside their area lie).
//
// Thread-safe: one cache is shared by all request threads.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "geo/coord.hpp"
#include "query/class_view.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

class ExtentCache {
 public:
  // Extent in EPSG:3857 of the features of `view` its caller may see (empty when none).
  geo::BBox extent(const store::ServingIndex& index, const ClassView& view) const;

 private:
  struct Entry {
    std::uint64_t version = 0;
    geo::BBox box;
  };
  mutable std::mutex m_mutex;
  mutable std::map<std::string, Entry, std::less<>> m_county;
};

}  // namespace minqing::query
