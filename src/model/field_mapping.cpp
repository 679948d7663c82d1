#include "model/field_mapping.hpp"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace minqing::model {

using nlohmann::json;

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

FieldMapping FieldMapping::load(const std::filesystem::path& path, const LayerCatalog& catalog) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) throw ConfigError(file + ": cannot read the field mapping");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw ConfigError(file + ": not JSON: " + e.what());
  }
  auto fail = [&](const std::string& where, const std::string& why) { throw ConfigError(file + ": " + where + ": " + why); };
  if (!doc.is_object() || !doc.contains("layers") || !doc["layers"].is_object()) {
    fail("layers", "expected an object {\"layers\": {source layer: {\"class\": …, \"fields\": {…}, \"values\": {…}}}}");
  }
  FieldMapping out;
  for (const auto& [layer_name, spec] : doc["layers"].items()) {
    const std::string where = "layers." + layer_name;
    if (!spec.is_object() || !spec.contains("class") || !spec["class"].is_string()) fail(where, "needs \"class\"");
    LayerMapping m;
    m.class_name = spec["class"].get<std::string>();
    const FeatureClassDef* def = catalog.find_class(m.class_name);
    if (!def) fail(where + ".class", "no feature class \"" + m.class_name + "\"");
    for (const auto& [key, _] : spec.items()) {
      if (key != "class" && key != "fields" && key != "values") fail(where + "." + key, "unknown key (class, fields, values)");
    }
    if (spec.contains("fields")) {
      if (!spec["fields"].is_object()) fail(where + ".fields", "expected an object {source field: field}");
      for (const auto& [src, dst] : spec["fields"].items()) {
        if (!dst.is_string() || def->field_index(dst.get<std::string>()) < 0) {
          fail(where + ".fields." + src, "no field " + dst.dump() + " in " + def->name);
        }
        m.fields[ascii_lower(src)] = dst.get<std::string>();
      }
    }
    if (spec.contains("values")) {
      if (!spec["values"].is_object()) fail(where + ".values", "expected an object {field: {source value: value}}");
      for (const auto& [field_name, table] : spec["values"].items()) {
        const FieldDef* f = def->field(field_name);
        if (!f) fail(where + ".values." + field_name, "no field \"" + field_name + "\" in " + def->name);
        if (!table.is_object()) fail(where + ".values." + field_name, "expected an object {source value: value}");
        for (const auto& [from, to] : table.items()) {
          if (!to.is_string()) fail(where + ".values." + field_name + "." + from, "expected a text value");
          const std::string v = to.get<std::string>();
          if (!f->values.empty() && std::find(f->values.begin(), f->values.end(), v) == f->values.end()) {
            fail(where + ".values." + field_name + "." + from, "\"" + v + "\" is not an allowed value of " + f->name);
          }
          m.values[field_name][from] = v;
        }
      }
    }
    out.m_layers[ascii_lower(layer_name)] = std::move(m);
  }
  return out;
}

const LayerMapping* FieldMapping::layer(const std::string& layer_name) const {
  const auto it = m_layers.find(ascii_lower(layer_name));
  return it == m_layers.end() ? nullptr : &it->second;
}

}  // namespace minqing::model
