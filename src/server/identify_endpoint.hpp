#pragma once
// Identify (点选查询): what lies under a click on the web map.
//
//   GET /api/identify?lon=&lat=&zoom=[&maps=][&limit=]
//     lon, lat   the clicked point, CRS84 degrees (latitude within Web Mercator's ±85.0511°)
//     zoom       the map's zoom, 0…22 (fractional allowed): the pick tolerance is 6 CSS pixels
//     maps       comma-separated maps to look in; default every map the caller may see. A map not
//                granted answers 403 (404 for the confidential key_persons map, as an unknown one)
//     limit      1…100 features (default 20; larger values are clamped)
//   Any other parameter, a repeated one, or a malformed value → 400 naming it.
//
// Answers a GeoJSON FeatureCollection (CRS84), nearest first (query/identify.hpp): each feature is
// query::feature_json (fields masked for the caller) with the members "class", "map", "title" (the
// class's Chinese title) and "distance_m" (ground metres, 0 inside a polygon); "numberMatched"
// counts every feature under the click, "tolerance_m" is the pick tolerance on the ground.
// Only classes and features the caller's scope sees are looked at. When a key_persons feature is
// returned the read is audited (key_persons_identify: lon, lat, zoom, ids); if the audit log
// cannot be written the answer is refused (500).

#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Registers the route above. `service` is borrowed and must outlive the router.
void add_identify_routes(Router& router, const QueryService& service);

}  // namespace minqing::server
