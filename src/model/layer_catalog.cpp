#include "model/layer_catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace minqing::model {

using nlohmann::json;

std::string_view to_string(FieldType t) noexcept {
  switch (t) {
    case FieldType::integer: return "integer";
    case FieldType::real: return "real";
    case FieldType::text: return "text";
    case FieldType::date: return "date";
    case FieldType::datetime: return "datetime";
  }
  return "?";
}

std::string_view FieldDef::value_title(std::string_view value) const noexcept {
  const auto it = value_titles.find(value);
  return it == value_titles.end() ? value : std::string_view(it->second);
}

int FeatureClassDef::field_index(std::string_view field_name) const noexcept {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

const FieldDef* FeatureClassDef::field(std::string_view field_name) const noexcept {
  const int i = field_index(field_name);
  return i < 0 ? nullptr : &fields[static_cast<std::size_t>(i)];
}

namespace {

// Reads one definition file with every key checked: unknown keys are errors, not ignored.
class DefinitionReader {
 public:
  explicit DefinitionReader(std::string file) : m_file(std::move(file)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ConfigError(m_file + ": " + where + ": " + what);
  }

  void only_keys(const json& j, const std::string& where, std::initializer_list<const char*> keys) const {
    if (!j.is_object()) fail(where, "must be an object");
    for (const auto& [k, v] : j.items()) {
      if (std::none_of(keys.begin(), keys.end(), [&](const char* allowed) { return k == allowed; })) {
        fail(where, "unknown key \"" + k + "\"");
      }
    }
  }

  std::string text(const json& j, const char* key, const std::string& where, bool required = true) const {
    if (!j.contains(key)) {
      if (required) fail(where, std::string("missing \"") + key + "\"");
      return {};
    }
    if (!j[key].is_string() || j[key].get<std::string>().empty()) {
      fail(where, std::string("\"") + key + "\" must be a non-empty string");
    }
    return j[key].get<std::string>();
  }

  bool flag(const json& j, const char* key, const std::string& where) const {
    if (!j.contains(key)) return false;
    if (!j[key].is_boolean()) fail(where, std::string("\"") + key + "\" must be true or false");
    return j[key].get<bool>();
  }

  Title title(const json& j, const std::string& where) const {
    only_keys(j, where + ".title", {"zh", "en"});
    return {text(j, "zh", where + ".title"), text(j, "en", where + ".title")};
  }

  static bool is_identifier(const std::string& s) {
    static const std::regex re("^[a-z][a-z0-9_]*$");
    return std::regex_match(s, re);
  }

  FieldDef field(const json& j, const std::string& where) const {
    only_keys(j, where, {"name", "type", "title", "required", "personal", "values", "value_titles", "min", "max",
                         "pattern", "search", "derived"});
    FieldDef f;
    f.name = text(j, "name", where);
    if (!is_identifier(f.name)) fail(where, "field name \"" + f.name + "\" must be lower_snake_case");
    const std::string where_f = where + " (" + f.name + ")";
    const std::string type = text(j, "type", where_f);
    if (type == "integer") f.type = FieldType::integer;
    else if (type == "real") f.type = FieldType::real;
    else if (type == "text") f.type = FieldType::text;
    else if (type == "date") f.type = FieldType::date;
    else if (type == "datetime") f.type = FieldType::datetime;
    else fail(where_f, "unknown type \"" + type + "\" (integer, real, text, date, datetime)");
    f.title = text(j, "title", where_f);
    f.required = flag(j, "required", where_f);
    f.personal = flag(j, "personal", where_f);
    f.search = flag(j, "search", where_f);
    if (f.search && f.type != FieldType::text) fail(where_f, "\"search\" applies to text fields only");
    if (j.contains("values")) {
      if (!j["values"].is_array() || j["values"].empty()) fail(where_f, "\"values\" must be a non-empty array");
      if (f.type != FieldType::text) fail(where_f, "\"values\" applies to text fields only");
      for (const auto& v : j["values"]) {
        if (!v.is_string()) fail(where_f, "\"values\" must hold strings");
        f.values.push_back(v.get<std::string>());
      }
    }
    if (j.contains("value_titles")) {
      const json& t = j["value_titles"];
      if (f.values.empty()) fail(where_f, "\"value_titles\" needs \"values\"");
      if (!t.is_object()) fail(where_f, "\"value_titles\" must be an object {\"value\": \"标题\"}");
      for (const auto& [value, title] : t.items()) {
        if (std::find(f.values.begin(), f.values.end(), value) == f.values.end()) {
          fail(where_f, "\"value_titles\" names \"" + value + "\", which is not one of \"values\"");
        }
        if (!title.is_string() || title.get<std::string>().empty()) {
          fail(where_f, "\"value_titles\": the title of \"" + value + "\" must be a non-empty string");
        }
        f.value_titles.emplace(value, title.get<std::string>());
      }
      for (const auto& v : f.values) {
        if (!f.value_titles.contains(v)) fail(where_f, "\"value_titles\" has no title for \"" + v + "\"");
      }
    }
    for (const char* bound : {"min", "max"}) {
      if (!j.contains(bound)) continue;
      if (!j[bound].is_number()) fail(where_f, std::string("\"") + bound + "\" must be a number");
      if (f.type != FieldType::integer && f.type != FieldType::real) {
        fail(where_f, std::string("\"") + bound + "\" applies to numeric fields only");
      }
      (std::string(bound) == "min" ? f.min : f.max) = j[bound].get<double>();
    }
    if (j.contains("pattern")) {
      f.pattern = text(j, "pattern", where_f);
      try {
        std::regex check(f.pattern);
      } catch (const std::regex_error& e) {
        fail(where_f, std::string("\"pattern\" is not a valid regular expression: ") + e.what());
      }
    }
    if (j.contains("derived")) f.derived = derivation(j["derived"], f, where_f + ".derived");
    return f;
  }

  // {"copy": "class.field", "by": "key"} or {"count": "class", "by": "key", "where": {"field": [values]}};
  // the classes and fields named are checked once every map is read (check_derivations).
  Derivation derivation(const json& j, const FieldDef& f, const std::string& where) const {
    only_keys(j, where, {"copy", "count", "by", "where"});
    Derivation d;
    if (j.contains("copy") == j.contains("count")) fail(where, "give one of \"copy\" or \"count\"");
    d.by = text(j, "by", where);
    if (j.contains("copy")) {
      const std::string source = text(j, "copy", where);
      const auto dot = source.find('.');
      if (dot == std::string::npos) fail(where, "\"copy\" must name \"class.field\"");
      d.kind = Derivation::Kind::copy;
      d.from = source.substr(0, dot);
      d.field = source.substr(dot + 1);
      if (j.contains("where")) fail(where, "\"where\" applies to \"count\" only");
    } else {
      d.kind = Derivation::Kind::count;
      d.from = text(j, "count", where);
      if (f.type != FieldType::integer) fail(where, "a count is an integer field");
      if (j.contains("where")) {
        const json& w = j["where"];
        if (!w.is_object() || w.size() != 1 || !w.begin().value().is_array()) {
          fail(where, "\"where\" must be {\"field\": [values…]}");
        }
        d.where_field = w.begin().key();
        for (const auto& v : w.begin().value()) {
          if (!v.is_string()) fail(where, "\"where\" values must be strings");
          d.where_values.push_back(v.get<std::string>());
        }
      }
    }
    if (f.required) fail(where, "a derived field cannot be required");
    return d;
  }

  FeatureClassDef feature_class(const json& j, const std::string& map, const std::string& where) const {
    only_keys(j, where, {"name", "title", "geometry", "id_field", "village_key", "fields"});
    FeatureClassDef c;
    c.name = text(j, "name", where);
    if (!is_identifier(c.name)) fail(where, "class name \"" + c.name + "\" must be lower_snake_case");
    const std::string where_c = "class " + c.name;
    c.map = map;
    if (!j.contains("title")) fail(where_c, "missing \"title\"");
    c.title = title(j["title"], where_c);
    const std::string geometry = text(j, "geometry", where_c);
    if (geometry == "point") c.geometry = geo::GeometryKind::point;
    else if (geometry == "line") c.geometry = geo::GeometryKind::line;
    else if (geometry == "polygon") c.geometry = geo::GeometryKind::polygon;
    else fail(where_c, "unknown geometry \"" + geometry + "\" (point, line, polygon)");
    if (!j.contains("fields") || !j["fields"].is_array() || j["fields"].empty()) {
      fail(where_c, "\"fields\" must be a non-empty array");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < j["fields"].size(); ++i) {
      FieldDef f = field(j["fields"][i], where_c + ".fields[" + std::to_string(i) + "]");
      if (!seen.insert(f.name).second) fail(where_c, "field \"" + f.name + "\" is defined twice");
      c.fields.push_back(std::move(f));
    }
    c.id_field = text(j, "id_field", where_c, false);
    if (!c.id_field.empty()) {
      const FieldDef* id = c.field(c.id_field);
      if (!id) fail(where_c, "id_field \"" + c.id_field + "\" is not a field");
      if (!id->required) fail(where_c, "id_field \"" + c.id_field + "\" must be required");
    }
    c.village_key = text(j, "village_key", where_c);
    const FieldDef* key = c.field(c.village_key);
    if (!key) fail(where_c, "village_key \"" + c.village_key + "\" is not a field");
    if (!key->required || key->type != FieldType::text) {
      fail(where_c, "village_key \"" + c.village_key + "\" must be a required text field");
    }
    return c;
  }

 private:
  std::string m_file;
};

}  // namespace

std::filesystem::path LayerCatalog::default_directory() {
  if (const char* env = std::getenv("MINQING_LAYERS"); env && *env) return env;
  return std::filesystem::path(MINQING_SOURCE_DIR) / "layers";
}

LayerCatalog LayerCatalog::load_directory(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) throw ConfigError(dir.string() + ": cannot read layer directory: " + ec.message());
  if (files.empty()) throw ConfigError(dir.string() + ": no layer definition (*.json) found");
  std::sort(files.begin(), files.end());

  LayerCatalog catalog;
  for (const auto& path : files) {
    const std::string file = path.string();
    DefinitionReader reader(file);
    std::ifstream in(path);
    json j;
    try {
      j = json::parse(in);
    } catch (const json::parse_error& e) {
      throw ConfigError(file + ": not valid JSON: " + e.what());
    }
    reader.only_keys(j, "top level", {"map", "title", "confidential", "relief", "classes"});
    MapDef map;
    map.name = reader.text(j, "map", "top level");
    if (path.stem().string() != map.name) {
      reader.fail("top level", "map \"" + map.name + "\" must be defined in " + map.name + ".json");
    }
    if (!j.contains("title")) reader.fail("top level", "missing \"title\"");
    map.title = reader.title(j["title"], "map");
    map.confidential = reader.flag(j, "confidential", "top level");
    map.relief = reader.flag(j, "relief", "top level");
    if (!j.contains("classes") || !j["classes"].is_array() || j["classes"].empty()) {
      reader.fail("top level", "\"classes\" must be a non-empty array");
    }
    for (std::size_t i = 0; i < j["classes"].size(); ++i) {
      FeatureClassDef c = reader.feature_class(j["classes"][i], map.name, "classes[" + std::to_string(i) + "]");
      if (catalog.find_class(c.name)) {
        reader.fail("class " + c.name, "feature class is already defined by another map");
      }
      map.classes.push_back(c.name);
      catalog.m_classes.push_back(std::move(c));
    }
    catalog.m_maps.push_back(std::move(map));
  }
  check_derivations(catalog, dir);
  return catalog;
}

void LayerCatalog::check_derivations(const LayerCatalog& catalog, const std::filesystem::path& dir) {
  for (const auto& c : catalog.m_classes) {
    for (const auto& f : c.fields) {
      if (!f.derived) continue;
      const Derivation& d = *f.derived;
      const std::string where = (dir / (c.map + ".json")).string() + ": class " + c.name + " field " + f.name +
                                ".derived: ";
      const FeatureClassDef* from = catalog.find_class(d.from);
      if (!from) throw ConfigError(where + "unknown feature class \"" + d.from + "\"");
      if (from->name == c.name) throw ConfigError(where + "a field cannot be derived from its own class");
      if (!c.field(d.by) || !from->field(d.by)) {
        throw ConfigError(where + "\"by\": \"" + d.by + "\" must be a field of both " + c.name + " and " + from->name);
      }
      if (d.kind == Derivation::Kind::copy) {
        const FieldDef* source = from->field(d.field);
        if (!source) throw ConfigError(where + "unknown field \"" + d.field + "\" of class " + from->name);
        if (source->type != f.type) throw ConfigError(where + "copies a field of another type");
        if (source->derived) throw ConfigError(where + "copies a derived field");
        if (source->personal && !f.personal) throw ConfigError(where + "copies personal data into a field not marked personal");
      }
      if (!d.where_field.empty() && !from->field(d.where_field)) {
        throw ConfigError(where + "\"where\": unknown field \"" + d.where_field + "\" of class " + from->name);
      }
    }
  }
}

const MapDef* LayerCatalog::find_map(std::string_view name) const noexcept {
  for (const auto& m : m_maps) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const FeatureClassDef* LayerCatalog::find_class(std::string_view name) const noexcept {
  for (const auto& c : m_classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace minqing::model
