#pragma once
// Who and where a village's evacuation plan moves: its households (all, or those at risk) and its
// shelters, read from the raw serving index — a plan is computed over every household of the
// village whoever asks (a shelter's load counts people the caller may not see), and what the caller
// is told about each household is decided by the endpoint through its ScopedReader.
//
// A household is at risk when it lies inside a hazard zone of any risk level or within
// `risk_distance_m` ground metres of one (default 100 m: the generator counts households up to 90 m
// below a slope zone and 30 m beside a flood zone as at risk; 100 m covers both with a margin).
// The plan sends a village's households to the village's own shelters (避灾安置点 are planned per
// village, and a village's plan must not fill a neighbour's shelter that the neighbour counts on).
//
// Thread-safe for concurrent calls on one dataset.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "query/dataset.hpp"
#include "route/evacuation_plan.hpp"
#include "route/road_network.hpp"

namespace minqing::route {

inline constexpr double kRiskDistance_m = 100;

enum class PlanScope { at_risk, all };

struct VillageEvacuees {
  std::string village_code;
  std::vector<PlanHousehold> households;  // in fid order
  std::vector<PlanShelter> shelters;      // in fid order
  std::size_t households_in_village = 0;
};

// Whether the store has a village with this code.
bool village_exists(const query::Dataset& data, std::string_view village_code);
// Every village code of the store, ascending.
std::vector<std::string> village_codes(const query::Dataset& data);

// The households and shelters of the village. Hazard zones are the network's (every zone, built
// from the same data). An unknown village yields none.
VillageEvacuees village_evacuees(const query::Dataset& data, const RoadNetwork& net, std::string_view village_code,
                                 PlanScope scope, double risk_distance_m = kRiskDistance_m);

// Whether `p` (EPSG:3857) lies in or within `distance_m` ground metres of a hazard zone of `net`.
bool near_hazard_zone(const RoadNetwork& net, geo::Coord p, double distance_m);

}  // namespace minqing::route
