#include "route/shortest_path.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "geo/ground_measures.hpp"

namespace minqing::route {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Per-thread labels over (node, phase) states, reset in O(1) by a generation stamp.
struct Workspace {
  std::vector<double> g;
  std::vector<std::uint32_t> stamp;
  std::vector<std::uint32_t> parent_state;
  std::vector<std::uint32_t> parent_edge;
  std::uint32_t generation = 0;

  void reset(std::size_t states) {
    if (g.size() < states) {
      g.resize(states);
      stamp.assign(states, 0);
      parent_state.resize(states);
      parent_edge.resize(states);
      generation = 0;
    }
    if (++generation == 0) {
      std::fill(stamp.begin(), stamp.end(), 0);
      generation = 1;
    }
  }
  bool seen(std::uint32_t s) const { return stamp[s] == generation; }
  double label(std::uint32_t s) const { return seen(s) ? g[s] : kInfinity; }
  void set(std::uint32_t s, double v, std::uint32_t from_state, std::uint32_t edge) {
    stamp[s] = generation;
    g[s] = v;
    parent_state[s] = from_state;
    parent_edge[s] = edge;
  }
};

thread_local Workspace t_work;

struct QueueItem {
  double f;
  double g;
  std::uint32_t state;
  bool operator>(const QueueItem& o) const { return f > o.f || (f == o.f && state > o.state); }
};

// The phase after a stretch of passage `p` taken in `phase`, or -1 when it may not be taken.
int next_phase(Passage p, int phase) {
  if (p == Passage::open) return 1;
  if (p == Passage::start_zone_only && phase == 0) return 0;
  return -1;
}

// A way onto a target from one end of its edge.
struct TargetEnd {
  std::uint32_t node;
  std::uint32_t target;
  double cost;   // seconds from the node to the target along its edge
  Passage passage;
  bool from_end;  // the node is the edge's `from`
};

}  // namespace

std::optional<Path> shortest_path(const Closures& closures, const Snap& from, std::span<const Snap> targets) {
  const RoadNetwork& net = closures.network();
  const auto m = static_cast<std::size_t>(closures.mode());
  const bool single = targets.size() == 1;
  const double inv_speed = 0.99 / max_speed_mps(closures.mode());
  const geo::Coord goal = targets.front().point;
  auto h = [&](std::uint32_t node) { return single ? geo::ground_distance_m(net.node(node), goal) * inv_speed : 0.0; };

  std::vector<TargetEnd> ends;
  for (std::uint32_t i = 0; i < targets.size(); ++i) {
    const Snap& t = targets[i];
    const Edge& e = net.edge(t.edge);
    ends.push_back({e.from, i, t.t * e.time_s[m], closures.passage(t.edge, 0, t.t), true});
    ends.push_back({e.to, i, (1 - t.t) * e.time_s[m], closures.passage(t.edge, 1, t.t), false});
  }
  std::sort(ends.begin(), ends.end(), [](const TargetEnd& a, const TargetEnd& b) { return a.node < b.node; });

  double best = kInfinity;
  std::uint32_t best_state = kNone;  // kNone with a finite best: the direct stretch on the start's edge
  const TargetEnd* best_end = nullptr;
  std::uint32_t best_direct = kNone;

  Workspace& w = t_work;
  w.reset(net.node_count() * 2);
  std::priority_queue<QueueItem, std::vector<QueueItem>, std::greater<>> queue;
  const Edge& se = net.edge(from.edge);
  auto start = [&](std::uint32_t node, double t_end) {
    if (!std::isfinite(se.time_s[m])) return;
    const int phase = next_phase(closures.passage(from.edge, from.t, t_end), 0);
    if (phase < 0) return;
    const double g = std::abs(t_end - from.t) * se.time_s[m];
    const std::uint32_t s = node * 2 + static_cast<std::uint32_t>(phase);
    if (g < w.label(s)) {
      w.set(s, g, kNone, kNone);
      queue.push({g + h(node), g, s});
    }
  };
  start(se.from, 0);
  start(se.to, 1);
  for (std::uint32_t i = 0; i < targets.size(); ++i) {
    if (targets[i].edge != from.edge || !std::isfinite(se.time_s[m])) continue;
    if (next_phase(closures.passage(from.edge, from.t, targets[i].t), 0) < 0) continue;
    const double c = std::abs(targets[i].t - from.t) * se.time_s[m];
    if (c < best) {
      best = c;
      best_direct = i;
    }
  }

  std::vector<std::uint32_t> met;  // edges closed by hazard zones the search reached
  while (!queue.empty()) {
    const QueueItem item = queue.top();
    queue.pop();
    if (item.f >= best) break;
    if (item.g > w.g[item.state]) continue;
    const std::uint32_t u = item.state / 2;
    const int phase = static_cast<int>(item.state % 2);
    auto it = std::lower_bound(ends.begin(), ends.end(), u, [](const TargetEnd& a, std::uint32_t n) { return a.node < n; });
    for (; it != ends.end() && it->node == u; ++it) {
      if (next_phase(it->passage, phase) < 0) continue;
      const double c = item.g + it->cost;
      if (c < best) {
        best = c;
        best_state = item.state;
        best_end = &*it;
        best_direct = kNone;
      }
    }
    for (const Arc& a : net.arcs(u)) {
      const Passage p = closures.passage(a.edge);
      if (p == Passage::closed) {
        if (closures.closed_by_hazard(a.edge)) met.push_back(a.edge);
        continue;
      }
      const int np = next_phase(p, phase);
      if (np < 0) continue;
      const double g = item.g + net.edge(a.edge).time_s[m];
      const std::uint32_t s = a.node * 2 + static_cast<std::uint32_t>(np);
      if (g < w.label(s)) {
        w.set(s, g, item.state, a.edge);
        queue.push({g + h(a.node), g, s});
      }
    }
  }
  if (!std::isfinite(best)) return std::nullopt;

  Path path;
  if (best_direct != kNone) {
    path.target = best_direct;
    path.legs.push_back({from.edge, from.t, targets[best_direct].t});
  } else {
    path.target = best_end->target;
    const Snap& t = targets[best_end->target];
    path.legs.push_back({t.edge, best_end->from_end ? 0.0 : 1.0, t.t});
    std::uint32_t s = best_state;
    while (w.parent_edge[s] != kNone) {
      const std::uint32_t e = w.parent_edge[s];
      const std::uint32_t prev = w.parent_state[s];
      const bool forward = net.edge(e).from == prev / 2;
      path.legs.push_back({e, forward ? 0.0 : 1.0, forward ? 1.0 : 0.0});
      s = prev;
    }
    const bool at_from = s / 2 == se.from;
    path.legs.push_back({from.edge, from.t, at_from ? 0.0 : 1.0});
    std::reverse(path.legs.begin(), path.legs.end());
  }
  std::erase_if(path.legs, [](const Leg& l) { return l.t0 == l.t1; });
  for (const Leg& l : path.legs) {
    const Edge& e = net.edge(l.edge);
    path.length_m += std::abs(l.t1 - l.t0) * e.length_m;
    path.time_s += std::abs(l.t1 - l.t0) * e.time_s[m];
  }
  for (std::uint32_t e : met) {
    for (std::uint32_t z : net.edge_zones(e)) {
      if ((net.zones()[z].risk & closures.avoid()) &&
          !std::binary_search(closures.start_zones().begin(), closures.start_zones().end(), z)) {
        path.zones_avoided.push_back(z);
      }
    }
  }
  std::sort(path.zones_avoided.begin(), path.zones_avoided.end());
  path.zones_avoided.erase(std::unique(path.zones_avoided.begin(), path.zones_avoided.end()), path.zones_avoided.end());
  return path;
}

}  // namespace minqing::route
