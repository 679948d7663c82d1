#include "query/class_view.hpp"

#include <algorithm>

namespace minqing::query {

bool ClassView::has_field(int index) const noexcept {
  return std::find(fields.begin(), fields.end(), index) != fields.end();
}

bool ClassView::is_queryable(int index) const noexcept {
  return std::find(queryable.begin(), queryable.end(), index) != queryable.end();
}

const model::Value& ClassView::value(const store::ServedFeature& f, std::size_t k) const noexcept {
  static const model::Value kNull{};
  const auto i = static_cast<std::size_t>(fields[k]);
  return i < f.feature.values.size() ? f.feature.values[i] : kNull;
}

std::optional<ClassView> class_view(const model::LayerCatalog& catalog, const access::Scope& scope,
                                    std::string_view name) {
  const model::FeatureClassDef* def = catalog.find_class(name);
  if (!def || !scope.may_see_class(def->name)) return std::nullopt;
  const model::MapDef* map = catalog.find_map(def->map);
  ClassView view;
  view.def = def;
  view.scope = &scope;
  view.m_confidential = map != nullptr && map->confidential;
  for (std::size_t i = 0; i < def->fields.size(); ++i) {
    const access::FieldAccess a = scope.field_access(def->name, def->fields[i].name);
    if (a == access::FieldAccess::hidden) continue;
    view.fields.push_back(static_cast<int>(i));
    view.access.push_back(a);
    if (a == access::FieldAccess::full) view.queryable.push_back(static_cast<int>(i));
  }
  return view;
}

std::vector<ClassView> class_views(const model::LayerCatalog& catalog, const access::Scope& scope) {
  std::vector<ClassView> out;
  for (const auto& def : catalog.classes()) {
    if (auto v = class_view(catalog, scope, def.name)) out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace minqing::query
