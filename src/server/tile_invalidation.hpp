#pragma once
// The link between the data's change journal (query::Dataset::on_change) and the tile cache: which
// feature classes a tile draws, and which tiles a change may have altered — by place (the changed
// feature's old and new extents) and by class (an edit of a key person leaves terrain tiles
// alone). See server/tile_cache.hpp.
//
// Pure functions but for invalidate_tiles_on_change(); thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/layer_catalog.hpp"
#include "query/change_journal.hpp"
#include "query/dataset.hpp"
#include "server/tile_cache.hpp"
#include "style/style.hpp"

namespace minqing::server {

// The TilePlace bit of feature class `class_name` (its position in the catalog); every bit when
// the catalog holds more than 64 classes or does not know it (never miss an invalidation).
std::uint64_t class_bit(const model::LayerCatalog& catalog, std::string_view class_name) noexcept;

// The classes a tile of `maps` draws from: the maps' classes and every style layer's source.
std::uint64_t drawn_classes(const model::LayerCatalog& catalog, const style::StyleSet& styles,
                            const std::vector<std::string>& maps);

// What `change` means to the tile cache.
TileInvalidation tile_invalidation(const model::LayerCatalog& catalog, const query::Change& change);

// From now on, every change applied to `data` drops the cached tiles it touches. `cache` must
// outlive `data`'s last change.
void invalidate_tiles_on_change(query::Dataset& data, TileCache& cache);

}  // namespace minqing::server
