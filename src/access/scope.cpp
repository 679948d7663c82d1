#include "access/scope.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace minqing::access {

namespace {
const ClassGrant* class_grant(const RoleRules& r, std::string_view cls) noexcept {
  auto it = r.grants.find(cls);
  return it == r.grants.end() ? nullptr : &it->second;
}

std::string_view text_of(const model::Value& v) noexcept {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}
}  // namespace

Scope::Scope(std::shared_ptr<const RoleRules> rules, std::string user, Assignment assignment,
             const std::string& fingerprint)
    : m_rules(std::move(rules)), m_user(std::move(user)), m_assignment(std::move(assignment)) {
  std::string area(to_string(m_rules->area));
  switch (m_rules->area) {
    case AreaKind::county:
      break;
    case AreaKind::township:
      m_township = m_assignment.township.empty() ? m_assignment.village_code.substr(0, 9)
                                                 : m_assignment.township;
      area += ":" + m_township;
      break;
    case AreaKind::village:
      area += ":" + m_assignment.village_code;
      break;
    case AreaKind::grid:
      for (const auto& g : m_assignment.grid_ids) {
        m_grids.insert(g);
        m_grid_villages.insert(std::string(grid_village(g)));
      }
      for (auto it = m_grids.begin(); it != m_grids.end(); ++it)
        area += (it == m_grids.begin() ? ":" : ",") + *it;
      break;
  }
  std::string maps;
  for (const auto& m : m_rules->maps) maps += (maps.empty() ? "" : ",") + m;
  m_cache_key = "scope1|" + m_rules->name + "|" + area + "|" + maps + "|p=" + fingerprint;
}

Scope Scope::anonymous(const Policy& policy) {
  auto rules = policy.role(kRolePublic);
  if (!rules) throw ConfigError(policy.source() + ": no role \"public\"");
  return Scope(std::move(rules), "", Assignment{}, policy.fingerprint());
}

Scope Scope::for_user(const Policy& policy, const std::string& username, std::string_view role,
                      const Assignment& assignment) {
  auto rules = policy.role(role);
  if (!rules)
    throw ConfigError("account " + username + ": role \"" + std::string(role) +
                      "\" is not in the policy");
  if (auto problem = assignment_problem(rules->area, assignment)) {
    throw ConfigError("account " + username + " (" + std::string(role) + "): " + *problem);
  }
  // Only what the role's area needs is kept, so that two users of the same area share one key.
  Assignment kept;
  switch (rules->area) {
    case AreaKind::county:
      break;
    case AreaKind::township:
      kept.township =
          assignment.township.empty() ? assignment.village_code.substr(0, 9) : assignment.township;
      break;
    case AreaKind::village:
      kept.village_code = assignment.village_code;
      break;
    case AreaKind::grid:
      kept.grid_ids = assignment.grid_ids;
      break;
  }
  return Scope(std::move(rules), username, std::move(kept), policy.fingerprint());
}

bool Scope::may_edit_map(std::string_view map) const noexcept {
  const auto& e = m_rules->edit_maps;
  return std::find(e.begin(), e.end(), map) != e.end();
}

bool Scope::may_see_class(std::string_view feature_class) const noexcept {
  return class_grant(*m_rules, feature_class) != nullptr;
}

bool Scope::public_sees_map(std::string_view map) const noexcept {
  const auto& m = m_rules->public_maps;
  return std::find(m.begin(), m.end(), map) != m.end();
}

bool Scope::sees_class_anywhere(std::string_view feature_class) const noexcept {
  if (m_rules->area == AreaKind::county) return may_see_class(feature_class);
  const ClassGrant* g = class_grant(*m_rules, feature_class);
  return g != nullptr && g->anywhere.has_value();
}

bool Scope::in_area(std::string_view village_code, std::string_view grid_id) const noexcept {
  switch (m_rules->area) {
    case AreaKind::county:
      return true;
    case AreaKind::township:
      return is_village_code(village_code) && village_code.substr(0, 9) == m_township;
    case AreaKind::village:
      return is_village_code(village_code) && village_code == m_assignment.village_code;
    case AreaKind::grid:
      if (!grid_id.empty())
        return m_grids.count(grid_id) > 0 && grid_village(grid_id) == village_code;
      return is_village_code(village_code) && m_grid_villages.count(village_code) > 0;
  }
  return false;
}

bool Scope::in_area(const model::FeatureClassDef& def, const model::Feature& f) const noexcept {
  if (m_rules->area == AreaKind::county) return true;
  const int vk = def.village_key.empty() ? -1 : def.field_index(def.village_key);
  if (vk < 0 || static_cast<std::size_t>(vk) >= f.values.size()) return false;
  const std::string_view village = text_of(f.values[static_cast<std::size_t>(vk)]);
  if (m_rules->area != AreaKind::grid) return in_area(village);
  const int gk = def.field_index("grid_id");
  if (gk >= 0) {
    if (static_cast<std::size_t>(gk) >= f.values.size()) return false;
    const std::string_view grid = text_of(f.values[static_cast<std::size_t>(gk)]);
    return !grid.empty() && in_area(village, grid);
  }
  const bool personal =
      std::any_of(def.fields.begin(), def.fields.end(), [](const auto& fd) { return fd.personal; });
  return !personal && in_area(village);
}

const FieldGrant* Scope::grant(const model::FeatureClassDef& def, const model::Feature& f) const noexcept {
  const ClassGrant* g = class_grant(*m_rules, def.name);
  if (g == nullptr) return nullptr;
  const FieldGrant* anywhere = g->anywhere ? &*g->anywhere : nullptr;
  // Outside the area only the public's grant reads; inside it the united one, which is never
  // narrower. When both are the same, the area need not be looked at.
  if (g->in_area && !(anywhere && *g->in_area == *anywhere)) return in_area(def, f) ? &*g->in_area : anywhere;
  return anywhere;
}

FieldAccess Scope::field_access(std::string_view feature_class, std::string_view field) const {
  std::string key;
  key.reserve(feature_class.size() + field.size() + 1);
  key.append(feature_class).append(".").append(field);
  auto it = m_rules->resolved.find(key);
  return it == m_rules->resolved.end() ? FieldAccess::hidden : it->second;
}

}  // namespace minqing::access
