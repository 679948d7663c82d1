#pragma once
// Shortest paths by time on the road network under one request's closures.
//
// From one snapped start to one target: A* with the straight ground distance over the mode's
// fastest speed as heuristic (admissible: no route is shorter than the straight line, none faster
// than the fastest road; scaled by 0.99 against rounding). To many targets (every shelter the
// caller sees): one Dijkstra that stops at the first target settled — one search, not one per
// target. Both run over states (node, phase): phase 0 while the route is still inside the zones it
// started in (route/closures.hpp: `start_zone_only` edges), phase 1 once it has left them.
//
// Thread-safe for concurrent calls (per-thread scratch arrays, reused between calls).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "route/closures.hpp"
#include "route/road_network.hpp"

namespace minqing::route {

// One stretch of an edge travelled from fraction t0 to fraction t1 of its length (t0 > t1: against
// the edge's direction).
struct Leg {
  std::uint32_t edge = 0;
  double t0 = 0;
  double t1 = 1;
};

struct Path {
  std::vector<Leg> legs;  // in travel order; empty when start and target are the same point
  double time_s = 0;
  double length_m = 0;
  std::size_t target = 0;  // index into the targets given
  // Zones (indices into the network's zones()) whose closed edges the search met: the hazard zones
  // the route had to go around. Ascending.
  std::vector<std::uint32_t> zones_avoided;
};

// The quickest path from `from` to the nearest of `targets` by time; nullopt when none can be
// reached. @pre !targets.empty(); snaps made on `closures.network()`.
std::optional<Path> shortest_path(const Closures& closures, const Snap& from, std::span<const Snap> targets);

// The quickest path from `from` to each of `targets` reachable within `limit_s` seconds (nullopt for
// the others), in one Dijkstra that stops when every target is settled or the limit is passed: the
// times an evacuation plan weighs (route/evacuation_plan.hpp). Paths share the search's
// zones_avoided. @pre snaps made on `closures.network()`.
std::vector<std::optional<Path>> paths_to_each(const Closures& closures, const Snap& from, std::span<const Snap> targets,
                                               double limit_s);

}  // namespace minqing::route
