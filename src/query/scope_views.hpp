#pragma once
// The class views of each access scope, made once and shared by every reader of that scope.
// class_views() builds a view per class the scope sees (fields, accesses, queryables) — on every
// feature query or identify it was 7 % of the request (issue 12). Scopes are now shared objects
// (the anonymous one, access/user_scopes), so the views are kept per scope object and handed out
// while that object is the one they were made for.
//
// Keyed by the scope's address and checked against its cache key: a scope freed and another one
// made at the same address gets views made again unless it is the same access (same cache key),
// in which case the views — which point at the scope by address — are exactly its own. Bounded
// (cleared when full). Thread-safe.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"

namespace minqing::query {

class ScopeViews {
 public:
  explicit ScopeViews(const model::LayerCatalog& catalog, std::size_t capacity = 1024) noexcept
      : m_catalog(catalog), m_capacity(capacity) {}

  // class_views(catalog, scope), shared.
  std::shared_ptr<const std::vector<ClassView>> of(const access::Scope& scope);

 private:
  struct Kept {
    std::string cache_key;
    std::shared_ptr<const std::vector<ClassView>> views;
  };
  const model::LayerCatalog& m_catalog;
  std::size_t m_capacity;
  std::mutex m_mutex;
  std::unordered_map<const access::Scope*, Kept> m_kept;
};

}  // namespace minqing::query
