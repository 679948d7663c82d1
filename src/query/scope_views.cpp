#include "query/scope_views.hpp"

namespace minqing::query {

std::shared_ptr<const std::vector<ClassView>> ScopeViews::of(const access::Scope& scope) {
  {
    std::lock_guard lock(m_mutex);
    const auto it = m_kept.find(&scope);
    if (it != m_kept.end() && it->second.cache_key == scope.cache_key()) return it->second.views;
  }
  auto views = std::make_shared<const std::vector<ClassView>>(class_views(m_catalog, scope));
  std::lock_guard lock(m_mutex);
  if (m_kept.size() >= m_capacity) m_kept.clear();
  m_kept.insert_or_assign(&scope, Kept{scope.cache_key(), views});
  return views;
}

}  // namespace minqing::query
