#include "route/route_planner.hpp"

#include <algorithm>
#include <optional>

#include "geo/ground_measures.hpp"
#include "route/closures.hpp"

namespace minqing::route {

namespace {

std::string limit_text(const RouteRequest& r) {
  return std::to_string(static_cast<long>(r.snap_limit_m)) + " m of a road" +
         (r.mode == Mode::drive ? " open to cars" : "");
}

// Why nothing was found: searched again without the closure, then without hazard zones.
std::string why_unreachable(const RoadNetwork& net, const RouteRequest& r, const Snap& from,
                            const std::vector<Snap>& targets, const std::vector<std::uint32_t>& start_zones) {
  const std::string what = r.to_shelter ? "every shelter" : "the destination";
  if (!r.closed.empty()) {
    Closures without_closure(net, r.mode, r.avoid);
    without_closure.allow_leaving(start_zones);
    if (shortest_path(without_closure, from, targets)) return "the closure cuts every road to " + what;
  }
  if (r.avoid != 0) {
    Closures open(net, r.mode, 0);
    if (shortest_path(open, from, targets)) {
      const bool inside = !r.to_shelter && std::any_of(targets.begin(), targets.end(), [&](const Snap& t) {
        for (std::uint32_t z : net.edge_zones(t.edge)) {
          if (net.zones()[z].risk & r.avoid) return true;
        }
        return false;
      });
      if (inside) return "the destination lies in an avoided hazard zone";
      return std::string("hazard zones of the avoided risk levels") + (r.closed.empty() ? "" : " and the closure") +
             " cut every road to " + what;
    }
  }
  return std::string("the start is not connected to ") + what + " by roads" +
         (r.mode == Mode::drive ? " open to cars" : "");
}

}  // namespace

std::vector<std::uint32_t> zones_to_leave(const RoadNetwork& net, geo::Coord from, const Snap& snap, RiskSet avoid) {
  std::vector<std::uint32_t> zones;
  for (std::uint32_t z : net.zones_containing(from)) {
    if (net.zones()[z].risk & avoid) zones.push_back(z);
  }
  for (std::uint32_t z : net.edge_zones(snap.edge)) {
    if (net.zones()[z].risk & avoid) zones.push_back(z);
  }
  return zones;
}

std::vector<geo::Coord> path_line(const RoadNetwork& net, const Path& path, geo::Coord from, geo::Coord to) {
  std::vector<geo::Coord> line;
  for (const Leg& leg : path.legs) {
    const auto part = net.edge_part(leg.edge, leg.t0, leg.t1);
    auto first = part.begin();
    if (!line.empty() && line.back() == *first) ++first;
    line.insert(line.end(), first, part.end());
  }
  if (line.size() < 2) line = {from, to};
  return line;
}

Route plan_route(const RoadNetwork& net, const RouteRequest& r) {
  const auto from = net.snap(r.from, r.snap_limit_m, r.mode);
  if (!from) throw NoRoute("the start is not within " + limit_text(r));
  Closures closures(net, r.mode, r.avoid, r.closed);
  closures.allow_leaving(zones_to_leave(net, r.from, *from, r.avoid));

  // Snapping every shelter of the county costs more than the search, so targets are taken nearest
  // first (straight ground distance): search with the nearest few, then add every target that could
  // still be quicker — one whose straight distance, less both snap distances, over the fastest
  // speed is below the best time found — and search again, until none is left that could be.
  // Exact: a target left out cannot beat the route found.
  const std::size_t n = r.targets.size();
  std::vector<double> straight(n);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) {
    straight[i] = geo::ground_distance_m(r.from, r.targets[i]);
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return straight[a] < straight[b] || (straight[a] == straight[b] && a < b);
  });
  const double vmax = max_speed_mps(r.mode);
  auto bound_s = [&](std::size_t i) {
    return std::max(0.0, straight[i] * 0.95 - from->distance_m - r.snap_limit_m) / vmax;
  };
  std::vector<Snap> snaps;
  std::vector<std::size_t> index;  // snaps[i] is request target index[i]
  std::size_t taken = 0;
  auto take_until = [&](std::size_t k) {
    for (; taken < k; ++taken) {
      if (auto s = net.snap(r.targets[order[taken]], r.snap_limit_m, r.mode)) {
        snaps.push_back(*s);
        index.push_back(order[taken]);
      }
    }
  };
  constexpr std::size_t kFirstTargets = 8;
  take_until(std::min(n, kFirstTargets));
  std::optional<Path> path;
  while (true) {
    if (snaps.empty() && taken < n) {
      take_until(n);
      continue;
    }
    if (snaps.empty()) {
      throw NoRoute(r.to_shelter ? "no shelter is within " + limit_text(r) : "the destination is not within " + limit_text(r));
    }
    path = shortest_path(closures, *from, snaps);
    std::size_t k = taken;
    if (!path) {
      k = n;
    } else {
      while (k < n && bound_s(order[k]) < path->time_s) ++k;
    }
    if (k == taken) break;
    take_until(k);
  }
  if (!path) throw NoRoute("no route: " + why_unreachable(net, r, *from, snaps, closures.start_zones()));

  Route route;
  route.snap_from_m = from->distance_m;
  route.snap_to_m = snaps[path->target].distance_m;
  route.start_zones = closures.start_zones();
  route.line = path_line(net, *path, from->point, snaps[path->target].point);
  path->target = index[path->target];
  route.path = std::move(*path);
  return route;
}

}  // namespace minqing::route
