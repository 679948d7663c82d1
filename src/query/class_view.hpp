#pragma once
// A feature class as one caller sees it — the only way the query module (feature queries,
// identify, search, nearby, statistics) reads features. Made from the caller's access::Scope, it
// carries the three rules every answer obeys:
//   which features:  visible(f) — the class is among the caller's maps and f lies in the area;
//   which fields:    `fields`, the fields the caller reads in full or masked, in field order;
//                    value(f, i) gives the value as the caller may see it (masked, or null);
//   which predicates: `queryable`, the fields the caller reads in full. A masked field is never
//                    queryable: a filter on it (name LIKE '张三%') would reveal the value that
//                    the mask hides, one guess at a time.
// Handlers never build a ClassView by hand; they call class_view()/class_views() with the scope
// of the request (RequestContext::scope).
//
// The view refers to the catalog and the scope; it is valid while both live (one request).

#include <optional>
#include <string_view>
#include <vector>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "model/value.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

struct ClassView {
  const model::FeatureClassDef* def = nullptr;
  const access::Scope* scope = nullptr;
  std::vector<int> fields;                     // readable (full or masked), field order
  std::vector<access::FieldAccess> access;     // parallel to `fields`
  std::vector<int> queryable;                  // readable in full, field order

  bool has_field(int index) const noexcept;     // readable
  bool is_queryable(int index) const noexcept;  // readable in full
  // Whether the caller may see this feature at all (class allowed and in the caller's area).
  bool visible(const store::ServedFeature& f) const noexcept;
  // Field `fields[k]` of `f` as the caller may see it: the value, its masked form, or null.
  model::Value value(const store::ServedFeature& f, std::size_t k) const;
  // Whether this class belongs to a confidential map (key_persons): its reads are audited.
  bool confidential() const noexcept { return m_confidential; }

  bool m_confidential = false;
};

// The class `name` as `scope` sees it; nullopt when no such class exists or the scope may not
// see its map (callers answer both with 404: a hidden class is indistinguishable from a missing
// one).
std::optional<ClassView> class_view(const model::LayerCatalog& catalog, const access::Scope& scope,
                                    std::string_view name);

// Every class `scope` sees, in catalog order.
std::vector<ClassView> class_views(const model::LayerCatalog& catalog, const access::Scope& scope);

}  // namespace minqing::query
