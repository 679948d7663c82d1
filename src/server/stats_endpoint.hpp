#pragma once
// Classification statistics (分类统计) over HTTP:
//
//   GET /api/stats?village=CODE[&map=NAME[,NAME…]]     one village (12-digit code)
//   GET /api/stats?township=CODE[&map=NAME[,NAME…]]    one township (9-digit code)
//
// The answer (query/statistics.hpp) is JSON for a web map's side panel: the place, one section
// per map with class totals and tables by category (enum order, zeros included), the disaster
// map's evacuation balance, and notes saying how each figure is computed.
//
// Order of checks, chosen so that an answer never confirms what the caller may not know:
//   400  malformed parameters, each naming the parameter: an unknown parameter, one given twice,
//        neither or both of village/township, a code that is not exactly 12 / 9 ASCII digits,
//        a map list that is not comma-separated lower-case names;
//   403 / 404  a map not granted (server/caller_access.hpp require_maps_visible: 403, and 404 —
//        the answer an unknown map gets — for the confidential key_persons);
//   403  a place outside the caller's area (decided from the code alone, before looking it up, so
//        that a refusal does not say whether the place exists);
//   404  a place in the caller's area that has no village in the store.
// Without `map`, every map the caller may see. Any answer that includes key_persons is appended
// to the audit log first (action key_persons_query, detail: place and map); when the log cannot be
// written nothing is served.

#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Registers the route above. `service` is borrowed and must outlive the router. Groups the
// features of every class by village now, so that the first request is as fast as the next.
void add_stats_routes(Router& router, const QueryService& service);

}  // namespace minqing::server
