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

  // Sends `amount` from `s` to `t` along successive shortest paths in the residual network
  // (Dijkstra on reduced costs, stopped once `t` is settled). Potentials are kept feasible from call
  // to call (every cost starts non-negative, so they start at 0): supplies can be sent one source at
  // a time, each search touching little more than the source's shelters. Returns the cost.
  // @pre a path from `s` to `t` with room for `amount` (the "not placed" arc guarantees one).
  std::int64_t send(std::size_t s, std::size_t t, std::int64_t amount, std::uint64_t& work) {
    constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max() / 4;
    const std::size_t n = m_out.size();
    m_potential.resize(n, 0);
    m_dist.resize(n);
    m_via.resize(n);
    std::int64_t total = 0;
    using Item = std::pair<std::int64_t, std::size_t>;
    while (amount > 0) {
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
    branch(0);
    m_best.proven_optimal = !m_cut_short || m_best_value == m_root_bound;  // the bound met: optimal
    if (m_cut_short && m_best.people_placed == m_root_people) m_best.gap = m_best_value - m_root_bound;
    return m_best;
  }

 private:
  void branch(std::int64_t fixed) {
    if (++m_branches > kMaxBranches || m_work > kMaxWork) {
      m_cut_short = true;
      return;
    }
    const std::size_t nh = m_p.members.size(), ns = m_cap.size();
    // The relaxation over the free households: 1 sink, 2.. households, then shelters (each
    // household is its own source, sent in turn).
    FlowNetwork net(2 + nh + ns);
    std::vector<std::vector<std::size_t>> arc(nh);  // per free household: ns shelter arcs, then not placed
    for (std::size_t h = 0; h < nh; ++h) {
      if (m_choice[h] != kFree) continue;
      arc[h].assign(ns + 1, SIZE_MAX);
      for (std::size_t s = 0; s < ns; ++s) {
        if (m_p.cost[h][s] != kUnreachable) arc[h][s] = net.add(2 + h, 2 + nh + s, m_p.members[h], m_p.cost[h][s]);
      }
      arc[h][ns] = net.add(2 + h, 1, m_p.members[h], m_unplaced_cost);
    }
    for (std::size_t s = 0; s < ns; ++s) net.add(2 + nh + s, 1, m_cap[s], 0);
    std::int64_t bound = fixed;
    for (std::size_t h = 0; h < nh; ++h) {
      if (m_choice[h] == kFree) bound += net.send(2 + h, 1, m_p.members[h], m_work);
    }
    if (m_branches == 1) {
      m_root_bound = bound;
      m_root_people = people() - static_cast<int>(bound / m_unplaced_cost);
    }
    if (bound >= m_best_value) return;

    // The split household with the most members (the hardest to fit), or none.
    std::optional<std::size_t> split;
    std::vector<int> sole(nh, kFree);
    for (std::size_t h = 0; h < nh; ++h) {
      if (m_choice[h] != kFree) continue;
      int used = 0;
      for (std::size_t o = 0; o <= ns; ++o) {
        if (arc[h][o] != SIZE_MAX && net.flow(arc[h][o]) > 0) {
          ++used;
          sole[h] = o == ns ? kNotPlaced : static_cast<int>(o);
        }
      }
      if (used > 1) sole[h] = kFree;
      if (used > 1 && (!split || m_p.members[h] > m_p.members[*split])) split = h;
    }
    if (!split) {
      std::vector<std::optional<std::size_t>> shelter(nh);
      for (std::size_t h = 0; h < nh; ++h) {
        const int c = m_choice[h] != kFree ? m_choice[h] : sole[h];
        if (c >= 0) shelter[h] = static_cast<std::size_t>(c);
      }
      m_best = evaluate(m_p, std::move(shelter));
      m_best_value = bound;
      return;
    }
    round_off(sole);
    // Branch on its choices: the shelters the relaxation used first, then the others by time, then
    // not placing it.
    const std::size_t h = *split;
    const int members = m_p.members[h];
    std::vector<std::size_t> options;
    for (std::size_t s = 0; s < ns; ++s) {
      if (arc[h][s] != SIZE_MAX && m_cap[s] >= members) options.push_back(s);
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
    m_choice[h] = kNotPlaced;
    branch(fixed + members * m_unplaced_cost);
    m_choice[h] = kFree;
  }

  int people() const { return std::accumulate(m_p.members.begin(), m_p.members.end(), 0); }

  // A quick incumbent from a split relaxation: the households it does not split keep their shelter,
  // the split ones (largest first) go to the quickest shelter with room left, else unplaced.
  void round_off(const std::vector<int>& sole) {
    const std::size_t nh = m_p.members.size();
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
