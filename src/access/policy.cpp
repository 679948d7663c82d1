#include "access/policy.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "access/crypto.hpp"
#include "base/error.hpp"

namespace minqing::access {

using nlohmann::json;

std::string_view to_string(FieldAccess a) noexcept {
  switch (a) {
    case FieldAccess::full:
      return "full";
    case FieldAccess::masked:
      return "masked";
    case FieldAccess::hidden:
      return "hidden";
  }
  return "hidden";
}

std::optional<FieldAccess> field_access_from_string(std::string_view text) noexcept {
  if (text == "full") return FieldAccess::full;
  if (text == "masked") return FieldAccess::masked;
  if (text == "hidden") return FieldAccess::hidden;
  return std::nullopt;
}

const std::vector<std::string_view>& known_roles() noexcept {
  static const std::vector<std::string_view> roles = {kRoleCountyAdmin,     kRoleTownshipCadre,
                                                      kRoleVillageCadre,    kRoleGridWorker,
                                                      kRoleDisasterPlanner, kRolePublic};
  return roles;
}

bool is_known_role(std::string_view role) noexcept {
  const auto& r = known_roles();
  return std::find(r.begin(), r.end(), role) != r.end();
}

bool RoleRules::may_see_map(std::string_view map) const noexcept {
  return std::find(maps.begin(), maps.end(), map) != maps.end();
}

FieldAccess wider(FieldAccess a, FieldAccess b) noexcept {
  if (a == FieldAccess::full || b == FieldAccess::full) return FieldAccess::full;
  if (a == FieldAccess::masked || b == FieldAccess::masked) return FieldAccess::masked;
  return FieldAccess::hidden;
}

namespace {

class PolicyReader {
 public:
  PolicyReader(std::string source, const model::LayerCatalog& catalog)
      : m_source(std::move(source)), m_catalog(catalog) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ConfigError(m_source + ": " + where + ": " + what);
  }

  void only_keys(const json& j, const std::string& where,
                 std::initializer_list<const char*> keys) const {
    if (!j.is_object()) fail(where, "must be an object");
    for (const auto& [k, v] : j.items()) {
      if (std::none_of(keys.begin(), keys.end(),
                       [&](const char* allowed) { return k == allowed; })) {
        fail(where, "unknown key \"" + k + "\"");
      }
    }
  }

  std::vector<std::string> map_list(const json& j, const std::string& where) const {
    if (!j.is_array()) fail(where, "must be an array of map names");
    std::vector<std::string> names;
    for (const auto& v : j) {
      if (!v.is_string()) fail(where, "must be an array of map names");
      const std::string name = v.get<std::string>();
      if (!m_catalog.find_map(name)) fail(where, "unknown map \"" + name + "\"");
      names.push_back(name);
    }
    std::vector<std::string> ordered;  // catalog order, no duplicates
    for (const auto& m : m_catalog.maps()) {
      if (std::find(names.begin(), names.end(), m.name) != names.end()) ordered.push_back(m.name);
    }
    return ordered;
  }

  FieldAccess access(const json& j, const std::string& where) const {
    if (!j.is_string()) fail(where, "must be \"full\", \"masked\" or \"hidden\"");
    const auto a = field_access_from_string(j.get<std::string>());
    if (!a) fail(where, "\"" + j.get<std::string>() + "\" is not full, masked or hidden");
    return *a;
  }

  std::shared_ptr<RoleRules> role(const std::string& name, const json& j) const {
    const std::string where = "roles." + name;
    only_keys(j, where, {"title", "maps", "classes", "area", "personal", "fields", "edit", "admin"});
    auto r = std::make_shared<RoleRules>();
    r->name = name;
    if (j.contains("title")) {
      if (!j["title"].is_string()) fail(where + ".title", "must be text");
      r->title = j["title"].get<std::string>();
    }
    if (!j.contains("maps")) fail(where, "missing key \"maps\"");
    r->own_maps = map_list(j["maps"], where + ".maps");
    r->maps = r->own_maps;  // united with the public's in finish()
    if (j.contains("classes")) {
      const json& c = j["classes"];
      if (!c.is_array()) fail(where + ".classes", "must be an array of feature class names");
      for (const auto& v : c) {
        if (!v.is_string()) fail(where + ".classes", "must be an array of feature class names");
        const std::string cls = v.get<std::string>();
        const auto* def = m_catalog.find_class(cls);
        if (!def) fail(where + ".classes", "unknown feature class \"" + cls + "\"");
        if (std::find(r->own_maps.begin(), r->own_maps.end(), def->map) != r->own_maps.end()) {
          fail(where + ".classes", "class " + cls + " is already granted with its map " + def->map);
        }
        if (m_catalog.find_map(def->map)->confidential) {
          fail(where + ".classes", "class " + cls + " belongs to the confidential map " + def->map +
                                       "; grant the map, not the class");
        }
        r->extra_classes.push_back(cls);
      }
    }
    if (!j.contains("area") || !j["area"].is_string())
      fail(where + ".area", "must be county, township, village or grid");
    const auto area = area_kind_from_string(j["area"].get<std::string>());
    if (!area)
      fail(where + ".area",
           "\"" + j["area"].get<std::string>() + "\" is not county, township, village or grid");
    r->area = *area;
    if (j.contains("personal")) r->personal = access(j["personal"], where + ".personal");
    if (j.contains("fields")) {
      const json& f = j["fields"];
      if (!f.is_object()) fail(where + ".fields", "must be an object of \"class.field\": access");
      for (const auto& [key, value] : f.items()) {
        const std::string at = where + ".fields." + key;
        const auto dot = key.find('.');
        if (dot == std::string::npos) fail(at, "must name \"class.field\"");
        const std::string cls = key.substr(0, dot);
        const std::string field = key.substr(dot + 1);
        const auto* def = m_catalog.find_class(cls);
        if (!def) fail(at, "unknown feature class \"" + cls + "\"");
        if (!def->field(field)) fail(at, "unknown field \"" + field + "\" of class " + cls);
        r->fields[key] = access(value, at);
      }
    }
    if (j.contains("edit")) {
      r->edit_maps = map_list(j["edit"], where + ".edit");
      for (const auto& m : r->edit_maps) {
        if (std::find(r->own_maps.begin(), r->own_maps.end(), m) == r->own_maps.end())
          fail(where + ".edit", "map \"" + m + "\" may be edited but not seen");
      }
    }
    if (j.contains("admin")) {
      if (!j["admin"].is_boolean()) fail(where + ".admin", "must be true or false");
      r->admin = j["admin"].get<bool>();
    }
    std::vector<std::string> granted = r->extra_classes;
    for (const auto& map_name : r->own_maps) {
      for (const auto& cls_name : m_catalog.find_map(map_name)->classes) granted.push_back(cls_name);
    }
    for (const auto& cls_name : granted) {
      const auto* def = m_catalog.find_class(cls_name);
      std::vector<FieldAccess> per_field;
      for (const auto& fd : def->fields) {
        FieldAccess a = fd.personal ? r->personal : FieldAccess::full;
        if (auto it = r->fields.find(cls_name + "." + fd.name); it != r->fields.end()) a = it->second;
        per_field.push_back(a);
      }
      r->class_fields[cls_name] = std::move(per_field);
    }
    for (const auto& [key, access] : r->fields) {
      const std::string cls = key.substr(0, key.find('.'));
      if (!r->class_fields.count(cls)) {
        fail(where + ".fields." + key, "class " + cls + " is not granted to this role (by its maps or classes)");
      }
    }
    if (name == kRolePublic) public_floor(*r, where);
    return r;
  }

  // Signed in is public plus role (policy/README.md): the maps the caller sees, and per class the
  // grant inside the role's area (the role's united with the public's) and anywhere (the public's).
  static void unite_with_public(RoleRules& r, const RoleRules& pub, const model::LayerCatalog& catalog) {
    auto grant_of = [](const std::vector<FieldAccess>& fields) {
      FieldGrant g;
      g.fields = fields;
      g.all_full = std::all_of(fields.begin(), fields.end(), [](FieldAccess a) { return a == FieldAccess::full; });
      return g;
    };
    std::vector<std::string> maps;
    for (const auto& m : catalog.maps()) {
      if (std::find(r.own_maps.begin(), r.own_maps.end(), m.name) != r.own_maps.end() ||
          std::find(pub.own_maps.begin(), pub.own_maps.end(), m.name) != pub.own_maps.end()) {
        maps.push_back(m.name);
      }
    }
    r.maps = std::move(maps);
    r.public_maps = pub.own_maps;
    for (const auto& def : catalog.classes()) {
      const auto own = r.class_fields.find(def.name);
      const auto pub_fields = pub.class_fields.find(def.name);
      ClassGrant g;
      if (pub_fields != pub.class_fields.end()) g.anywhere = grant_of(pub_fields->second);
      if (own != r.class_fields.end()) {
        std::vector<FieldAccess> united = own->second;
        if (g.anywhere) {
          for (std::size_t i = 0; i < united.size(); ++i) united[i] = wider(united[i], g.anywhere->fields[i]);
        }
        g.in_area = grant_of(united);
      }
      if (!g.in_area && !g.anywhere) continue;
      const FieldGrant& widest = g.in_area ? *g.in_area : *g.anywhere;
      for (std::size_t i = 0; i < def.fields.size(); ++i) {
        r.resolved[def.name + "." + def.fields[i].name] = widest.fields[i];
      }
      r.grants.emplace(def.name, std::move(g));
    }
  }

  // What no policy may grant a caller without a session.
  void public_floor(const RoleRules& r, const std::string& where) const {
    if (r.area != AreaKind::county)
      fail(where + ".area", "the public role has no assignment; its area must be county");
    for (const auto& m : r.own_maps) {
      if (m_catalog.find_map(m)->confidential)
        fail(where + ".maps", "the public role may not see the confidential map " + m);
    }
    for (const auto& [cls, access] : r.class_fields) {
      const auto* def = m_catalog.find_class(cls);
      for (std::size_t i = 0; i < def->fields.size(); ++i) {
        if (def->fields[i].personal && access[i] != FieldAccess::hidden) {
          fail(where + ".fields", "the public role may not see personal data (" + cls + "." +
                                      def->fields[i].name + ")");
        }
      }
    }
    if (!r.edit_maps.empty()) fail(where + ".edit", "the public role may not edit");
    if (r.admin) fail(where + ".admin", "the public role may not administer");
  }

 private:
  std::string m_source;
  const model::LayerCatalog& m_catalog;
};

}  // namespace

Policy Policy::load(const std::filesystem::path& path, const model::LayerCatalog& catalog) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string() + ": cannot read the policy file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string(), catalog);
}

Policy Policy::parse(std::string_view text, const std::string& source,
                     const model::LayerCatalog& catalog) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw ConfigError(source + ": not valid JSON: " + e.what());
  }
  PolicyReader reader(source, catalog);
  reader.only_keys(j, "(top level)", {"version", "signed_in", "roles"});
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != 2) {
    reader.fail("version", "must be 2 (version 1 limited even the public's maps to a signed-in role's area; "
                           "a version 2 policy states \"signed_in\": \"public_plus_role\")");
  }
  if (!j.contains("signed_in") || j["signed_in"] != "public_plus_role") {
    reader.fail("signed_in", "must be \"public_plus_role\": a signed-in caller sees what the public sees plus "
                             "what the role is granted in its area");
  }
  if (!j.contains("roles") || !j["roles"].is_object())
    reader.fail("roles", "must be an object of role name → rules");
  Policy p;
  std::map<std::string, std::shared_ptr<RoleRules>, std::less<>> roles;
  for (const auto& [name, rules] : j["roles"].items()) {
    if (!is_known_role(name)) {
      reader.fail("roles." + name,
                  "unknown role (known: county_admin, township_cadre, village_cadre, grid_worker, "
                  "disaster_planner, public)");
    }
    roles[name] = reader.role(name, rules);
  }
  for (auto r : known_roles()) {
    if (!roles.count(r)) reader.fail("roles", "missing role \"" + std::string(r) + "\"");
  }
  const RoleRules public_rules = *roles.at(std::string(kRolePublic));
  for (auto& [name, rules] : roles) {
    PolicyReader::unite_with_public(*rules, public_rules, catalog);
    p.m_roles[name] = rules;
  }
  p.m_fingerprint = sha256_hex(text).substr(0, 16);
  p.m_source = source;
  return p;
}

std::filesystem::path Policy::default_path() {
  if (const char* env = std::getenv("MINQING_POLICY"); env && *env) return env;
  return std::filesystem::path(MINQING_SOURCE_DIR) / "policy" / "policy.json";
}

std::shared_ptr<const RoleRules> Policy::role(std::string_view name) const {
  auto it = m_roles.find(name);
  return it == m_roles.end() ? nullptr : it->second;
}

}  // namespace minqing::access
