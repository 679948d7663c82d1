#pragma once
// Which feature classes and fields the feature API (OGC API – Features) serves. Until accounts
// and scopes exist (the access-control issue), every caller is anonymous:
//  - classes of confidential maps (key_persons) are not served at all: not listed, 404;
//  - personal-data fields (FieldDef::personal) are never written and never queryable — an
//    equality parameter or a filter naming one is refused with 400.
// This is the one place that decides it for features; handlers and the query module only ever see
// the ClassView it produces. The access-control work replaces it with the caller's Scope.

#include <optional>
#include <string_view>
#include <vector>

#include "model/layer_catalog.hpp"
#include "query/feature_query.hpp"
#include "server/map_visibility.hpp"

namespace minqing::server {

// The class `name` as an anonymous caller sees it, or nullopt when it does not exist or is not
// visible to the caller (both answer 404: a hidden class is indistinguishable from a missing one).
inline std::optional<query::ClassView> anonymous_class_view(const model::LayerCatalog& catalog,
                                                            std::string_view name) {
  const model::FeatureClassDef* def = catalog.find_class(name);
  if (!def) return std::nullopt;
  const model::MapDef* map = catalog.find_map(def->map);
  if (!map || !map_visible_to_anonymous(*map)) return std::nullopt;
  query::ClassView view;
  view.def = def;
  for (std::size_t i = 0; i < def->fields.size(); ++i) {
    if (!def->fields[i].personal) view.fields.push_back(static_cast<int>(i));
  }
  return view;
}

// Every class an anonymous caller sees, in catalog order.
inline std::vector<query::ClassView> anonymous_class_views(const model::LayerCatalog& catalog) {
  std::vector<query::ClassView> out;
  for (const auto& def : catalog.classes()) {
    if (auto v = anonymous_class_view(catalog, def.name)) out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace minqing::server
