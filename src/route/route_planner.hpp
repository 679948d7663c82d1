#pragma once
// One route request, end to end below HTTP: snap both ends (or every candidate shelter) to the
// network, close what the request avoids, search, and say why when there is no route. The
// GET /api/route handler and `minqing route` both call plan_route.
//
// Thread-safe for concurrent calls on one shared network.

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "geo/coord.hpp"
#include "geo/geometry.hpp"
#include "route/road_network.hpp"
#include "route/shortest_path.hpp"
#include "route/travel_mode.hpp"

namespace minqing::route {

// How far (ground metres) a given point may lie from the nearest road it can use.
inline constexpr double kSnapLimit_m = 500;

// No route: the message is the reason, for the caller (HTTP 422).
class NoRoute : public Error {
 public:
  using Error::Error;
};

struct RouteRequest {
  geo::Coord from;                  // EPSG:3857
  std::vector<geo::Coord> targets;  // EPSG:3857: one destination, or every candidate shelter
  bool to_shelter = false;          // the targets are shelters (only words in the reasons differ)
  Mode mode = Mode::walk;
  RiskSet avoid = kRiskHigh;
  geo::Geometry closed;             // EPSG:3857 closures; empty for none
  double snap_limit_m = kSnapLimit_m;
};

struct Route {
  Path path;                        // its target is an index into RouteRequest::targets
  std::vector<geo::Coord> line;     // EPSG:3857, from the start's snap point to the target's
  double snap_from_m = 0;
  double snap_to_m = 0;
  std::vector<std::uint32_t> start_zones;  // avoided zones the start lies in (it leaves them)
};

// The avoided zones (indices into net.zones()) a route from `from`, snapped at `snap`, may leave:
// those containing the point and those its road lies in (route/closures.hpp allow_leaving).
std::vector<std::uint32_t> zones_to_leave(const RoadNetwork& net, geo::Coord from, const Snap& snap, RiskSet avoid);

// The line a path follows (EPSG:3857), from snap point `from` to snap point `to`; the straight
// segment between them when the path has no legs.
std::vector<geo::Coord> path_line(const RoadNetwork& net, const Path& path, geo::Coord from, geo::Coord to);

// @throws NoRoute with the reason (an end too far from any road, every target cut off by hazard
// zones or by the closure, or not connected); DataError when GEOS refuses the closure geometry.
// @pre !request.targets.empty()
Route plan_route(const RoadNetwork& net, const RouteRequest& request);

}  // namespace minqing::route
