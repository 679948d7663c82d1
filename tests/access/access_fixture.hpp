#pragma once
// Shared by the access tests: the real layer catalog and policy, and features built by field name.

#include <initializer_list>
#include <string>
#include <utility>

#include "access/policy.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "support/test_env.hpp"

namespace minqing::test {

inline const model::LayerCatalog& catalog() {
  static const model::LayerCatalog c = model::LayerCatalog::load_directory(layers_dir());
  return c;
}

inline const access::Policy& policy() {
  static const access::Policy p =
      access::Policy::load(source_dir() / "policy" / "policy.json", catalog());
  return p;
}

// A feature of `cls` with the named text/integer values; every other field null.
inline model::Feature feature(const std::string& cls,
                              std::initializer_list<std::pair<const char*, model::Value>> values) {
  const auto* def = catalog().find_class(cls);
  model::Feature f;
  f.fid = 1;
  f.values.resize(def->fields.size());
  for (const auto& [name, v] : values) {
    const int i = def->field_index(name);
    if (i < 0)
      throw std::runtime_error("test feature: no field " + std::string(name) + " in " + cls);
    f.values[static_cast<std::size_t>(i)] = v;
  }
  return f;
}

inline std::string text(const model::FeatureClassDef& def, const model::Feature& f,
                        const char* field) {
  return model::to_display_string(f.values[static_cast<std::size_t>(def.field_index(field))]);
}

}  // namespace minqing::test
