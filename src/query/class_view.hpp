#pragma once
// A feature class as one caller sees it: which fields it reads and which it may filter by. Made
// by query::ScopedReader (the only way to read features) from the caller's access::Scope; the
// features themselves come from the reader, already in the caller's form (values hidden or
// masked per feature, query/scoped_reader.hpp).
//   which fields:     `fields`, the fields the caller reads somewhere (in full or masked), in field
//                     order, with the widest access it has to each (inside its own area);
//   which predicates: `queryable`, the fields the caller reads in full. A masked field is never
//                     queryable: a filter on it (name LIKE '张三%') would reveal the value that the
//                     mask hides, one guess at a time. A queryable field is evaluated on the
//                     caller's form of each feature, so outside the caller's area, where the
//                     public's grant hides it, it is null and matches nothing but IS NULL.
//
// The view refers to the catalog and the scope; it is valid while both live (one request).

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "model/value.hpp"
#include "store/served_feature.hpp"

namespace minqing::query {

struct ClassView {
  const model::FeatureClassDef* def = nullptr;
  const access::Scope* scope = nullptr;
  std::vector<int> fields;                  // readable (full or masked), field order
  std::vector<access::FieldAccess> access;  // parallel to `fields`: the widest access
  std::vector<int> queryable;               // readable in full, field order

  bool has_field(int index) const noexcept;     // readable
  bool is_queryable(int index) const noexcept;  // readable in full
  // Field `fields[k]` of `f`, a feature the caller's ScopedReader gave (so already hidden or masked
  // as the caller may see it).
  const model::Value& value(const store::ServedFeature& f, std::size_t k) const noexcept;
  // Whether this class belongs to a confidential map (key_persons): its reads are audited.
  bool confidential() const noexcept { return m_confidential; }

  bool m_confidential = false;
};

// The class `name` as `scope` sees it; nullopt when no such class exists or the scope may not
// see it (callers answer both with 404: a hidden class is indistinguishable from a missing one).
std::optional<ClassView> class_view(const model::LayerCatalog& catalog, const access::Scope& scope,
                                    std::string_view name);

// Every class `scope` sees, in catalog order.
std::vector<ClassView> class_views(const model::LayerCatalog& catalog, const access::Scope& scope);

}  // namespace minqing::query
