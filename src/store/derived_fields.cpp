#include "store/derived_fields.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

namespace minqing::store {

namespace {

std::size_t class_position(const model::LayerCatalog& catalog, const std::string& name) {
  const auto& classes = catalog.classes();
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].name == name) return i;
  }
  return classes.size();
}

bool counted(const model::FeatureClassDef& from, const model::Derivation& d, const model::Feature& f) {
  if (d.where_field.empty()) return true;
  const int where = from.field_index(d.where_field);
  if (where < 0) return false;
  const std::string* v = derivation_key(f, where);
  return v && std::find(d.where_values.begin(), d.where_values.end(), *v) != d.where_values.end();
}

}  // namespace

const std::string* derivation_key(const model::Feature& f, int field) noexcept {
  if (field < 0 || static_cast<std::size_t>(field) >= f.values.size()) return nullptr;
  return std::get_if<std::string>(&f.values[static_cast<std::size_t>(field)]);
}

model::Value derived_value(const model::FeatureClassDef& from, const model::Derivation& d,
                           const std::vector<const model::Feature*>& sources) {
  if (d.kind == model::Derivation::Kind::count) {
    std::int64_t n = 0;
    for (const model::Feature* f : sources) n += counted(from, d, *f) ? 1 : 0;
    return n;
  }
  const int field = from.field_index(d.field);
  std::optional<model::Value> common;
  for (const model::Feature* f : sources) {
    if (field < 0 || static_cast<std::size_t>(field) >= f->values.size()) continue;
    const model::Value& v = f->values[static_cast<std::size_t>(field)];
    if (!common) {
      common = v;
    } else if (*common != v) {
      return model::Value{};  // ambiguous: the key maps to different values
    }
  }
  return common.value_or(model::Value{});
}

void derive_fields(const model::LayerCatalog& catalog, std::vector<std::vector<model::Feature>>& features) {
  const auto& classes = catalog.classes();
  for (std::size_t c = 0; c < classes.size() && c < features.size(); ++c) {
    const model::FeatureClassDef& def = classes[c];
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
      if (!def.fields[i].derived) continue;
      const model::Derivation& d = *def.fields[i].derived;
      const std::size_t from = class_position(catalog, d.from);
      if (from >= features.size()) continue;
      // The source features by key, once per derivation.
      const int source_key = classes[from].field_index(d.by);
      std::unordered_map<std::string, std::vector<const model::Feature*>> by_key;
      for (const auto& f : features[from]) {
        const std::string* k = derivation_key(f, source_key);
        if (k && !k->empty()) by_key[*k].push_back(&f);
      }
      const int key = def.field_index(d.by);
      const std::vector<const model::Feature*> none;
      for (auto& f : features[c]) {
        if (f.values.size() <= i) continue;
        const std::string* k = derivation_key(f, key);
        const auto it = k && !k->empty() ? by_key.find(*k) : by_key.end();
        f.values[i] = derived_value(classes[from], d, it == by_key.end() ? none : it->second);
      }
    }
  }
}

}  // namespace minqing::store
