#pragma once
// The access policy (policy/policy.json, described in policy/README.md): for each role, the maps
// it may see, the area it reaches, how it sees each personal-data field, which maps it may edit
// and whether it administers accounts. Policy is a file, not code: nothing here names a map or a
// field. What is not granted is refused — a personal field a role does not list is hidden.
//
// Load once at start-up; immutable afterwards and safe to share between threads. Roles are held
// by shared_ptr so that a Scope (access/scope.hpp) may outlive the Policy it came from.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/assignment.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::access {

enum class FieldAccess { full, masked, hidden };

std::string_view to_string(FieldAccess a) noexcept;
std::optional<FieldAccess> field_access_from_string(std::string_view text) noexcept;

// The six roles of DOMAIN.md "Who uses it"; a policy defines each of them and no other.
inline constexpr std::string_view kRoleCountyAdmin = "county_admin";
inline constexpr std::string_view kRoleTownshipCadre = "township_cadre";
inline constexpr std::string_view kRoleVillageCadre = "village_cadre";
inline constexpr std::string_view kRoleGridWorker = "grid_worker";
inline constexpr std::string_view kRoleDisasterPlanner = "disaster_planner";
inline constexpr std::string_view kRolePublic = "public";  // every caller without a session
const std::vector<std::string_view>& known_roles() noexcept;
bool is_known_role(std::string_view role) noexcept;

// One role's rules, resolved against the layer catalog at load.
struct RoleRules {
  std::string name;
  std::string title;
  std::vector<std::string> maps;  // visible maps, in catalog order
  AreaKind area = AreaKind::village;
  FieldAccess personal = FieldAccess::hidden;  // for personal fields not listed in `fields`
  std::map<std::string, FieldAccess, std::less<>> fields;  // "class.field" → access, as written
  std::vector<std::string> edit_maps;                      // maps it may edit, a subset of `maps`
  bool admin = false;                                      // manages accounts, reads the audit log
  // Per visible feature class: the access of each field, in FeatureClassDef::fields order.
  std::map<std::string, std::vector<FieldAccess>, std::less<>> class_fields;
  // The same by name, "class.field" → access, for every field of every visible class.
  std::map<std::string, FieldAccess, std::less<>> resolved;

  bool may_see_map(std::string_view map) const noexcept;
};

class Policy {
 public:
  // Reads and checks a policy file against `catalog`.
  // @throws ConfigError naming the file and the key at fault: unreadable file, bad JSON, an
  //         unknown key, role, map, class or field, a missing role, an edit map not among the
  //         role's maps, an access other than full|masked|hidden; and, as a floor no policy may
  //         lower, a `public` role that reaches beyond the county-wide area, sees a confidential
  //         map, sees any personal field or may edit.
  static Policy load(const std::filesystem::path& path, const model::LayerCatalog& catalog);

  // The same from text; `source` names it in errors.
  static Policy parse(std::string_view text, const std::string& source,
                      const model::LayerCatalog& catalog);

  // $MINQING_POLICY when set, else policy/policy.json in the source tree.
  static std::filesystem::path default_path();

  // The role's rules; null for a role the policy does not define.
  std::shared_ptr<const RoleRules> role(std::string_view name) const;

  // 16 hex digits of SHA-256 over the policy text: part of every cache key, so that a changed
  // policy never answers from entries made under the old one.
  const std::string& fingerprint() const noexcept { return m_fingerprint; }
  const std::string& source() const noexcept { return m_source; }

 private:
  std::map<std::string, std::shared_ptr<const RoleRules>, std::less<>> m_roles;
  std::string m_fingerprint;
  std::string m_source;
};

}  // namespace minqing::access
