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

// One search from a start: to the nearest target (A* when there is one target), or to every target
// within a time limit. Its labels live in the thread's workspace until the next search there.
class Search {
 public:
  Search(const Closures& closures, const Snap& from, std::span<const Snap> targets, bool heuristic)
      : m_closures(closures),
        m_net(closures.network()),
        m_mode(static_cast<std::size_t>(closures.mode())),
        m_from(from),
        m_targets(targets),
        m_heuristic(heuristic && targets.size() == 1),
        m_inv_speed(0.99 / max_speed_mps(closures.mode())),
        m_best(targets.size(), kInfinity),
        m_best_state(targets.size(), kNone),
        m_best_end(targets.size(), nullptr),
        m_direct(targets.size(), false) {
    for (std::uint32_t i = 0; i < targets.size(); ++i) {
      const Snap& t = targets[i];
      const Edge& e = m_net.edge(t.edge);
      m_ends.push_back({e.from, i, t.t * e.time_s[m_mode], closures.passage(t.edge, 0, t.t), true});
      m_ends.push_back({e.to, i, (1 - t.t) * e.time_s[m_mode], closures.passage(t.edge, 1, t.t), false});
    }
    std::sort(m_ends.begin(), m_ends.end(), [](const TargetEnd& a, const TargetEnd& b) { return a.node < b.node; });
  }

  // Runs until the nearest target is certain (`all` false), or every target reachable within
  // `limit_s` is (`all` true).
  void run(bool all, double limit_s) {
    Workspace& w = t_work;
    w.reset(m_net.node_count() * 2);
    const Edge& se = m_net.edge(m_from.edge);
    auto start = [&](std::uint32_t node, double t_end) {
      if (!std::isfinite(se.time_s[m_mode])) return;
      const int phase = next_phase(m_closures.passage(m_from.edge, m_from.t, t_end), 0);
      if (phase < 0) return;
      const double g = std::abs(t_end - m_from.t) * se.time_s[m_mode];
      const std::uint32_t s = node * 2 + static_cast<std::uint32_t>(phase);
      if (g < w.label(s)) {
        w.set(s, g, kNone, kNone);
        m_queue.push({g + h(node), g, s});
      }
    };
    start(se.from, 0);
    start(se.to, 1);
    for (std::uint32_t i = 0; i < m_targets.size(); ++i) {
      if (m_targets[i].edge != m_from.edge || !std::isfinite(se.time_s[m_mode])) continue;
      if (next_phase(m_closures.passage(m_from.edge, m_from.t, m_targets[i].t), 0) < 0) continue;
      const double c = std::abs(m_targets[i].t - m_from.t) * se.time_s[m_mode];
      if (c < m_best[i]) {
        m_best[i] = c;
        m_direct[i] = true;
      }
    }
    // What a queue item must stay under to matter: the nearest target's time, or (all) the latest
    // of the targets' times — never beyond the limit.
    auto bound = [&] {
      double b = all ? 0.0 : kInfinity;
      for (double t : m_best) b = all ? std::max(b, t) : std::min(b, t);
      return std::min(b, limit_s);
    };
    double stop = bound();
    while (!m_queue.empty()) {
      const QueueItem item = m_queue.top();
      m_queue.pop();
      if (item.f >= stop) break;
      if (item.g > w.g[item.state]) continue;
      const std::uint32_t u = item.state / 2;
      const int phase = static_cast<int>(item.state % 2);
      auto it = std::lower_bound(m_ends.begin(), m_ends.end(), u,
                                 [](const TargetEnd& a, std::uint32_t n) { return a.node < n; });
      bool improved = false;
      for (; it != m_ends.end() && it->node == u; ++it) {
        if (next_phase(it->passage, phase) < 0) continue;
        const double c = item.g + it->cost;
        if (c < m_best[it->target]) {
          m_best[it->target] = c;
          m_best_state[it->target] = item.state;
          m_best_end[it->target] = &*it;
          m_direct[it->target] = false;
          improved = true;
        }
      }
      if (improved) stop = bound();
      for (const Arc& a : m_net.arcs(u)) {
        const Passage p = m_closures.passage(a.edge);
        if (p == Passage::closed) {
          if (m_closures.closed_by_hazard(a.edge)) m_met.push_back(a.edge);
          continue;
        }
        const int np = next_phase(p, phase);
        if (np < 0) continue;
        const double g = item.g + m_net.edge(a.edge).time_s[m_mode];
        const std::uint32_t s = a.node * 2 + static_cast<std::uint32_t>(np);
        if (g < w.label(s)) {
          w.set(s, g, item.state, a.edge);
          m_queue.push({g + h(a.node), g, s});
        }
      }
    }
  }

  std::size_t nearest() const {
    return static_cast<std::size_t>(std::min_element(m_best.begin(), m_best.end()) - m_best.begin());
  }
  bool reached(std::size_t i, double limit_s) const { return std::isfinite(m_best[i]) && m_best[i] <= limit_s; }

  // The path to target `i` found by run(). @pre reached(i, …), and no other search on this thread since.
  Path path(std::size_t i) const {
    const Workspace& w = t_work;
    Path path;
    path.target = i;
    if (m_direct[i]) {
      path.legs.push_back({m_from.edge, m_from.t, m_targets[i].t});
    } else {
      const TargetEnd& end = *m_best_end[i];
      const Snap& t = m_targets[i];
      path.legs.push_back({t.edge, end.from_end ? 0.0 : 1.0, t.t});
      std::uint32_t s = m_best_state[i];
      while (w.parent_edge[s] != kNone) {
        const std::uint32_t e = w.parent_edge[s];
        const std::uint32_t prev = w.parent_state[s];
        const bool forward = m_net.edge(e).from == prev / 2;
        path.legs.push_back({e, forward ? 0.0 : 1.0, forward ? 1.0 : 0.0});
        s = prev;
      }
      const bool at_from = s / 2 == m_net.edge(m_from.edge).from;
      path.legs.push_back({m_from.edge, m_from.t, at_from ? 0.0 : 1.0});
      std::reverse(path.legs.begin(), path.legs.end());
    }
    std::erase_if(path.legs, [](const Leg& l) { return l.t0 == l.t1; });
    for (const Leg& l : path.legs) {
      const Edge& e = m_net.edge(l.edge);
      path.length_m += std::abs(l.t1 - l.t0) * e.length_m;
      path.time_s += std::abs(l.t1 - l.t0) * e.time_s[m_mode];
    }
    for (std::uint32_t e : m_met) {
      for (std::uint32_t z : m_net.edge_zones(e)) {
        if ((m_net.zones()[z].risk & m_closures.avoid()) &&
            !std::binary_search(m_closures.start_zones().begin(), m_closures.start_zones().end(), z)) {
          path.zones_avoided.push_back(z);
        }
      }
    }
    std::sort(path.zones_avoided.begin(), path.zones_avoided.end());
    path.zones_avoided.erase(std::unique(path.zones_avoided.begin(), path.zones_avoided.end()), path.zones_avoided.end());
    return path;
  }

 private:
  double h(std::uint32_t node) const {
    return m_heuristic ? geo::ground_distance_m(m_net.node(node), m_targets.front().point) * m_inv_speed : 0.0;
  }

  const Closures& m_closures;
  const RoadNetwork& m_net;
  std::size_t m_mode;
  const Snap& m_from;
  std::span<const Snap> m_targets;
  bool m_heuristic;
  double m_inv_speed;
  std::vector<TargetEnd> m_ends;
  std::vector<double> m_best;               // per target: seconds, +infinity while unreached
  std::vector<std::uint32_t> m_best_state;  // the state the target was reached from
  std::vector<const TargetEnd*> m_best_end;
  std::vector<bool> m_direct;               // reached along the start's own edge
  std::vector<std::uint32_t> m_met;         // edges closed by hazard zones the search reached
  std::priority_queue<QueueItem, std::vector<QueueItem>, std::greater<>> m_queue;
};

}  // namespace

std::optional<Path> shortest_path(const Closures& closures, const Snap& from, std::span<const Snap> targets) {
  Search search(closures, from, targets, true);
  search.run(false, kInfinity);
  const std::size_t i = search.nearest();
  if (!search.reached(i, kInfinity)) return std::nullopt;
  return search.path(i);
}

std::vector<std::optional<Path>> paths_to_each(const Closures& closures, const Snap& from, std::span<const Snap> targets,
                                               double limit_s) {
  std::vector<std::optional<Path>> out(targets.size());
  if (targets.empty()) return out;
  Search search(closures, from, targets, false);
  search.run(true, limit_s);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (search.reached(i, limit_s)) out[i] = search.path(i);
  }
  return out;
}

}  // namespace minqing::route
