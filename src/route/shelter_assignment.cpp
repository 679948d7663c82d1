#include "route/shelter_assignment.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <utility>

namespace minqing::route {

namespace {

// A min-cost flow network in residual form (arcs in pairs: an arc and its reverse).
class FlowNetwork {
 public:
  explicit FlowNetwork(std::size_t nodes) : m_out(nodes) {}

  // Returns the arc's index (its flow: flow(index)).
  std::size_t add(std::size_t from, std::size_t to, std::int64_t cap, std::int64_t cost) {
    m_arcs.push_back({to, cap, cost, cap});
    m_out[from].push_back(m_arcs.size() - 1);
    m_arcs.push_back({from, 0, -cost, 0});
    m_out[to].push_back(m_arcs.size() - 1);
    return m_arcs.size() - 2;
  }
  std::int64_t flow(std::size_t arc) const { return m_arcs[arc].cap0 - m_arcs[arc].cap; }
  // A node's potential after the sends: reduced costs (cost + potential(from) − potential(to)) of
  // every arc with room left are ≥ 0 — the optimality certificate, read as prices.
  std::int64_t potential(std::size_t node) const { return node < m_potential.size() ? m_potential[node] : 0; }

  // Sends `amount` from `s` to `t` along successive shortest paths in the residual network
  // (Dijkstra on reduced costs, stopped once `t` is settled). Potentials are kept feasible from call
  // to call (every cost starts non-negative, so they start at 0): supplies can be sent one source at
  // a time, each search touching little more than the source's shelters. Returns the cost.
  // `amount` is left with what could not be sent (no path with room left: only once reduced-cost
  // fixing has closed a household's "not placed" arc).
  std::int64_t send(std::size_t s, std::size_t t, std::int64_t& amount, std::uint64_t& work) {
    constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max() / 4;
    const std::size_t n = m_out.size();
    m_potential.resize(n, 0);
    m_dist.resize(n);
    m_via.resize(n);
    std::int64_t total = 0;
    using Item = std::pair<std::int64_t, std::size_t>;
    while (amount > 0) {
      work += n;  // the search's set-up and the potentials' update, below
      std::fill(m_dist.begin(), m_dist.end(), kInf);
      m_dist[s] = 0;
      std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
      queue.push({0, s});
      while (!queue.empty()) {
        const auto [d, u] = queue.top();
        queue.pop();
        if (d > m_dist[u]) continue;
        if (u == t) break;
        work += m_out[u].size();
        for (std::size_t a : m_out[u]) {
          const Arc& arc = m_arcs[a];
          if (arc.cap <= 0) continue;
          const std::int64_t nd = d + arc.cost + m_potential[u] - m_potential[arc.to];
          if (nd < m_dist[arc.to]) {
            m_dist[arc.to] = nd;
            m_via[arc.to] = a;
            queue.push({nd, arc.to});
          }
        }
      }
      const std::int64_t reach = m_dist[t];
      if (reach >= kInf) break;
      for (std::size_t v = 0; v < n; ++v) m_potential[v] += std::min(m_dist[v], reach);
      std::int64_t push = amount;
      for (std::size_t v = t; v != s; v = m_arcs[m_via[v] ^ 1].to) push = std::min(push, m_arcs[m_via[v]].cap);
      for (std::size_t v = t; v != s; v = m_arcs[m_via[v] ^ 1].to) {
        m_arcs[m_via[v]].cap -= push;
        m_arcs[m_via[v] ^ 1].cap += push;
        total += push * m_arcs[m_via[v]].cost;
      }
      amount -= push;
    }
    return total;
  }

 private:
  struct Arc {
    std::size_t to;
    std::int64_t cap;
    std::int64_t cost;
    std::int64_t cap0;
  };
  std::vector<std::vector<std::size_t>> m_out;
  std::vector<Arc> m_arcs;
  std::vector<std::int64_t> m_potential, m_dist;
  std::vector<std::size_t> m_via;
};

// Household `h` to the quickest shelter with room left for all its members (taking that room), or
// nullopt when none has room.
std::optional<std::size_t> place_quickest(const AssignmentProblem& p, std::size_t h, std::vector<int>& left) {
  std::optional<std::size_t> pick;
  for (std::size_t s = 0; s < left.size(); ++s) {
    if (p.cost[h][s] == kUnreachable || left[s] < p.members[h]) continue;
    if (!pick || p.cost[h][s] < p.cost[h][*pick]) pick = s;
  }
  if (pick) left[*pick] -= p.members[h];
  return pick;
}

constexpr int kFree = -2;
constexpr int kNotPlaced = -1;

// The branch-and-bound over the households the relaxation splits.
class Solver {
 public:
  explicit Solver(const AssignmentProblem& p) : m_p(p), m_choice(p.members.size(), kFree), m_cap(p.capacity) {
    std::int64_t people = 0, max_cost = 0;
    for (std::size_t h = 0; h < p.members.size(); ++h) {
      people += p.members[h];
      for (PersonCost c : p.cost[h]) {
        if (c != kUnreachable) max_cost = std::max(max_cost, c);
      }
    }
    // One person more placed outweighs any difference in time.
    m_unplaced_cost = max_cost * people + 1;
  }

  std::int64_t value(const Assignment& a) const {
    const std::int64_t people = std::accumulate(m_p.members.begin(), m_p.members.end(), std::int64_t{0});
    return a.total_cost + m_unplaced_cost * (people - a.people_placed);
  }

  Assignment solve(Assignment incumbent) {
    m_best = std::move(incumbent);
    m_best_value = value(m_best);
    const Relaxation root = relax(0);
    m_root_bound = root.bound;
    m_root_people = people() - static_cast<int>(root.bound / m_unplaced_cost);
    if (root.bound >= m_best_value) return m_best;
    if (root.split) round_off(root.sole);
    branch(fix_by_reduced_cost(root));
    m_best.proven_optimal = !m_cut_short || m_best_value == m_root_bound;  // the bound met: optimal
    if (m_cut_short && m_best.people_placed == m_root_people) m_best.gap = m_best_value - m_root_bound;
    return m_best;
  }

 private:
  // The person-level relaxation over the free households, each its own source, sent in turn.
  struct Relaxation {
    FlowNetwork net;
    std::vector<std::vector<std::size_t>> arc;  // per free household: ns shelter arcs, then not placed
    std::int64_t bound = 0;                     // `fixed` + the flow's cost
    std::vector<int> sole;                      // per free household its one option, kFree when split
    std::optional<std::size_t> split;           // the split household with the most members
  };

  Relaxation relax(std::int64_t fixed) {
    const std::size_t nh = m_p.members.size(), ns = m_cap.size();
    // Nodes: 1 the sink, 2.. the shelters, then the free households only (a relaxation deep in the
    // search is as small as the households still free).
    const std::size_t free = static_cast<std::size_t>(std::count(m_choice.begin(), m_choice.end(), kFree));
    Relaxation r{FlowNetwork(2 + ns + free), std::vector<std::vector<std::size_t>>(nh), fixed, std::vector<int>(nh, kFree), {}};
    std::vector<std::size_t> node(nh, 0);
    std::size_t next = 2 + ns;
    for (std::size_t h = 0; h < nh; ++h) {
      if (m_choice[h] != kFree) continue;
      node[h] = next++;
      r.arc[h].assign(ns + 1, SIZE_MAX);
      for (std::size_t s = 0; s < ns; ++s) {
        if (open(h, s)) r.arc[h][s] = r.net.add(node[h], 2 + s, m_p.members[h], m_p.cost[h][s]);
      }
      if (open(h, ns)) r.arc[h][ns] = r.net.add(node[h], 1, m_p.members[h], m_unplaced_cost);
    }
    for (std::size_t s = 0; s < ns; ++s) r.net.add(2 + s, 1, m_cap[s], 0);
    for (std::size_t h = 0; h < nh; ++h) {
      if (m_choice[h] != kFree) continue;
      std::int64_t left = m_p.members[h];
      r.bound += r.net.send(node[h], 1, left, m_work);
      if (left > 0) {  // no improving assignment in this branch
        r.bound = std::numeric_limits<std::int64_t>::max();
        return r;
      }
    }
    for (std::size_t h = 0; h < nh; ++h) {
      if (m_choice[h] != kFree) continue;
      int used = 0;
      for (std::size_t o = 0; o <= ns; ++o) {
        if (r.arc[h][o] != SIZE_MAX && r.net.flow(r.arc[h][o]) > 0) {
          ++used;
          r.sole[h] = o == ns ? kNotPlaced : static_cast<int>(o);
        }
      }
      if (used > 1) r.sole[h] = kFree;
      if (used > 1 && (!r.split || m_p.members[h] > m_p.members[*r.split])) r.split = h;
    }
    return r;
  }

  // Reduced-cost fixing (before any branching). The relaxation's shelter prices λ_s ≥ 0 (from
  // its potentials: what one more place at a full shelter would save) give for every assignment
  // x: value(x) = L + Σ_h r_h(x_h) + Σ_s λ_s·(room left at s), where L is the Lagrangian bound
  // and r_h(o) = members·(cost + λ_o) − the household's least such, all terms ≥ 0. An assignment
  // better than the incumbent therefore gives no household an option with r_h(o) ≥ incumbent − L:
  // a household left with one option is fixed to it. Most households are (their shelter is the
  // only sensible one), so every relaxation of the branch-and-bound below runs over the few
  // contested households instead of the whole village. Returns the fixed households' value.
  std::int64_t fix_by_reduced_cost(const Relaxation& root) {
    const std::size_t nh = m_p.members.size(), ns = m_cap.size();
    std::vector<std::int64_t> price(ns + 1, 0);  // per shelter, then not placed (0)
    for (std::size_t s = 0; s < ns; ++s) {
      price[s] = std::max<std::int64_t>(0, root.net.potential(1) - root.net.potential(2 + s));
    }
    const auto option_cost = [&](std::size_t h, std::size_t o) -> std::int64_t {
      if (o == ns) return m_p.members[h] * m_unplaced_cost;
      if (m_p.cost[h][o] == kUnreachable) return -1;
      return m_p.members[h] * (m_p.cost[h][o] + price[o]);
    };
    std::vector<std::int64_t> least(nh, 0);
    std::int64_t lagrangian = 0;
    for (std::size_t h = 0; h < nh; ++h) {
      least[h] = option_cost(h, ns);
      for (std::size_t s = 0; s < ns; ++s) {
        if (const std::int64_t c = option_cost(h, s); c >= 0) least[h] = std::min(least[h], c);
      }
      lagrangian += least[h];
    }
    for (std::size_t s = 0; s < ns; ++s) lagrangian -= price[s] * m_cap[s];
    const std::int64_t gap = m_best_value - lagrangian;
    m_lagrangian = lagrangian;
    m_reduced.assign(nh, std::vector<std::int64_t>(ns + 1, -1));
    for (std::size_t h = 0; h < nh; ++h) {
      for (std::size_t o = 0; o <= ns; ++o) {
        if (const std::int64_t c = option_cost(h, o); c >= 0) m_reduced[h][o] = c - least[h];
      }
    }
    std::int64_t fixed = 0;
    for (std::size_t h = 0; h < nh; ++h) {
      std::optional<std::size_t> only;
      int open = 0;
      for (std::size_t o = 0; o <= ns; ++o) {
        const std::int64_t c = option_cost(h, o);
        if (c >= 0 && c - least[h] < gap) {
          ++open;
          only = o;
        }
      }
      if (open != 1) continue;
      if (*only == ns) {
        m_choice[h] = kNotPlaced;
        fixed += m_p.members[h] * m_unplaced_cost;
      } else {
        m_choice[h] = static_cast<int>(*only);
        m_cap[*only] -= m_p.members[h];
        fixed += m_p.members[h] * m_p.cost[h][*only];
      }
    }
    return fixed;
  }

  void branch(std::int64_t fixed) {
    if (++m_branches > kMaxBranches || m_work > kMaxWork) {
      m_cut_short = true;
      return;
    }
    const std::size_t nh = m_p.members.size(), ns = m_cap.size();
    Relaxation r = relax(fixed);
    if (r.bound >= m_best_value) return;
    FlowNetwork& net = r.net;
    const auto& arc = r.arc;
    const auto& sole = r.sole;
    const auto& split = r.split;
    if (!split) {
      std::vector<std::optional<std::size_t>> shelter(nh);
      for (std::size_t h = 0; h < nh; ++h) {
        const int c = m_choice[h] != kFree ? m_choice[h] : sole[h];
        if (c >= 0) shelter[h] = static_cast<std::size_t>(c);
      }
      m_best = evaluate(m_p, std::move(shelter));
      m_best_value = r.bound;
      return;
    }
    round_off(sole);
    // Branch on its choices: the shelters the relaxation used first, then the others by time, then
    // not placing it.
    const std::size_t h = *split;
    const int members = m_p.members[h];
    std::vector<std::size_t> options;
    for (std::size_t s = 0; s < ns; ++s) {
      if (arc[h][s] != SIZE_MAX && m_cap[s] >= members && open(h, s)) options.push_back(s);
    }
    std::stable_sort(options.begin(), options.end(), [&](std::size_t a, std::size_t b) {
      const bool fa = net.flow(arc[h][a]) > 0, fb = net.flow(arc[h][b]) > 0;
      if (fa != fb) return fa;
      return m_p.cost[h][a] < m_p.cost[h][b];
    });
    for (std::size_t s : options) {
      m_choice[h] = static_cast<int>(s);
      m_cap[s] -= members;
      branch(fixed + members * m_p.cost[h][s]);
      m_cap[s] += members;
    }
    if (!open(h, ns)) {
      m_choice[h] = kFree;
      return;
    }
    m_choice[h] = kNotPlaced;
    branch(fixed + members * m_unplaced_cost);
    m_choice[h] = kFree;
  }

  int people() const { return std::accumulate(m_p.members.begin(), m_p.members.end(), 0); }

  // A quick incumbent from a split relaxation: the households it does not split keep their shelter,
  // the split ones (largest first) go to the quickest shelter with room left, then so do the ones
  // left out (largest first), else unplaced.
  void round_off(const std::vector<int>& sole) {
    const std::size_t nh = m_p.members.size();
    m_work += nh * (m_cap.size() + 1);  // a look at every household's shelters
    std::vector<int> left = m_cap;
    std::vector<std::optional<std::size_t>> shelter(nh);
    std::vector<std::size_t> split;
    for (std::size_t h = 0; h < nh; ++h) {
      const int c = m_choice[h] != kFree ? m_choice[h] : sole[h];
      if (m_choice[h] == kFree && c == kFree) {
        split.push_back(h);
      } else if (c >= 0) {
        shelter[h] = static_cast<std::size_t>(c);
        if (m_choice[h] == kFree) left[static_cast<std::size_t>(c)] -= m_p.members[h];
      }
    }
    std::stable_sort(split.begin(), split.end(), [&](std::size_t a, std::size_t b) { return m_p.members[a] > m_p.members[b]; });
    for (std::size_t h : split) shelter[h] = place_quickest(m_p, h, left);
    // Room the rounding left may take a household the relaxation (or a branch) left out, whole.
    std::vector<std::size_t> out;
    for (std::size_t h = 0; h < nh; ++h) {
      if (!shelter[h]) out.push_back(h);
    }
    std::stable_sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) { return m_p.members[a] > m_p.members[b]; });
    for (std::size_t h : out) shelter[h] = place_quickest(m_p, h, left);
    Assignment a = evaluate(m_p, std::move(shelter));
    if (const std::int64_t v = value(a); v < m_best_value) {
      m_best = std::move(a);
      m_best_value = v;
    }
  }

  const AssignmentProblem& m_p;
  std::vector<int> m_choice;  // per household: kFree, kNotPlaced or a shelter
  std::vector<int> m_cap;     // capacity left for the free households
  std::int64_t m_unplaced_cost = 1;
  Assignment m_best;
  std::int64_t m_best_value = 0;
  std::size_t m_branches = 0;
  std::uint64_t m_work = 0;  // arcs scanned by the relaxations so far
  bool m_cut_short = false;
  std::int64_t m_root_bound = 0;
  // After reduced-cost fixing: the Lagrangian bound and r_h(o) per household and option (shelters,
  // then not placed; -1 unreachable). Before it, every reachable option is open.
  std::int64_t m_lagrangian = 0;
  std::vector<std::vector<std::int64_t>> m_reduced;

  // Whether an assignment better than the incumbent can give household h option o (a shelter, or
  // ns: not placed) — the test of fix_by_reduced_cost, re-applied as the incumbent improves.
  bool open(std::size_t h, std::size_t o) const {
    if (o < m_cap.size() && m_p.cost[h][o] == kUnreachable) return false;
    return m_reduced.empty() || (m_reduced[h][o] >= 0 && m_reduced[h][o] < m_best_value - m_lagrangian);
  }
  int m_root_people = 0;
};

}  // namespace

bool better(const Assignment& a, const Assignment& b) noexcept {
  if (a.people_placed != b.people_placed) return a.people_placed > b.people_placed;
  return a.total_cost < b.total_cost;
}

Assignment evaluate(const AssignmentProblem& p, std::vector<std::optional<std::size_t>> shelter) {
  Assignment a;
  for (std::size_t h = 0; h < shelter.size(); ++h) {
    if (!shelter[h]) continue;
    a.people_placed += p.members[h];
    a.total_cost += p.members[h] * p.cost[h][*shelter[h]];
  }
  a.shelter = std::move(shelter);
  return a;
}

Assignment greedy_assignment(const AssignmentProblem& p) {
  const std::size_t nh = p.members.size();
  std::vector<PersonCost> nearest(nh, kUnreachable);
  for (std::size_t h = 0; h < nh; ++h) {
    for (PersonCost c : p.cost[h]) nearest[h] = std::min(nearest[h], c);
  }
  std::vector<std::size_t> order(nh);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return nearest[a] < nearest[b]; });
  std::vector<int> left = p.capacity;
  std::vector<std::optional<std::size_t>> shelter(nh);
  for (std::size_t h : order) shelter[h] = place_quickest(p, h, left);
  return evaluate(p, std::move(shelter));
}

Assignment optimal_assignment(const AssignmentProblem& p) {
  Solver solver(p);
  return solver.solve(greedy_assignment(p));
}

}  // namespace minqing::route
