#pragma once
// Routing (避灾路线): the quickest way along the roads from a point to a point or to a shelter,
// around hazard zones and query-time closures.
//
//   GET /api/route?from=lon,lat&to=lon,lat|shelter:ID|nearest-shelter[&mode=walk|drive]
//                 [&avoid=high,medium|none][&closed=WKT]
//     from     the start, CRS84 "lon,lat" (required)
//     to       a point "lon,lat"; "shelter:ID" (a shelter_id); or "nearest-shelter": the shelter
//              quickest to reach among every shelter the caller sees (one search to all of them).
//              Shelters are read through the caller's ScopedReader: a caller who may not see the
//              class (anonymous callers see only terrain) gets 404 as /collections/shelters does;
//              an unknown or invisible shelter_id 404.
//     mode     walk (default) or drive (never on paths); speeds: route/travel_mode.hpp
//     avoid    risk levels of hazard zones whose roads are closed: a comma list of high, medium,
//              low, or none (default high). A start inside such a zone leaves it by the quickest
//              way out (route/closures.hpp). Applied for every caller — a route is safe whoever asks.
//     closed   extra closures, WKT in CRS84 (POLYGON, LINESTRING, MULTI…, BBOX): every road it
//              touches is closed for this request only
//   Any other parameter, a repeated one, or a malformed value → 400 naming it.
//
// Answers a GeoJSON Feature (CRS84): the route LineString (from the start's snap point on the
// network to the target's), properties length_m, time_s, mode, avoid, snap {from_m, to_m} (ground
// metres from the given points to the network), shelter {id, name, capacity, type} when the target
// is a shelter, hazard_zones_avoided (zone_id of the zones whose closed roads the search met) and
// start_hazard_zones (the avoided zones the start lies in) — both only for a caller who may see
// hazard_zones — and steps (turn-by-turn in Chinese: route/route_steps.hpp). No route → 422 with
// the reason (an end farther than 500 m from a road, a closure or hazard zones cutting every road).
// The network is built once and rebuilt when roads or hazard zones change (route/network_cache.hpp).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "query/scoped_reader.hpp"
#include "route/network_cache.hpp"
#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

// The parameters above, as given (values percent-decoded).
struct RouteParams {
  std::string from;
  std::string to;
  std::optional<std::string> mode;
  std::optional<std::string> avoid;
  std::optional<std::string> closed;
};

// The answer above for the caller of `reader` (also what `minqing route` prints).
// @throws RequestError (400) naming a malformed parameter; HttpError 404 for shelters the caller may
// not see or an unknown shelter, 422 with the reason when there is no route.
nlohmann::json route_feature(const query::ScopedReader& reader, route::NetworkCache& networks, const RouteParams& params);

// Registers the route above. `service` and `networks` are borrowed and must outlive the router.
void add_route_routes(Router& router, const QueryService& service, route::NetworkCache& networks);

}  // namespace minqing::server
