#pragma once
// The legend (图例) of a map, generated from its style (style/legend.hpp):
//
//   GET /api/legend/{map}
//     → {"map", "title", "items": [{"class", "class_title", "field", "value", "title", "kind",
//        "color", "stroke"}]}
//
// `kind` is fill, line or circle; `color`/`stroke` are CSS colours; `field`/`value` are the
// category's field and code ("" for a whole class), `title` its Chinese title. Answered for the
// caller's scope as tiles are: a map not granted answers 403, the confidential key_persons map 404
// (server/caller_access.hpp), and entries of classes the caller may not read are left out. A legend
// names categories, never features, so it is not audited; the key-persons legend is still kept
// out of shared caches (it belongs to a confidential map).

#include "server/query_service.hpp"
#include "server/router.hpp"
#include "style/style.hpp"

namespace minqing::server {

// Registers the route above. `service` and `styles` are borrowed and must outlive the router.
void add_legend_routes(Router& router, const QueryService& service, const style::StyleSet& styles);

}  // namespace minqing::server
