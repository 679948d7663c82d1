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

// How a caller reads the fields of one feature: one access per field, in FeatureClassDef::fields
// order.
struct FieldGrant {
  std::vector<FieldAccess> fields;
  bool all_full = true;  // every field in full: the feature may be served as stored

  bool operator==(const FieldGrant&) const = default;
};

// What a role may read of one feature class (policy/README.md "Signed in: public plus role").
//   in_area:  the role's own grant united with the public's (per field the wider of the two),
//             for features inside the role's area;
//   anywhere: the public grant, for features anywhere in the county (the public's area);
// either may be absent. A feature inside the area reads through `in_area` when present, else
// through `anywhere`; a feature outside it only through `anywhere`.
struct ClassGrant {
  std::optional<FieldGrant> in_area;
  std::optional<FieldGrant> anywhere;
};

// One role's rules, resolved against the layer catalog at load.
struct RoleRules {
  std::string name;
  std::string title;
  // Maps the caller sees, in catalog order: the role's own `maps` united with the public's.
  std::vector<std::string> maps;
  // Maps the role lists itself (its area limits what of them the public does not see).
  std::vector<std::string> own_maps;
  // Maps the public sees (county-wide, for every caller).
  std::vector<std::string> public_maps;
  // Feature classes granted outside the role's maps (`classes`), e.g. a planner's households.
  std::vector<std::string> extra_classes;
  AreaKind area = AreaKind::village;
  FieldAccess personal = FieldAccess::hidden;  // for personal fields not listed in `fields`
  std::map<std::string, FieldAccess, std::less<>> fields;  // "class.field" → access, as written
  std::vector<std::string> edit_maps;                      // maps it may edit, a subset of `maps`
  bool admin = false;                                      // manages accounts, reads the audit log
  // Per feature class the role's own grant reaches (its maps' classes and extra_classes): the
  // access of each field as the role alone is granted it, in FeatureClassDef::fields order.
  std::map<std::string, std::vector<FieldAccess>, std::less<>> class_fields;
  // Per feature class the caller may read at all: public plus role (see ClassGrant).
  std::map<std::string, ClassGrant, std::less<>> grants;
  // "class.field" → the widest access the caller has to the field anywhere (in its area), for
  // every field of every class in `grants`.
  std::map<std::string, FieldAccess, std::less<>> resolved;

  bool may_see_map(std::string_view map) const noexcept;
};

// The wider of two accesses: full over masked over hidden.
FieldAccess wider(FieldAccess a, FieldAccess b) noexcept;

class Policy {
 public:
  // Reads and checks a policy file against `catalog`.
  // @throws ConfigError naming the file and the key at fault: unreadable file, bad JSON, an
  //         unknown key, role, map, class or field, a missing role, an edit map not among the
  //         role's maps, an access other than full|masked|hidden, a `version` other than 2 or a
  //         `signed_in` other than "public_plus_role"; and, as a floor no policy may lower, a
  //         `public` role that reaches beyond the county-wide area, sees a confidential map or a
  //         class of one, sees any personal field or may edit.
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
