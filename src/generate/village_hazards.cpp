// Step 10: disaster prevention — hazard zones (landslides and collapses on the steep slopes above
// the houses, debris flows down the stream gullies, floods along the river by the hamlets),
// shelters on safe ground, evacuation routes along the road network, and monitoring points.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>

#include "generate/village.hpp"

namespace minqing::generate {

namespace {

struct Zone {
  std::string id;
  std::string hazard;
  geo::Geometry geometry;
  Polyline ring;  // exterior ring
  Coord anchor;   // a point inside
  int at_risk = 0;
  bool high = false;  // risk "high"
};

struct Shelter {
  std::string id, name, type;
  Coord at;
  int capacity = 0;
};

Polyline exterior(const geo::Geometry& g) { return Polyline(g.coords.begin(), g.coords.begin() + g.part_ends[0]); }

// The road graph: nodes are piece end points, edges the pieces.
class RoadGraph {
 public:
  explicit RoadGraph(const std::vector<Road>& pieces) : m_pieces(&pieces) {
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      const int a = node(pieces[i].pts.front()), b = node(pieces[i].pts.back());
      const double len = length(pieces[i].pts);
      m_adj[static_cast<std::size_t>(a)].push_back({b, static_cast<int>(i), len, false});
      m_adj[static_cast<std::size_t>(b)].push_back({a, static_cast<int>(i), len, true});
    }
  }
  int nearest(Coord p) const {
    int best = -1;
    double bd = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
      const double d = distance(m_nodes[i], p);
      if (d < bd) {
        bd = d;
        best = static_cast<int>(i);
      }
    }
    return best;
  }
  Coord at(int n) const { return m_nodes[static_cast<std::size_t>(n)]; }
  // Shortest path from `src`: distances and the (edge, reversed) used to reach each node.
  void dijkstra(int src, std::vector<double>& dist, std::vector<std::pair<int, int>>& via) const {
    dist.assign(m_nodes.size(), std::numeric_limits<double>::infinity());
    via.assign(m_nodes.size(), {-1, -1});
    using Item = std::pair<double, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> q;
    dist[static_cast<std::size_t>(src)] = 0;
    q.push({0, src});
    while (!q.empty()) {
      const auto [d, n] = q.top();
      q.pop();
      if (d > dist[static_cast<std::size_t>(n)]) continue;
      for (const auto& e : m_adj[static_cast<std::size_t>(n)]) {
        const double nd = d + e.len;
        if (nd < dist[static_cast<std::size_t>(e.to)]) {
          dist[static_cast<std::size_t>(e.to)] = nd;
          via[static_cast<std::size_t>(e.to)] = {n, e.piece * 2 + (e.reversed ? 1 : 0)};
          q.push({nd, e.to});
        }
      }
    }
  }
  // The polyline from src to dst following `via`.
  Polyline path(int dst, const std::vector<std::pair<int, int>>& via) const {
    std::vector<Polyline> legs;
    for (int n = dst; via[static_cast<std::size_t>(n)].first >= 0; n = via[static_cast<std::size_t>(n)].first) {
      const int code = via[static_cast<std::size_t>(n)].second;
      Polyline leg = (*m_pieces)[static_cast<std::size_t>(code / 2)].pts;
      if (code % 2) std::reverse(leg.begin(), leg.end());
      legs.push_back(std::move(leg));
    }
    Polyline out;
    for (auto it = legs.rbegin(); it != legs.rend(); ++it) {
      for (const Coord& c : *it) {
        if (out.empty() || !(out.back() == c)) out.push_back(c);
      }
    }
    if (out.empty()) out.push_back(at(dst));
    return out;
  }

 private:
  struct Edge {
    int to;
    int piece;
    double len;
    bool reversed;
  };
  int node(Coord c) {
    auto [it, fresh] = m_index.emplace(std::make_pair(c.x, c.y), static_cast<int>(m_nodes.size()));
    if (fresh) {
      m_nodes.push_back(c);
      m_adj.emplace_back();
    }
    return it->second;
  }
  const std::vector<Road>* m_pieces;
  std::map<std::pair<double, double>, int> m_index;
  std::vector<Coord> m_nodes;
  std::vector<std::vector<Edge>> m_adj;
};

// Every household must reach a shelter without crossing a high-risk zone — the way a county
// emergency office sites them: a debris flow across the only road of a hamlet gets a shelter on the
// hamlet's side (the router closes high-risk roads: route/closures.hpp). Road pieces touching a
// high-risk zone are left out of the graph; households whose nearest road node then reaches no
// shelter get an open space (晒场临时避灾点) beside a road of their own part of the network, sized
// for them. Draws no random numbers, so the rest of the village is generated as before.
void add_cut_off_shelters(const Village& v, const std::vector<Zone>& zones, const std::function<bool(Coord)>& safe,
                          std::vector<Shelter>& shelters) {
  std::vector<const Polyline*> high;
  for (const auto& z : zones) {
    if (z.high) high.push_back(&z.ring);
  }
  if (high.empty() || v.road_pieces.empty() || v.households.empty()) return;
  const auto crosses_high = [&](const Polyline& line) {
    for (const Polyline* ring : high) {
      for (const Coord& c : line) {
        if (point_in_ring(*ring, c)) return true;
      }
      for (std::size_t i = 1; i < line.size(); ++i) {
        for (std::size_t j = 1; j < ring->size(); ++j) {
          if (segment_crossing(line[i - 1], line[i], (*ring)[j - 1], (*ring)[j])) return true;
        }
      }
    }
    return false;
  };
  std::vector<Road> open;
  for (const auto& piece : v.road_pieces) {
    if (piece.pts.size() >= 2 && !crosses_high(piece.pts)) open.push_back(piece);
  }
  if (open.empty()) return;
  const RoadGraph graph(open);
  // Components of the open graph, and which of them hold a shelter.
  std::vector<double> dist;
  std::vector<std::pair<int, int>> via;
  std::map<int, int> component_of_node;  // node → component (the first node reached's id)
  const auto component = [&](int node) {
    if (auto it = component_of_node.find(node); it != component_of_node.end()) return it->second;
    graph.dijkstra(node, dist, via);
    for (std::size_t n = 0; n < dist.size(); ++n) {
      if (std::isfinite(dist[n])) component_of_node[static_cast<int>(n)] = node;
    }
    return node;
  };
  std::set<int> sheltered;
  for (const auto& s : shelters) sheltered.insert(component(graph.nearest(s.at)));
  // Where a household joins the network: its nearest road piece. On an open piece, that piece's
  // part of the network; on a piece a high-risk zone crosses, the stretch between the crossings
  // around the household (crossings of a zone the household's own point lies in do not count: a
  // route may leave the zone it starts in), and the part of the network at each end it reaches.
  struct Access {
    int key = 0;                // the part of the network (≥ 0), or −1 − a stretch's index
    std::vector<int> parts;     // parts of the network it reaches
    const Road* piece = nullptr;
    double from = 0, to = 0;    // the stretch, metres along the piece
  };
  const auto node_part = [&](Coord end) -> std::optional<int> {
    const int n = graph.nearest(end);
    if (distance(graph.at(n), end) > 0.01) return std::nullopt;  // a dead end of a closed piece
    return component(n);
  };
  std::map<std::pair<const Road*, double>, int> stretches;
  const auto access_of = [&](Coord at) {
    const Road* piece = &v.road_pieces.front();
    double bd = std::numeric_limits<double>::infinity();
    for (const auto& r : v.road_pieces) {
      const double d = distance_to_polyline(at, r.pts);
      if (d < bd) {
        bd = d;
        piece = &r;
      }
    }
    Access a;
    const double len = length(piece->pts), s_at = project(piece->pts, at);
    const Coord snapped = point_at(piece->pts, s_at);
    double lo = 0, hi = len;
    bool cut = false;
    for (const Polyline* ring : high) {
      if (point_in_ring(*ring, snapped) || point_in_ring(*ring, at)) continue;
      double walked = 0;
      for (std::size_t i = 1; i < piece->pts.size(); ++i) {
        const double seg = distance(piece->pts[i - 1], piece->pts[i]);
        for (std::size_t j = 1; j < ring->size(); ++j) {
          if (const auto tu = segment_crossing(piece->pts[i - 1], piece->pts[i], (*ring)[j - 1], (*ring)[j])) {
            const double s_cross = walked + tu->first * seg;
            cut = true;
            if (s_cross <= s_at) lo = std::max(lo, s_cross);
            else hi = std::min(hi, s_cross);
          }
        }
        walked += seg;
      }
    }
    if (!cut) {
      if (auto part = node_part(piece->pts.front())) a.parts.push_back(*part);
    } else {
      if (lo == 0) {
        if (auto part = node_part(piece->pts.front())) a.parts.push_back(*part);
      }
      if (hi == len) {
        if (auto part = node_part(piece->pts.back())) a.parts.push_back(*part);
      }
    }
    a.piece = piece;
    a.from = lo;
    a.to = hi;
    if (!a.parts.empty()) {
      a.key = a.parts.front();
    } else {
      auto [it, fresh] = stretches.emplace(std::make_pair(piece, lo), static_cast<int>(stretches.size()));
      a.key = -1 - it->second;
    }
    return a;
  };
  std::map<int, std::vector<const HouseholdRec*>> cut_off;  // access key → its households
  std::map<int, Access> where;
  for (const auto& h : v.households) {
    Access a = access_of(h.at);
    if (std::any_of(a.parts.begin(), a.parts.end(), [&](int p) { return sheltered.count(p) > 0; })) continue;
    cut_off[a.key].push_back(&h);
    where.emplace(a.key, std::move(a));
  }
  for (const auto& [key, households] : cut_off) {
    if (sheltered.count(key)) continue;  // a shelter added for an earlier group serves it
    int people = 0;
    Coord centre{0, 0};
    for (const auto* h : households) {
      people += h->members;
      centre = centre + h->at;
    }
    centre = centre * (1.0 / static_cast<double>(households.size()));
    // Beside a road of that part of the network (or of the stretch), on safe, gentle, open ground,
    // as near the households as can be.
    std::optional<Coord> best;
    const auto consider = [&](const Polyline& line, double s) {
      const Coord mid = point_at(line, s);
      const Coord n = perp(direction_at(line, s));
      for (double side : {12.0, -12.0}) {
        const Coord p = mid + n * side;
        if (!safe(p) || v.dem.slope(p.x, p.y) > 0.15) continue;
        bool clear = true;
        for (const auto& b : v.buildings) clear = clear && distance(b.rect.center, p) > 15;
        if (clear && (!best || distance(p, centre) < distance(*best, centre))) best = p;
      }
    };
    if (key >= 0) {
      for (const auto& piece : open) {
        if (component(graph.nearest(piece.pts.front())) != key) continue;
        const double len = length(piece.pts);
        for (double s = std::min(10.0, len / 2); s < len; s += 20) consider(piece.pts, s);
      }
    } else {
      const Access& a = where.at(key);
      for (double s = a.from + 8; s < a.to - 8; s += 10) consider(a.piece->pts, s);
    }
    if (!best) continue;
    const Hamlet* near = &v.hamlets.front();
    for (const auto& h : v.hamlets) {
      if (distance(h.center, *best) < distance(near->center, *best)) near = &h;
    }
    const int capacity = std::max(50, (people * 12 / 10 + 9) / 10 * 10);
    shelters.push_back({"", near->name + "路口临时避灾点", "open_space", *best, capacity});
    sheltered.insert(key);
  }
}

}  // namespace

void build_hazards(Village& v) {
  Rng rng = v.rng_for(0x485a);
  auto& sink = *v.sink;
  const auto& ctx = *v.ctx;
  const std::string& code = v.spec->code;
  GeosGeometry village = geo::to_geos(ctx, v.polygon());
  std::vector<Zone> zones;
  char buf[32];

  const auto add_zone = [&](GeosGeometry candidate, const std::string& hazard, Coord anchor) {
    GeosGeometry clipped = intersection(ctx, candidate, village);
    const geo::Geometry g = geo::from_geos(ctx, clipped.get(), geo::GeometryKind::polygon);
    // Keep the largest part as the zone.
    geo::Geometry best;
    double best_area = 0;
    for (auto& part : parts_of(g)) {
      const double a = std::fabs(ring_area(exterior(part)));
      if (a > best_area) {
        best_area = a;
        best = std::move(part);
      }
    }
    if (best_area < 800) return;
    Zone z;
    z.hazard = hazard;
    z.ring = exterior(best);
    z.anchor = point_in_ring(z.ring, anchor) ? anchor : ring_centroid(z.ring);
    if (!point_in_ring(z.ring, z.anchor)) return;
    z.geometry = std::move(best);
    zones.push_back(std::move(z));
  };

  // Landslides and collapses on the steep slopes above the hamlets.
  for (const auto& h : v.hamlets) {
    if (h.households.empty() || rng.chance(0.3)) continue;
    // From the highest house, uphill to the first steep ground.
    const HouseholdRec* top = nullptr;
    for (int i : h.households) {
      const auto& hh = v.households[static_cast<std::size_t>(i)];
      if (!top || v.dem.at(hh.at.x, hh.at.y) > v.dem.at(top->at.x, top->at.y)) top = &hh;
    }
    Coord p = top->at;
    double slope = 0;
    for (int step = 0; step < 20; ++step) {
      const Coord g = v.dem.gradient(p.x, p.y);
      slope = norm(g);
      if (slope < 0.02) break;
      p = p + normalized(g) * 15.0;
      if (step >= 3 && slope > 0.45) break;
    }
    if (slope < 0.3 || !v.inside(p)) continue;
    const Coord g = normalized(v.dem.gradient(p.x, p.y));
    const Coord center = p + g * rng.uniform(30, 60);
    const double rx = rng.uniform(60, 110), ry = rng.uniform(35, 70);
    const Polyline ring = blob(center, rx, ry, std::atan2(g.y, g.x), rng.next(), 20);
    add_zone(geo::to_geos(ctx, geo::Geometry::polygon(ring)), slope > 0.75 ? "collapse" : "landslide", center);
  }
  // Debris flows down stream gullies that open near a hamlet.
  int debris = 0;
  for (const auto& s : v.water.streams) {
    if (debris >= 2) break;
    bool near = false;
    for (const auto& h : v.hamlets) near = near || distance_to_polyline(h.center, s) < 220;
    if (!near || rng.chance(0.35)) continue;
    const double len = length(s);
    Polyline section;
    for (double at = len * 0.15; at <= std::min(len, len * 0.15 + rng.uniform(250, 450)); at += 20) section.push_back(point_at(s, at));
    if (section.size() < 4) continue;
    GeosGeometry line = geo::to_geos(ctx, geo::Geometry::line(section));
    add_zone(buffer(ctx, line, rng.uniform(22, 38), 3), "debris_flow", section[section.size() / 2]);
    ++debris;
  }
  // Floods along the river by the valley hamlets.
  if (!v.water.river.empty()) {
    for (const auto& h : v.hamlets) {
      if (h.upper || distance_to_polyline(h.center, v.water.river) > 260 || rng.chance(0.35)) continue;
      const double at = project(v.water.river, h.center);
      Polyline section;
      for (double s = std::max(0.0, at - 260); s <= std::min(length(v.water.river), at + 260); s += 25) {
        section.push_back(point_at(v.water.river, s));
      }
      if (section.size() < 4) continue;
      GeosGeometry line = geo::to_geos(ctx, geo::Geometry::line(section));
      const Coord side = normalized(h.center - point_at(v.water.river, at));
      add_zone(buffer(ctx, line, v.water.river_width / 2 + rng.uniform(45, 75), 4), "flood",
               point_at(v.water.river, at) + side * (v.water.river_width / 2 + 20));
    }
  }

  // Households at risk: inside, or just below (slope zones) / beside (floods).
  for (std::size_t i = 0; i < zones.size(); ++i) {
    Zone& z = zones[i];
    std::snprintf(buf, sizeof buf, "-Z%02zu", i + 1);
    z.id = code + buf;
    const double z_anchor = v.dem.at(z.anchor.x, z.anchor.y);
    for (const auto& hh : v.households) {
      const bool inside = point_in_ring(z.ring, hh.at);
      const double d = inside ? 0 : distance_to_polyline(hh.at, z.ring);
      const bool below = v.dem.at(hh.at.x, hh.at.y) < z_anchor;
      if (inside || (z.hazard == "flood" ? d < 30 : (d < 90 && below))) ++z.at_risk;
    }
    const std::string risk = z.at_risk >= 10 ? "high" : z.at_risk >= 3 ? "medium" : "low";
    z.high = z.at_risk >= 10;
    sink.add("hazard_zones", z.geometry)
        .set("zone_id", z.id)
        .set("village_code", code)
        .set("hazard", z.hazard)
        .set("risk", risk)
        .set("households_at_risk", z.at_risk)
        .set("monitor", v.cadres[rng.index(v.cadres.size())]);
  }

  // Shelters on safe ground: the school, the culture hall, open spaces by the county road.
  const auto safe = [&](Coord p) {
    for (const auto& z : zones) {
      if (point_in_ring(z.ring, p) || distance_to_polyline(p, z.ring) < 15) return false;
    }
    return v.inside(p);
  };
  int at_risk_people = 0;
  for (const auto& z : zones) at_risk_people += static_cast<int>(std::lround(z.at_risk * 2.9));
  std::vector<Shelter> shelters;
  for (const auto& b : v.buildings) {
    if (b.role != "school" && b.role != "culture_hall") continue;
    if (!safe(b.rect.center)) continue;
    const double floor_area = 4 * b.rect.half_length * b.rect.half_width * b.floors;
    const bool school = b.role == "school";
    shelters.push_back({"", school ? v.spec->name.substr(0, v.spec->name.size() - 3) + "学校避灾安置点" : v.spec->name + "文化礼堂避灾安置点",
                        school ? "school" : "hall", b.rect.center, static_cast<int>(floor_area / 2.5)});
  }
  int capacity = 0;
  for (const auto& s : shelters) capacity += s.capacity;
  for (std::size_t attempt = 0; attempt < 40 && (shelters.size() < 2 || capacity < at_risk_people * 1.2); ++attempt) {
    if (v.county_road.size() < 4) break;
    const Coord c = v.county_road[1 + rng.index(v.county_road.size() - 2)];
    const Coord n = perp(direction_at(v.county_road, project(v.county_road, c)));
    const Coord p = c + n * (rng.chance(0.5) ? 16.0 : -16.0);
    if (!safe(p) || v.dem.slope(p.x, p.y) > 0.08) continue;
    bool clear = true;
    for (const auto& b : v.buildings) clear = clear && distance(b.rect.center, p) > 25;
    if (!clear) continue;
    const int cap = static_cast<int>(rng.range(150, 400));
    const Hamlet* near = &v.hamlets.front();
    for (const auto& h : v.hamlets) {
      if (distance(h.center, p) < distance(near->center, p)) near = &h;
    }
    shelters.push_back({"", near->name + "晒场临时避灾点", "open_space", p, cap});
    capacity += cap;
  }
  add_cut_off_shelters(v, zones, safe, shelters);
  for (std::size_t i = 0; i < shelters.size(); ++i) {
    std::snprintf(buf, sizeof buf, "-S%02zu", i + 1);
    shelters[i].id = code + buf;
    sink.add("shelters", geo::Geometry::point(shelters[i].at))
        .set("shelter_id", shelters[i].id)
        .set("village_code", code)
        .set("name", shelters[i].name)
        .set("capacity", shelters[i].capacity)
        .set("type", shelters[i].type);
  }

  // Evacuation routes: from each zone along the road network to the nearest shelter.
  if (!shelters.empty() && !v.road_pieces.empty()) {
    RoadGraph graph(v.road_pieces);
    std::vector<int> shelter_node;
    for (const auto& s : shelters) shelter_node.push_back(graph.nearest(s.at));
    int route = 0;
    for (const auto& z : zones) {
      // Leave the zone: start at its anchor, join the road network at the nearest node outside it.
      int start = -1;
      double bd = std::numeric_limits<double>::infinity();
      for (const auto& piece : v.road_pieces) {
        for (const Coord& c : {piece.pts.front(), piece.pts.back()}) {
          const double d = distance(c, z.anchor) + (point_in_ring(z.ring, c) ? 300 : 0);
          if (d < bd) {
            bd = d;
            start = graph.nearest(c);
          }
        }
      }
      if (start < 0) continue;
      std::vector<double> dist;
      std::vector<std::pair<int, int>> via;
      graph.dijkstra(start, dist, via);
      std::size_t best = 0;
      for (std::size_t s = 1; s < shelters.size(); ++s) {
        if (dist[static_cast<std::size_t>(shelter_node[s])] < dist[static_cast<std::size_t>(shelter_node[best])]) best = s;
      }
      Polyline line{z.anchor};
      for (const Coord& c : graph.path(shelter_node[best], via)) {
        if (!(line.back() == c)) line.push_back(c);
      }
      if (!(line.back() == shelters[best].at)) line.push_back(shelters[best].at);
      if (line.size() < 2) continue;
      std::snprintf(buf, sizeof buf, "-R%02d", ++route);
      sink.add("evacuation_routes", geo::Geometry::line(line))
          .set("route_id", code + buf)
          .set("village_code", code)
          .set("zone_id", z.id)
          .set("shelter_id", shelters[best].id);
    }
  }

  // Monitoring points.
  const auto monitor = [&](Coord at, const char* type) {
    sink.add("monitoring_points", geo::Geometry::point(at))
        .set("village_code", code)
        .set("type", type)
        .set("responsible", v.cadres[rng.index(v.cadres.size())]);
  };
  monitor(v.committee + Coord{10, 8}, "rain_gauge");
  for (const auto& h : v.hamlets) {
    if (h.upper) monitor(h.center + Coord{6, -6}, "rain_gauge");
  }
  for (const auto& z : zones) {
    if (z.hazard == "landslide" || z.hazard == "collapse") monitor(z.anchor, "displacement");
  }
  if (!v.water.river.empty() && !v.hamlets.empty()) {
    monitor(point_at(v.water.river, project(v.water.river, v.hamlets.front().center)), "water_level");
  }
}

}  // namespace minqing::generate
