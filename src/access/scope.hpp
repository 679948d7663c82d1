#pragma once
// The caller's access scope: derived from the policy and the caller (role + assignment), it
// answers which maps and feature classes the caller may see, which features, how each field of a
// feature is shown, and the cache key of everything that changes an answer. Handlers never read
// through it directly: query::ScopedReader (query/scoped_reader.hpp) is made from it once per
// request and is the only way to read map data.
//
// Signed in is public plus role (policy/README.md): a signed-in caller sees every map, class and
// feature the public sees, county-wide, with the public's fields; inside the role's area it also
// sees what the role is granted, with per field the wider of the two accesses. The role's area
// never narrows what the public may see.
//
// Area rules: county — every feature; township — village code starts with the 9-digit township
// code; village — village code equals the assigned one; grid — a class with a grid_id field must
// hold one of the assigned grids; a class without one is in area when its village is the village
// of an assigned grid AND it holds no personal field (a household-level record that cannot be
// placed in a grid is refused, not guessed). A feature with no village code is in area for county
// scopes only.
//
// Immutable; safe to share between threads. Cheap to copy (shares the role's rules).

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "access/assignment.hpp"
#include "access/policy.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::access {

class Scope {
 public:
  // The scope of a caller without a session: the policy's `public` role, county-wide.
  static Scope anonymous(const Policy& policy);

  // The scope of a signed-in user.
  // @throws ConfigError when the policy does not define `role` or the assignment cannot define the
  //         role's area (access/assignment.hpp assignment_problem); the server answers such a
  //         session with 403, never with a wider scope.
  static Scope for_user(const Policy& policy, const std::string& username, std::string_view role,
                        const Assignment& assignment);

  const std::string& user() const noexcept { return m_user; }  // "" when anonymous
  const std::string& role() const noexcept { return m_rules->name; }
  const RoleRules& rules() const noexcept { return *m_rules; }
  AreaKind area_kind() const noexcept { return m_rules->area; }
  const Assignment& assignment() const noexcept { return m_assignment; }

  bool is_public() const noexcept { return m_rules->name == kRolePublic; }
  bool is_admin() const noexcept { return m_rules->admin; }
  bool may_edit() const noexcept { return !m_rules->edit_maps.empty(); }
  bool may_edit_map(std::string_view map) const noexcept;

  // Maps and classes the caller may see somewhere: the public's and the role's own.
  bool may_see_map(std::string_view map) const noexcept { return m_rules->may_see_map(map); }
  bool may_see_class(std::string_view feature_class) const noexcept;
  const std::vector<std::string>& maps() const noexcept { return m_rules->maps; }
  // Whether the public sees `map` (then the caller sees it county-wide, whatever its area).
  bool public_sees_map(std::string_view map) const noexcept;
  // Whether the caller sees any feature of `feature_class` outside its own area.
  bool sees_class_anywhere(std::string_view feature_class) const noexcept;

  // Whether a place is in the caller's area. `grid_id` empty: the record is not tied to a grid
  // (then a grid scope checks the grid's village only).
  bool in_area(std::string_view village_code, std::string_view grid_id = {}) const noexcept;
  // Whether a feature is in the caller's area, by its class's village key and grid_id field.
  bool in_area(const model::FeatureClassDef& def, const model::Feature& f) const noexcept;
  // How the caller reads feature `f` of class `def`: the grant of its fields, or null when the
  // caller may not see the feature at all (neither drawn nor returned nor counted). The pointer
  // stays valid as long as this scope (or a copy of it) lives.
  const FieldGrant* grant(const model::FeatureClassDef& def, const model::Feature& f) const noexcept;
  // grant(def, f) != nullptr.
  bool visible(const model::FeatureClassDef& def, const model::Feature& f) const noexcept {
    return grant(def, f) != nullptr;
  }

  // The widest way the caller may see a field anywhere (inside its area); hidden for a class the
  // caller may not see or a field it does not know.
  FieldAccess field_access(std::string_view feature_class, std::string_view field) const;

  // Identifies everything in the scope that changes an answer: role, area, maps and the policy
  // fingerprint (not the user), e.g. "scope1|village_cadre|village:331124207201|terrain,…|p=…".
  // Users with the same role and area share cache entries; the public scope has its own.
  const std::string& cache_key() const noexcept { return m_cache_key; }

 private:
  Scope(std::shared_ptr<const RoleRules> rules, std::string user, Assignment assignment,
        const std::string& fingerprint);

  std::shared_ptr<const RoleRules> m_rules;
  std::string m_user;
  Assignment m_assignment;
  std::string m_township;                              // township scopes: the 9-digit code
  std::set<std::string, std::less<>> m_grids;          // grid scopes: assigned grid ids
  std::set<std::string, std::less<>> m_grid_villages;  // grid scopes: their villages
  std::string m_cache_key;
};

}  // namespace minqing::access
