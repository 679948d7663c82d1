#pragma once
// GET /api/layers: what the server can show — every map of the layer catalog with its feature
// classes and their fields, and how many features each class holds right now.
//
//   {"maps": [{"name": "terrain", "title": {"zh": "村情民情图", "en": "…"}, "confidential": false,
//              "classes": [{"name": "villages", "title": {"zh": "行政村", "en": "Villages"},
//                           "geometry": "polygon", "features": 12,
//                           "fields": [{"name": "village_code", "type": "text",
//                                       "title": "行政区划代码", "personal": false}, …]}, …]}, …]}

#include <nlohmann/json_fwd.hpp>

#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "server/router.hpp"
#include "store/serving_index.hpp"

namespace minqing::server {

// The document above. Counts are read from `index` at call time. With a scope, only the maps it
// may see are listed, and a scope narrower than the county counts only the features it may see
// (a count of another village's key persons is itself personal information). Thread-safe.
nlohmann::json layers_document(const model::LayerCatalog& catalog,
                               const store::ServingIndex& index,
                               const access::Scope* scope = nullptr);

// Registers GET /api/layers, answered for the caller's scope. `catalog` and `index` are borrowed and must outlive the router.
void add_layers_routes(Router& router, const model::LayerCatalog& catalog,
                       const store::ServingIndex& index);

}  // namespace minqing::server
