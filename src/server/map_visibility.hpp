#pragma once
// Which maps an anonymous caller may see: the maps that are not confidential. Tiles, TileJSON,
// WMTS and /api/layers now follow the caller's access::Scope (RequestContext::scope); this rule
// remains only for the OGC API – Features endpoint (server/feature_visibility.hpp) until it takes
// the Scope too, and goes away then.

#include <string>
#include <vector>

#include "model/layer_catalog.hpp"

namespace minqing::server {

inline bool map_visible_to_anonymous(const model::MapDef& map) noexcept { return !map.confidential; }

// The maps an anonymous caller may see, in catalog order.
inline std::vector<const model::MapDef*> visible_maps(const model::LayerCatalog& catalog) {
  std::vector<const model::MapDef*> out;
  for (const auto& m : catalog.maps()) {
    if (map_visible_to_anonymous(m)) out.push_back(&m);
  }
  return out;
}

}  // namespace minqing::server
