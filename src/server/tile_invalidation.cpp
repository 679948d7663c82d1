#include "server/tile_invalidation.hpp"

namespace minqing::server {

std::uint64_t class_bit(const model::LayerCatalog& catalog, std::string_view class_name) noexcept {
  const auto& classes = catalog.classes();
  for (std::size_t i = 0; i < classes.size() && i < 64; ++i) {
    if (classes[i].name == class_name) return std::uint64_t{1} << i;
  }
  return ~std::uint64_t{0};
}

std::uint64_t drawn_classes(const model::LayerCatalog& catalog, const style::StyleSet& styles,
                            const std::vector<std::string>& maps) {
  std::uint64_t bits = 0;
  for (const auto& name : maps) {
    if (const model::MapDef* map = catalog.find_map(name)) {
      for (const auto& cls : map->classes) bits |= class_bit(catalog, cls);
    }
    if (const style::Style* st = styles.find(name)) {
      for (const auto& layer : st->layers) {
        if (!layer.source_layer.empty()) bits |= class_bit(catalog, layer.source_layer);
      }
    }
  }
  return bits;
}

TileInvalidation tile_invalidation(const model::LayerCatalog& catalog, const query::Change& change) {
  TileInvalidation out;
  out.sequence = change.sequence;
  out.classes = class_bit(catalog, change.class_name);
  if (!change.old_extent.empty()) out.boxes.push_back(change.old_extent);
  if (!change.new_extent.empty()) out.boxes.push_back(change.new_extent);
  return out;
}

void invalidate_tiles_on_change(query::Dataset& data, TileCache& cache) {
  const model::LayerCatalog& catalog = data.catalog();
  data.on_change([&catalog, &cache](const query::Change& change) { cache.invalidate(tile_invalidation(catalog, change)); });
}

}  // namespace minqing::server
