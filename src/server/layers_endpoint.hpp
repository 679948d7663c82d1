#pragma once
// GET /api/layers: what the server can show the caller — every map the caller may see with its
// feature classes, the fields the caller sees of each (in full or masked; a hidden field is not
// named), and how many features of each class the caller sees right now.
//
//   {"maps": [{"name": "terrain", "title": {"zh": "村情民情图", "en": "…"}, "confidential": false,
//              "classes": [{"name": "villages", "title": {"zh": "行政村", "en": "Villages"},
//                           "geometry": "polygon", "features": 12,
//                           "fields": [{"name": "village_code", "type": "text",
//                                       "title": "行政区划代码", "personal": false,
//                                       "access": "full"}, …]}, …]}, …]}
//
// A class granted outside its map (a planner's households) is listed under its map, marked
// "granted": "class" on the map, which the caller may not draw as tiles.

#include <nlohmann/json_fwd.hpp>

#include "query/dataset.hpp"
#include "query/scoped_reader.hpp"
#include "server/router.hpp"

namespace minqing::server {

// The document above, for `reader`'s caller. Thread-safe.
nlohmann::json layers_document(const query::ScopedReader& reader);

// Registers GET /api/layers, answered for the caller's scope. `data` is borrowed and must outlive
// the router.
void add_layers_routes(Router& router, const query::Dataset& data);

}  // namespace minqing::server
