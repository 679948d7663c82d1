#pragma once
// Search (搜索): villages, roads, places, shelters, organisations and people by name, villages
// by code, across everything the caller may see.
//
//   GET /api/search?q=&limit=&bbox=
//     q      the text, 1…64 characters once trimmed (query/search_text.hpp); matched as a
//            substring, ASCII case-insensitive, of the searchable fields (`"search": true` in
//            layers/*.json): 松阳, 张, 3311242072
//     limit  1…100 hits (default 20; larger values are clamped to 100)
//     bbox   minLon,minLat,maxLon,maxLat (CRS84): the map's current view. It ranks, it does not
//            filter: within each match kind, hits in view come first, so that a common name is
//            found nearby first while an exact match elsewhere still shows; "inView" says which.
//   Any other parameter, a repeated one, or a malformed value → 400 naming it.
//
// The answer: {"q", "numberMatched", "numberReturned", "hits": [...]}, hits ranked as
// query/search_index.hpp says. A hit: "class", "title" (the class's Chinese title), "map",
// "mapTitle", "fid" (the first part), "fids" (all parts of a merged place), "field",
// "fieldTitle", "text" (the matched value, in full), "match" (exact | prefix | substring),
// "village_code", "bbox" ([minLon, minLat, maxLon, maxLat], CRS84), "point" ([lon, lat] on the
// feature, to zoom to), "href" (the feature in the OGC API), and "inView" when bbox was given.
//
// Scope: only classes the caller sees, only features in the caller's area, and only fields the
// caller reads in full are matched — a masked head name (township cadres) or a hidden one
// (anonymous callers, planners) is never matched, so a search cannot tell whose house is whose.
// When anything of a confidential class (key_persons) matched, the search is audited
// (key_persons_query: class, q, matched, ids returned); if the audit log cannot be written the
// answer is refused (500). Answers are Cache-Control: no-store (they may hold personal data).

#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Registers the route above. `service` (with service.search set) is borrowed and must outlive
// the router; without a search index the route answers 503.
void add_search_routes(Router& router, const QueryService& service);

}  // namespace minqing::server
