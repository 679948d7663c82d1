#pragma once
// A whole-village evacuation plan (村级避灾转移方案): every household given (those at risk, or all)
// is sent to a shelter so that no shelter receives more people than its capacity and the total
// person-time (members × walking time) is least (route/shelter_assignment.hpp), beside the greedy
// nearest-shelter baseline. Travel times come from one multi-target Dijkstra per household to every
// shelter of the plan (route/shortest_path.hpp paths_to_each) under the request's closures: hazard
// zones of the avoided levels and the `closed` geometry, a household inside an avoided zone leaving
// it by the quickest way out, as a single route does.
//
// Measured against one search per shelter to every household (bench/route_bench.cpp, the county's
// 401 villages): per shelter fills the time table in 0.064 ms per village (median; p99 1.6 ms), per
// household in 0.100 ms (p99 4.2 ms) — both a few percent of the plan, whose cost is the
// assignment. Per household is kept because it is exact: a household inside an avoided zone
// leaves it by the quickest way out (a phase of its own search), which a search from the shelter
// cannot give.
//
// Pure computation over a shared network: thread-safe for concurrent calls (one Closures per call).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "geo/coord.hpp"
#include "geo/geometry.hpp"
#include "route/road_network.hpp"
#include "route/route_planner.hpp"
#include "route/shelter_assignment.hpp"
#include "route/travel_mode.hpp"

namespace minqing::route {

struct PlanHousehold {
  std::int64_t fid = 0;
  geo::Coord at;    // EPSG:3857
  int members = 1;  // people to move (a household recorded with 0 members still counts as 1)
};

struct PlanShelter {
  std::int64_t fid = 0;
  geo::Coord at;  // EPSG:3857
  int capacity = 0;
};

struct PlanOptions {
  Mode mode = Mode::walk;
  RiskSet avoid = kRiskHigh;
  geo::Geometry closed;        // EPSG:3857 closures; empty for none
  double max_minutes = 15;     // households whose nearest reachable shelter is farther are flagged
  double snap_limit_m = kSnapLimit_m;
  double search_limit_s = 7200;  // a shelter more than two hours away counts as unreachable
};

// Why a household has no shelter in the plan.
enum class NotPlaced : std::uint8_t {
  placed,
  no_road,               // the house is farther than the snapping limit from any usable road
  no_reachable_shelter,  // no shelter can be reached (hazard zones, the closure, no road between)
  capacity_exhausted,    // shelters can be reached, but none has room left for the household
};
std::string_view to_string(NotPlaced reason) noexcept;

struct HouseholdPlan {
  std::optional<std::size_t> shelter;         // index into the shelters given
  std::optional<std::size_t> greedy_shelter;  // the baseline's choice
  NotPlaced reason = NotPlaced::placed;
  double time_s = 0;    // to the assigned shelter
  double length_m = 0;
  double nearest_s = -1;          // to the nearest reachable shelter; −1 when none is reachable
  std::optional<std::size_t> nearest_shelter;
  bool beyond_max = false;        // nearest reachable shelter farther than max_minutes
  std::vector<geo::Coord> line;   // the route to the assigned shelter (EPSG:3857); empty when not placed
};

struct ShelterPlan {
  int load = 0;         // people assigned
  int greedy_load = 0;  // people the baseline assigns
  int demand = 0;       // people whose nearest reachable shelter this is (more than the capacity:
                        // sending everyone to the nearest shelter would overload it)
  std::size_t households = 0;
  bool on_road = true;  // within the snapping limit of a usable road
};

struct PlanSummary {
  std::size_t households_placed = 0;
  int people_placed = 0;
  double person_seconds = 0;
};

struct EvacuationPlan {
  std::vector<HouseholdPlan> households;  // one per household given, in that order
  std::vector<ShelterPlan> shelters;      // one per shelter given
  PlanSummary optimal;
  PlanSummary greedy;
  bool proven_optimal = true;
  double gap_person_seconds = 0;  // when not proven: how much worse than the bound it may be
  std::size_t not_placed = 0;
  std::size_t beyond_max = 0;
};

// @throws DataError when GEOS refuses the closure geometry.
EvacuationPlan plan_evacuation(const RoadNetwork& net, std::span<const PlanHousehold> households,
                               std::span<const PlanShelter> shelters, const PlanOptions& options);

}  // namespace minqing::route
