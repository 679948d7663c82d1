#pragma once
// Keeps the derived fields (store/derived_fields.hpp) of the serving index true while it is edited.
// At load every derived field is computed over whole classes; after that an edit must re-derive
// exactly the features that depend on the changed one — the household of an added key person
// (vulnerable_members), the assisted households and pairings of a household moved to another grid
// (grid_id) — without rescanning a class of ~70,000 households. So the keeper holds, for every
// derivation, the join key → fids of both its source and its target class, and updates them with
// each change.
//
// Not thread-safe: used by the one writer (query::Dataset::apply_committed serialises edits); the
// index it borrows stays readable by others throughout, and must outlive it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "store/served_feature.hpp"

namespace minqing::store {

class ServingIndex;

class DerivedFieldKeeper {
 public:
  // Indexes the join keys of every derivation of `index`'s catalog over its features as loaded.
  explicit DerivedFieldKeeper(ServingIndex& index);

  // Sets the derived fields of `f`, a feature of `class_name` about to be served, from their
  // sources as served now (a stored value of a derived field is ignored, as at load).
  void derive(std::string_view class_name, model::Feature& f) const;

  // A feature whose derived field an edit changed: what was served before, what is served now.
  struct Rederived {
    std::string class_name;
    ServedFeaturePtr before;
    ServedFeaturePtr after;
  };
  using Published = std::function<void(const Rederived&)>;
  // Follows a change of `class_name` already made in the index (`before` and `after` its served
  // states; null when inserted or deleted): updates the key tables, then re-derives and publishes
  // every feature whose derived value changes because of it, and in turn what depends on those,
  // calling `published` right after each one reaches the index (before the next).
  void follow(std::string_view class_name, const ServedFeaturePtr& before, const ServedFeaturePtr& after,
              const Published& published);

 private:
  // One derived field: target class's `field` from the source class, joined on a key field of each.
  struct Link {
    std::size_t target = 0;
    std::size_t field = 0;
    const model::Derivation* derivation = nullptr;
    std::size_t source = 0;
    int source_key = -1;
    int target_key = -1;
  };
  using KeyTable = std::unordered_map<std::string, std::vector<std::int64_t>>;
  using TableId = std::pair<std::size_t, int>;  // (class position, key field)

  std::size_t position(std::string_view class_name) const;
  // The features of class `cls` whose key field `key` holds `value`, as served now.
  std::vector<ServedFeaturePtr> holding(std::size_t cls, int key, const std::string& value) const;
  void follow_into(std::size_t cls, const ServedFeaturePtr& before, const ServedFeaturePtr& after,
                   const Published& published, int depth);

  ServingIndex& m_index;
  const model::LayerCatalog& m_catalog;
  std::vector<Link> m_links;
  std::map<TableId, KeyTable> m_tables;
};

}  // namespace minqing::store
