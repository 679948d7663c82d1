#pragma once
// Which maps a caller may see. Until accounts and scopes exist (the access-control issue), every
// caller is anonymous and sees only the maps that are not confidential: key_persons is refused
// everywhere. This is the one place that decides it; the access-control work replaces it with the
// caller's Scope.

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
