#pragma once
// Which shelter each household goes to (避灾安置分配): the optimal assignment and the greedy
// nearest-shelter baseline, over a household × shelter table of travel times. Pure arithmetic on
// integers (no network, no geometry): route/evacuation_plan.hpp fills the table from the road
// network, tests compare it with a brute-force search.
//
// The objective, in this order: (1) place as many people as shelter capacities and reachability
// allow; (2) among those assignments, the least total person-time — a household's members × its
// travel time, summed. A household is not split between shelters (a family evacuates together),
// and no shelter receives more people than its capacity.
//
// Method: the person-level relaxation is a min-cost flow — source → household (its members) →
// shelter (time per person) → sink (the shelter's capacity), plus household → sink "unplaced" at a
// cost above any total time — solved by successive shortest paths (Dijkstra with potentials). Its
// optimum splits at most a few households (a vertex of the transportation polytope has at most
// shelters − 1 of them); when it splits none it is the answer, otherwise a branch-and-bound over
// the split households' choices, bounded by the relaxation of each branch, finds the best
// unsplit assignment. The greedy answer is the first incumbent, and each split relaxation is also
// rounded into one (split households to the quickest shelter with room). Reduced-cost fixing keeps
// the search small: the root relaxation's potentials price each shelter, and a household option
// whose reduced cost is at least the incumbent's gap to the bound cannot be in a better assignment
// — most households keep a single option and leave the search, the rest lose options as the
// incumbent improves, so each branch's relaxation runs over the few contested households. The
// search stops at kMaxBranches branches or kMaxWork units of work (reported: `proven_optimal`
// false, with the gap to the bound): a bound on the time a request can take.
//
// Thread-safe: no shared state.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace minqing::route {

// Cost of one person travelling to one shelter; kUnreachable where the shelter cannot be reached.
using PersonCost = std::int64_t;
inline constexpr PersonCost kUnreachable = std::numeric_limits<PersonCost>::max();

struct AssignmentProblem {
  std::vector<int> members;                   // per household, ≥ 1
  std::vector<int> capacity;                  // per shelter, persons, ≥ 0
  std::vector<std::vector<PersonCost>> cost;  // [household][shelter], ≥ 0 or kUnreachable
};

struct Assignment {
  std::vector<std::optional<std::size_t>> shelter;  // per household; nullopt: not placed
  int people_placed = 0;
  std::int64_t total_cost = 0;  // Σ members × cost over the placed households
  bool proven_optimal = true;   // false only when a search limit cut the branch-and-bound short
  std::int64_t gap = 0;         // then: total_cost above the relaxation's bound (0 when unknown)
};

// Limits of the branch-and-bound: branches, and work by all its relaxations together — arcs
// scanned plus nodes set up per shortest-path search (a deterministic measure, proportional to
// time: the same problem always stops at the same point; 5M keeps the slowest village of the
// generated county under 40 ms, p99 20 ms, on a loaded 2-core machine). A village of
// a few hundred households at risk with its capacity nearly full can tie many households at
// nearly the same cost; past these the best assignment found is kept, with its gap to the bound.
inline constexpr std::size_t kMaxBranches = 2000;
inline constexpr std::uint64_t kMaxWork = 5'000'000;

// Whether `a` is better than `b` by the objective above (more people placed, then less cost).
bool better(const Assignment& a, const Assignment& b) noexcept;

// The optimal assignment. @pre sizes agree (cost is members.size() × capacity.size()).
Assignment optimal_assignment(const AssignmentProblem& p);

// The greedy baseline: households in order of their nearest reachable shelter (the closest first),
// each to the nearest shelter that still has room for all its members; none left → not placed.
Assignment greedy_assignment(const AssignmentProblem& p);

// Σ members × cost and people placed of a given choice (tests, and the two above).
// @pre every chosen shelter reachable.
Assignment evaluate(const AssignmentProblem& p, std::vector<std::optional<std::size_t>> shelter);

}  // namespace minqing::route
