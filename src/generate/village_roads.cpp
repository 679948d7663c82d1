// Step 2: hamlets (自然村) and the road network — the county road along the valley, access roads
// to each hamlet, hamlet streets and lanes, paths up the slopes and farm tracks across the fields.

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "generate/names.hpp"
#include "generate/pathfinding.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

namespace {

// Interior vertex of `line` nearest to `p` (never the first or last: those are crossings with
// the village edge).
std::size_t interior_vertex(const Polyline& line, Coord p) {
  std::size_t best = 1;
  double bd = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i + 1 < line.size(); ++i) {
    const double d = distance(line[i], p);
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

Polyline straight(Coord start, Coord dir, double len, double step, const Keep& keep) {
  Polyline out{start};
  for (double s = step; s <= len; s += step) {
    const Coord p = start + dir * s;
    if (!keep(p)) break;
    out.push_back(p);
  }
  return out;
}

}  // namespace

void build_roads(Village& v) {
  Rng rng = v.rng_for(0x524f);
  const Terrain& terrain = *v.terrain;
  const int row = v.spec->row, col = v.spec->col;
  const Polyline west = v.layout->west_edge(col, row), east = v.layout->east_edge(col, row);

  // The county road: one row-wide line, so it continues exactly into the neighbours.
  v.county_road = clip_between(terrain.county_road_line(row, v.bbox.min_x - 200, v.bbox.max_x + 200, 25), west, east);
  v.county_road_name = county_road_name(row);
  const double county_width = row % 4 == 1 ? 8.0 : 7.5;
  const int county_id = v.roads.add({v.county_road, "county", v.county_road_name, county_width});
  const Polyline county = v.roads.road(county_id).pts;
  if (county.size() < 4) return;

  const double rw = v.water.river_width;
  const auto& river = v.water.river;
  const auto far_from_water = [&](Coord p, double margin) {
    if (!river.empty() && distance_to_polyline(p, river) < rw / 2 + margin) return false;
    for (const auto& pond : v.water.ponds) {
      if (point_in_ring(pond, p) || distance_to_polyline(p, pond) < margin) return false;
    }
    return true;
  };
  const auto inside_margin = [&](Coord p, double m) { return v.inside(p) && distance_to_polyline(p, v.ring) > m; };

  // --- Hamlet sites ---
  const int target = v.spec->household_target;
  const int k = std::clamp(static_cast<int>(std::lround(target / 95.0)), 2, 4);
  const double xa = county.front().x, xb = county.back().x;
  const double road_side = terrain.road_offset(row, (xa + xb) / 2) > 0 ? 1 : -1;
  const bool want_upper = k >= 3 && rng.chance(0.6);
  std::set<std::string> used{v.spec->name.substr(0, v.spec->name.size() - 3)};
  const int buildings_wanted = static_cast<int>(std::lround(target * 1.035)) + 12;
  std::vector<double> weights;
  for (int i = 0; i < k; ++i) {
    Hamlet h;
    const bool upper = want_upper && i == k - 1;
    if (upper) {
      // Up the longest side stream, beside it.
      const Polyline* best = nullptr;
      for (const auto& s : v.water.streams) {
        if (!best || length(s) > length(*best)) best = &s;
      }
      if (best && length(*best) > 350) {
        // The gentlest ground beside the stream, a quarter to a half of the way up.
        const double len = length(*best);
        double best_slope = 1e9;
        for (double at = len * 0.2; at <= len * 0.5; at += 20) {
          const Coord c = point_at(*best, at), d = direction_at(*best, at);
          for (double off : {-40.0, 40.0}) {
            const Coord p = c + perp(d) * off;
            const double slope = v.dem.slope(p.x, p.y) + rng.uniform(0, 0.03);
            if (slope < best_slope && inside_margin(p, 120)) {
              best_slope = slope;
              h.center = p;
            }
          }
        }
        h.upper = best_slope < 0.45;
        h.side = h.center.y > terrain.valley_y(row, h.center.x) ? 1 : -1;
      }
    }
    if (!h.upper) {
      const double frac = (i + 0.5 + rng.uniform(-0.15, 0.15)) / (want_upper ? k - 1 : k);
      const double x = xa + 120 + frac * (xb - xa - 240);
      h.across = i > 0 && rng.chance(0.3);
      h.side = static_cast<int>(h.across ? -road_side : road_side);
      h.center = {x, terrain.valley_y(row, x) + h.side * (terrain.floor_half_width(row, x) + rng.uniform(5, 30))};
      if (!inside_margin(h.center, 150)) h.center = {x, terrain.valley_y(row, x) + h.side * terrain.floor_half_width(row, x)};
    }
    h.name = unique_place_name(rng, used);
    h.clan = std::string(random_surname(rng));
    weights.push_back((i == 0 ? 1.35 : 1.0) * (h.upper ? 0.6 : 1.0) * rng.uniform(0.8, 1.25));
    v.hamlets.push_back(std::move(h));
  }
  double wsum = 0;
  for (double w : weights) wsum += w;
  for (std::size_t i = 0; i < v.hamlets.size(); ++i) {
    v.hamlets[i].quota = static_cast<int>(std::lround(buildings_wanted * weights[i] / wsum));
  }

  RouteOptions route_opt;
  route_opt.max_grade = 0.12;
  if (!river.empty()) route_opt.obstacles.push_back({river, rw / 2 + 4, 160});
  for (const auto& pond : v.water.ponds) route_opt.obstacles.push_back({pond, 10, 1000});

  std::vector<Polyline> streets_so_far;
  for (std::size_t hi = 0; hi < v.hamlets.size(); ++hi) {
    Hamlet& h = v.hamlets[hi];
    // --- The hamlet street along the contour through its centre ---
    const auto keep_street = [&](Coord p) {
      if (!inside_margin(p, 30) || !far_from_water(p, 22)) return false;
      if (distance_to_polyline(p, county) < 22) return false;
      for (const auto& s : streets_so_far) {
        if (distance_to_polyline(p, s) < 45) return false;
      }
      return true;
    };
    const double street_len = std::clamp(h.quota * 3.6, 160.0, 520.0);
    Coord hint = h.upper ? perp(direction_at(county, project(county, h.center))) : Coord{1, 0};
    Polyline a = trace_contour(v.dem, h.center, hint, street_len / 2, 15, keep_street);
    Polyline b = trace_contour(v.dem, h.center, hint * -1, street_len / 2, 15, keep_street);
    Polyline street(b.rbegin(), b.rend());
    street.insert(street.end(), a.begin() + 1, a.end());
    const std::size_t ci = b.size() - 1;
    if (street.size() < 2) {
      street = {h.center, h.center + Coord{15, 0}};
    }
    const std::string road_name = h.name + "路";
    const int street_id = v.roads.add({street, "village", road_name, 4.5});
    h.streets.push_back(street_id);
    streets_so_far.push_back(street);
    const Coord meet = street[std::min(ci, street.size() - 1)];
    v.roads.mark_junction(meet);

    // --- Access road from the county road ---
    const std::size_t kv = interior_vertex(county, h.upper ? h.center : meet);
    const Coord junction = county[kv];
    v.roads.mark_junction(junction);
    Polyline access = find_route(v.dem, v.ring, junction, meet, route_opt);
    const bool township = h.upper && (v.spec->township_seat || rng.chance(0.5));
    std::string access_name = h.upper ? (h.name.substr(0, 3) + v.spec->name.substr(0, 3) + "线") : std::string();
    v.roads.add({access, township ? "township" : "village", access_name, township ? 5.5 : 4.5});

    // --- Lanes off the street: up the slope, and short spurs down it ---
    const Polyline street_pts = v.roads.road(street_id).pts;
    const auto keep_lane = [&](Coord p) {
      return inside_margin(p, 25) && far_from_water(p, 15) && distance_to_polyline(p, county) > 14;
    };
    int lane_no = 0;
    std::vector<Polyline> up_lanes;
    for (std::size_t i = 2; i + 2 < street_pts.size(); i += 3) {
      if (i == ci) continue;
      const Coord s = street_pts[i];
      Polyline lane;
      if (lane_no++ % 2 == 0) {
        lane = trace_climb(v.dem, s, rng.uniform(50, 100), 0.16, 45, 12, keep_lane, rng.chance(0.5) ? 1 : -1);
        if (lane.size() >= 3) up_lanes.push_back(lane);
      } else {
        lane = trace_climb(v.dem, s, rng.uniform(35, 70), 0.16, 40, 12, keep_lane, rng.chance(0.5) ? 1 : -1, -1);
      }
      if (lane.size() < 3) continue;
      v.roads.mark_junction(s);
      h.streets.push_back(v.roads.add({lane, "village", "", 3.5}));
    }

    // --- Paths up to the terraces and the forest ---
    const auto keep_path = [&](Coord p) { return inside_margin(p, 30) && far_from_water(p, 8); };
    int paths = 0;
    for (const auto& lane : up_lanes) {
      if (paths >= 2) break;
      Polyline path = trace_climb(v.dem, lane.back(), rng.uniform(250, 650), 0.2, rng.uniform(60, 110), 15, keep_path,
                                  rng.chance(0.5) ? 1 : -1);
      if (path.size() < 5) continue;
      path = simplify(path, 1.0);
      const bool old_trail = rng.chance(0.25);
      v.roads.add({path, "path", old_trail ? h.name.substr(0, 3) + "古道" : std::string("步道"), old_trail ? 1.5 : 2.0});
      ++paths;
    }
  }

  // --- Farm tracks (机耕路) from the county road towards the river ---
  if (!river.empty()) {
    int tracks = 0;
    for (int attempt = 0; attempt < 12 && tracks < 2; ++attempt) {
      const std::size_t kv = static_cast<std::size_t>(rng.range(2, static_cast<long long>(county.size()) - 3));
      const Coord s = county[kv];
      bool near_hamlet = false;
      for (const auto& h : v.hamlets) near_hamlet = near_hamlet || distance(h.center, s) < 180;
      if (near_hamlet) continue;
      const Coord to_river = normalized(point_at(river, project(river, s)) - s);
      Polyline track = straight(s, to_river, 400, 12, [&](Coord p) { return far_from_water(p, 14) && inside_margin(p, 20); });
      if (track.size() < 3) continue;
      v.roads.mark_junction(s);
      v.roads.add({track, "path", "机耕路", 2.5});
      ++tracks;
    }
  }

  v.roads.node_crossings();
  v.road_pieces = v.roads.split();
}

}  // namespace minqing::generate
