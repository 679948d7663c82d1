#include "query/extent_cache.hpp"

namespace minqing::query {

ClassSummary ExtentCache::get(const std::string& key, std::uint64_t version,
                              const std::function<ClassSummary()>& compute) const {
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_entries.find(key); it != m_entries.end() && it->second.version == version) return it->second.summary;
  }
  // Computed outside the lock: a scan of a large class must not block other callers.
  const ClassSummary summary = compute();
  std::lock_guard lock(m_mutex);
  if (m_entries.size() >= kMaxEntries) m_entries.clear();
  m_entries[key] = Entry{version, summary};
  return summary;
}

}  // namespace minqing::query
