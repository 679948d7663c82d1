#pragma once
// Whole-village evacuation plans (村级避灾转移方案).
//
//   GET /api/evacuation-plan?village=CODE[&scope=at_risk|all][&distance=M][&max_minutes=15]
//                           [&mode=walk|drive][&avoid=high,medium|none][&closed=WKT]
//   GET /api/evacuation-plan.csv?…   the same as CSV (also with Accept: text/csv)
//     village      12-digit village code (required)
//     scope        at_risk (default): the households inside or within `distance` metres of a
//                  hazard zone of any level; all: every household of the village
//     distance     metres, 0–1000, default 100 (route/village_evacuees.hpp)
//     max_minutes  1–240, default 15: households whose nearest reachable shelter is farther are
//                  flagged (beyond_max_minutes) — they are still placed
//     mode, avoid, closed   as GET /api/route
//
// The plan (route/evacuation_plan.hpp) sends the village's households to the village's shelters:
// no shelter over capacity, least total person-time (members × time), optimal — with the greedy
// nearest-shelter baseline beside it. It is computed over every household of the village, whoever
// asks (a shelter's load counts them all), and told as the caller may see: a household row only for
// a household the caller's ScopedReader finds, with only the fields of the caller's view in the
// caller's form (a disaster planner: fid, position, members, 需协助转移人数 — never a name or
// household_id); households the caller may not see are counted (households_not_shown), never listed.
//
// Access: the disaster map (403 / 404 as tiles do), and the village within the caller's area for a
// role-only map (403, as /api/stats); an unknown village 404; a malformed parameter 400 naming it.
//
// GeoJSON (CRS84): a FeatureCollection with `plan` (parameters, counts, optimal vs greedy totals)
// and features: one Point per shelter (kind "shelter": capacity, load, households, demand,
// overloaded_if_nearest, greedy_load) and one per household (kind "household": a LineString from the
// house along the route to its shelter when placed, else a Point; shelter, time_s, length_m,
// beyond_max_minutes, not_placed reason, greedy_shelter). CSV: one row per household listed.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "query/dataset.hpp"
#include "query/scoped_reader.hpp"
#include "route/evacuation_plan.hpp"
#include "route/network_cache.hpp"
#include "route/village_evacuees.hpp"
#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

// The parameters above, as given (values percent-decoded).
struct PlanParams {
  std::string village;
  std::optional<std::string> scope;
  std::optional<std::string> distance;
  std::optional<std::string> max_minutes;
  std::optional<std::string> mode;
  std::optional<std::string> avoid;
  std::optional<std::string> closed;
};

// A computed plan and what it was computed for.
struct PlanReport {
  std::string village;
  route::PlanScope scope = route::PlanScope::at_risk;
  double distance_m = route::kRiskDistance_m;
  route::PlanOptions options;
  route::VillageEvacuees evacuees;
  route::EvacuationPlan plan;
  std::shared_ptr<const route::RoadNetwork> network;
};

// Checks the parameters and the caller's access, then plans.
// @throws RequestError (400) naming a malformed parameter; HttpError 403 (map not granted, village
// outside the caller's area), 404 (unknown village).
PlanReport evacuation_plan(const query::ScopedReader& reader, route::NetworkCache& networks, const PlanParams& params);

// The answers above for the caller of `reader` (`minqing plan` writes the same).
nlohmann::json plan_geojson(const query::ScopedReader& reader, const PlanReport& report);
std::string plan_csv(const query::ScopedReader& reader, const PlanReport& report);

// Registers the routes above. `service` and `networks` are borrowed and must outlive the router.
void add_evacuation_plan_routes(Router& router, const QueryService& service, route::NetworkCache& networks);

}  // namespace minqing::server
