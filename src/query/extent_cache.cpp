#include "query/extent_cache.hpp"

#include "query/feature_query.hpp"

namespace minqing::query {

geo::BBox ExtentCache::extent(const store::ServingIndex& index, const ClassView& view) const {
  if (view.scope == nullptr || view.scope->area_kind() != access::AreaKind::county) {
    return visible_extent(index, view);
  }
  const std::string& name = view.def->name;
  const std::uint64_t version = index.data_version(name);
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_county.find(name); it != m_county.end() && it->second.version == version) return it->second.box;
  }
  // Computed outside the lock; two threads racing on a miss both compute the same box.
  const geo::BBox box = visible_extent(index, view);
  std::lock_guard lock(m_mutex);
  m_county[name] = Entry{version, box};
  return box;
}

}  // namespace minqing::query
