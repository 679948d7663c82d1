#pragma once
// Derived fields (model::Derivation, layers/*.json "derived"): values the server computes from
// another feature class when it loads the store, so that a join the roles need is made once, at
// load, never per request — an assisted household or a pairing carries its household's grid (a
// grid worker sees the assistance of their grid), a household the number of its members who need
// help to evacuate (what a disaster planner plans with, without any name).
//
// A stored value of a derived field is ignored: the source class is the truth.
//
// Pure function; thread-safe for distinct arguments.

#include <string>
#include <vector>

#include "model/feature.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::store {

// Fills every derived field of `features` (indexed like catalog.classes(), values in field order).
// A copy whose key matches no feature of the source class (or several with different values) is
// null; a count with no match is 0.
void derive_fields(const model::LayerCatalog& catalog, std::vector<std::vector<model::Feature>>& features);

// The value derived field `d` takes for a feature whose key (d.by) is held by exactly `sources`,
// features of class `from` (d.from): a copy is their common value of d.field (null when there is
// none or they differ), a count the number of them d's `where` admits. Used at load (above) and
// when an edit changes a source (store/derived_field_keeper.hpp), so both give the same value.
model::Value derived_value(const model::FeatureClassDef& from, const model::Derivation& d,
                           const std::vector<const model::Feature*>& sources);

// The text value of field `field` of `f` (a join key), or null when absent or not text.
const std::string* derivation_key(const model::Feature& f, int field) noexcept;

}  // namespace minqing::store
