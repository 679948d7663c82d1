#include "access/scope_description.hpp"

namespace minqing::access {

nlohmann::json describe(const Scope& scope, const model::LayerCatalog& catalog) {
  using nlohmann::json;
  json area = {{"kind", to_string(scope.area_kind())}};
  const Assignment& a = scope.assignment();
  if (!a.township.empty()) area["township"] = a.township;
  if (!a.village_code.empty()) area["village_code"] = a.village_code;
  if (!a.grid_ids.empty()) area["grid_ids"] = a.grid_ids;
  json fields = json::object();
  for (const auto& map : scope.maps()) {
    const auto* m = catalog.find_map(map);
    if (!m) continue;
    for (const auto& cls : m->classes) {
      const auto* def = catalog.find_class(cls);
      if (!def) continue;
      for (const auto& f : def->fields) {
        const FieldAccess access = scope.field_access(cls, f.name);
        if (access != FieldAccess::full) fields[cls][f.name] = to_string(access);
      }
    }
  }
  return json{{"user", scope.user()},
              {"role", scope.role()},
              {"title", scope.rules().title},
              {"public", scope.is_public()},
              {"admin", scope.is_admin()},
              {"area", area},
              {"maps", scope.maps()},
              {"edit", scope.rules().edit_maps},
              {"fields", fields}};
}

}  // namespace minqing::access
