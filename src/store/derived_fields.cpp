#include "store/derived_fields.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace minqing::store {

namespace {

const std::string* text_of(const model::Value& v) { return std::get_if<std::string>(&v); }

std::size_t class_position(const model::LayerCatalog& catalog, const std::string& name) {
  const auto& classes = catalog.classes();
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].name == name) return i;
  }
  return classes.size();
}

// Key value → the copied value; a key that maps to different values is ambiguous (null).
std::unordered_map<std::string, model::Value> copy_table(const model::FeatureClassDef& from,
                                                         const std::vector<model::Feature>& features,
                                                         const model::Derivation& d) {
  const auto key = static_cast<std::size_t>(from.field_index(d.by));
  const auto field = static_cast<std::size_t>(from.field_index(d.field));
  std::unordered_map<std::string, model::Value> table;
  for (const auto& f : features) {
    const std::string* k = key < f.values.size() ? text_of(f.values[key]) : nullptr;
    if (!k || k->empty() || field >= f.values.size()) continue;
    auto [it, inserted] = table.emplace(*k, f.values[field]);
    if (!inserted && it->second != f.values[field]) it->second = model::Value{};
  }
  return table;
}

std::unordered_map<std::string, std::int64_t> count_table(const model::FeatureClassDef& from,
                                                          const std::vector<model::Feature>& features,
                                                          const model::Derivation& d) {
  const auto key = static_cast<std::size_t>(from.field_index(d.by));
  const int where = d.where_field.empty() ? -1 : from.field_index(d.where_field);
  std::unordered_map<std::string, std::int64_t> table;
  for (const auto& f : features) {
    const std::string* k = key < f.values.size() ? text_of(f.values[key]) : nullptr;
    if (!k || k->empty()) continue;
    if (where >= 0) {
      const auto w = static_cast<std::size_t>(where);
      const std::string* v = w < f.values.size() ? text_of(f.values[w]) : nullptr;
      if (!v || std::find(d.where_values.begin(), d.where_values.end(), *v) == d.where_values.end()) continue;
    }
    ++table[*k];
  }
  return table;
}

}  // namespace

void derive_fields(const model::LayerCatalog& catalog, std::vector<std::vector<model::Feature>>& features) {
  const auto& classes = catalog.classes();
  for (std::size_t c = 0; c < classes.size() && c < features.size(); ++c) {
    const model::FeatureClassDef& def = classes[c];
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
      if (!def.fields[i].derived) continue;
      const model::Derivation& d = *def.fields[i].derived;
      const std::size_t from = class_position(catalog, d.from);
      if (from >= features.size()) continue;
      const auto key = static_cast<std::size_t>(def.field_index(d.by));
      auto key_of = [&](const model::Feature& f) { return key < f.values.size() ? text_of(f.values[key]) : nullptr; };
      if (d.kind == model::Derivation::Kind::copy) {
        const auto table = copy_table(classes[from], features[from], d);
        for (auto& f : features[c]) {
          if (f.values.size() <= i) continue;
          const std::string* k = key_of(f);
          const auto it = k ? table.find(*k) : table.end();
          f.values[i] = it == table.end() ? model::Value{} : it->second;
        }
      } else {
        const auto table = count_table(classes[from], features[from], d);
        for (auto& f : features[c]) {
          if (f.values.size() <= i) continue;
          const std::string* k = key_of(f);
          const auto it = k ? table.find(*k) : table.end();
          f.values[i] = std::int64_t{it == table.end() ? 0 : it->second};
        }
      }
    }
  }
}

}  // namespace minqing::store
