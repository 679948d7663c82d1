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
  json classes = json::array();  // classes granted without their map
  for (const auto& def : catalog.classes()) {
    if (!scope.may_see_class(def.name)) continue;
    if (!scope.may_see_map(def.map)) classes.push_back(def.name);
    for (const auto& f : def.fields) {
      const FieldAccess access = scope.field_access(def.name, f.name);
      if (access != FieldAccess::full) fields[def.name][f.name] = to_string(access);
    }
  }
  // Maps seen county-wide because the public sees them (public plus role).
  json everywhere = json::array();
  for (const auto& m : scope.maps()) {
    if (scope.public_sees_map(m)) everywhere.push_back(m);
  }
  return json{{"user", scope.user()},
              {"role", scope.role()},
              {"title", scope.rules().title},
              {"public", scope.is_public()},
              {"admin", scope.is_admin()},
              {"area", area},
              {"maps", scope.maps()},
              {"maps_everywhere", everywhere},
              {"classes", classes},
              {"edit", scope.rules().edit_maps},
              {"fields", fields}};
}

}  // namespace minqing::access
