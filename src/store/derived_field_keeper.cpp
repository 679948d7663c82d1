#include "store/derived_field_keeper.hpp"

#include <algorithm>
#include <limits>
#include <memory>

#include "store/derived_fields.hpp"
#include "store/serving_index.hpp"

namespace minqing::store {

namespace {
constexpr double kBig = std::numeric_limits<double>::max();

void add_key(std::unordered_map<std::string, std::vector<std::int64_t>>& table, const std::string* key, std::int64_t fid) {
  if (key && !key->empty()) table[*key].push_back(fid);
}

void remove_key(std::unordered_map<std::string, std::vector<std::int64_t>>& table, const std::string* key,
                std::int64_t fid) {
  if (!key || key->empty()) return;
  auto it = table.find(*key);
  if (it == table.end()) return;
  auto& fids = it->second;
  fids.erase(std::remove(fids.begin(), fids.end(), fid), fids.end());
  if (fids.empty()) table.erase(it);
}
}  // namespace

DerivedFieldKeeper::DerivedFieldKeeper(ServingIndex& index) : m_index(index), m_catalog(index.catalog()) {
  const auto& classes = m_catalog.classes();
  for (std::size_t c = 0; c < classes.size(); ++c) {
    for (std::size_t i = 0; i < classes[c].fields.size(); ++i) {
      const auto& derived = classes[c].fields[i].derived;
      if (!derived) continue;
      Link link{c, i, &*derived, position(derived->from), -1, classes[c].field_index(derived->by)};
      if (link.source >= classes.size() || link.target_key < 0) continue;
      link.source_key = classes[link.source].field_index(derived->by);
      if (link.source_key < 0) continue;
      m_links.push_back(link);
      m_tables.emplace(TableId{link.source, link.source_key}, KeyTable{});
      m_tables.emplace(TableId{link.target, link.target_key}, KeyTable{});
    }
  }
  for (auto& [id, table] : m_tables) {
    std::vector<ServedFeaturePtr> all;
    m_index.query(classes[id.first].name, geo::BBox{-kBig, -kBig, kBig, kBig}, all);
    for (const auto& f : all) add_key(table, derivation_key(f->feature, id.second), f->feature.fid);
  }
}

std::size_t DerivedFieldKeeper::position(std::string_view class_name) const {
  const auto& classes = m_catalog.classes();
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].name == class_name) return i;
  }
  return classes.size();
}

std::vector<ServedFeaturePtr> DerivedFieldKeeper::holding(std::size_t cls, int key, const std::string& value) const {
  std::vector<ServedFeaturePtr> out;
  const auto table = m_tables.find(TableId{cls, key});
  if (table == m_tables.end()) return out;
  const auto it = table->second.find(value);
  if (it == table->second.end()) return out;
  for (std::int64_t fid : it->second) {
    if (auto f = m_index.find(m_catalog.classes()[cls].name, fid)) out.push_back(std::move(f));
  }
  return out;
}

void DerivedFieldKeeper::derive(std::string_view class_name, model::Feature& f) const {
  const std::size_t cls = position(class_name);
  for (const Link& link : m_links) {
    if (link.target != cls || link.field >= f.values.size()) continue;
    const std::string* key = derivation_key(f, link.target_key);
    std::vector<ServedFeaturePtr> sources;
    if (key && !key->empty()) sources = holding(link.source, link.source_key, *key);
    std::vector<const model::Feature*> raw;
    for (const auto& s : sources) raw.push_back(&s->feature);
    f.values[link.field] = derived_value(m_catalog.classes()[link.source], *link.derivation, raw);
  }
}

void DerivedFieldKeeper::follow(std::string_view class_name, const ServedFeaturePtr& before,
                                const ServedFeaturePtr& after, const Published& published) {
  const std::size_t cls = position(class_name);
  if (cls < m_catalog.classes().size()) follow_into(cls, before, after, published, 0);
}

void DerivedFieldKeeper::follow_into(std::size_t cls, const ServedFeaturePtr& before, const ServedFeaturePtr& after,
                                     const Published& published, int depth) {
  for (auto& [id, table] : m_tables) {
    if (id.first != cls) continue;
    if (before) remove_key(table, derivation_key(before->feature, id.second), before->feature.fid);
    if (after) add_key(table, derivation_key(after->feature, id.second), after->feature.fid);
  }
  // A derivation chain is at most as long as the list of derived fields; deeper means a cycle.
  if (depth > static_cast<int>(m_links.size())) return;
  for (const Link& link : m_links) {
    if (link.source != cls) continue;
    // The keys whose sources changed: the feature's key before and after (a key person moved to
    // another household changes the counts of both).
    std::vector<std::string> keys;
    for (const auto& f : {before, after}) {
      const std::string* k = f ? derivation_key(f->feature, link.source_key) : nullptr;
      if (k && !k->empty() && std::find(keys.begin(), keys.end(), *k) == keys.end()) keys.push_back(*k);
    }
    const std::string& target_class = m_catalog.classes()[link.target].name;
    for (const std::string& key : keys) {
      const std::vector<ServedFeaturePtr> sources = holding(link.source, link.source_key, key);
      std::vector<const model::Feature*> raw;
      for (const auto& s : sources) raw.push_back(&s->feature);
      const model::Value value = derived_value(m_catalog.classes()[link.source], *link.derivation, raw);
      for (const ServedFeaturePtr& target : holding(link.target, link.target_key, key)) {
        if (link.field >= target->feature.values.size() || target->feature.values[link.field] == value) continue;
        auto rederived = std::make_shared<ServedFeature>(*target);
        rederived->feature.values[link.field] = value;
        ServedFeaturePtr now = std::move(rederived);
        m_index.publish(target_class, now);
        published({target_class, target, now});
        follow_into(link.target, target, now, published, depth + 1);
      }
    }
  }
}

}  // namespace minqing::store
