#pragma once
// Nearby (周边查询): the features of one class around a point, nearest first.
//
//   GET /api/nearby?lon=&lat=&radius_m=&class=[&limit=]
//     lon, lat   the point, CRS84 degrees (latitude within Web Mercator's ±85.0511°)
//     radius_m   ground metres, 0 < radius_m <= 5000
//     class      the feature class (required); a class the caller may not see answers 404 like a
//                missing one, exactly as /collections/{class}/items does
//     limit      1…1000 features (default 50; larger values are clamped)
//   Any other parameter, a repeated one, or a malformed value → 400 naming it.
//
// Answers a GeoJSON FeatureCollection (CRS84) sorted by ground distance (query/nearby.hpp); each
// feature is query::feature_json (fields masked for the caller) with "distance_m"; "numberMatched"
// counts every feature the caller sees within the radius. Every nearby request on a confidential
// class (key_persons) is audited (key_persons_query: class, lon, lat, radius_m, ids); if the audit
// log cannot be written the answer is refused (500).

#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Registers the route above. `service` is borrowed and must outlive the router.
void add_nearby_routes(Router& router, const QueryService& service);

}  // namespace minqing::server
