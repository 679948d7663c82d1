// The shelter assignment of an evacuation plan (issue 10) against a brute-force search over every
// assignment of small hand-made cases: the optimum it finds is the brute-force optimum (people placed
// first, then person-time), it never fills a shelter past its capacity, never splits a household,
// and the greedy nearest-shelter baseline is never better.

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "route/shelter_assignment.hpp"

using namespace minqing;
using route::Assignment;
using route::AssignmentProblem;
using route::kUnreachable;

namespace {

// Every assignment of each household to a shelter or to none, the best by the objective.
Assignment brute_force(const AssignmentProblem& p) {
  const std::size_t nh = p.members.size(), ns = p.capacity.size();
  std::vector<std::size_t> choice(nh, 0);  // 0: not placed, s + 1: shelter s
  std::optional<Assignment> best;
  while (true) {
    std::vector<int> load(ns, 0);
    bool ok = true;
    std::vector<std::optional<std::size_t>> shelter(nh);
    for (std::size_t h = 0; h < nh && ok; ++h) {
      if (choice[h] == 0) continue;
      const std::size_t s = choice[h] - 1;
      ok = p.cost[h][s] != kUnreachable && (load[s] += p.members[h]) <= p.capacity[s];
      shelter[h] = s;
    }
    if (ok) {
      Assignment a = route::evaluate(p, shelter);
      if (!best || route::better(a, *best)) best = a;
    }
    std::size_t h = 0;
    while (h < nh && ++choice[h] == ns + 1) choice[h++] = 0;
    if (h == nh) break;
  }
  return *best;
}

void check_feasible(const AssignmentProblem& p, const Assignment& a) {
  std::vector<int> load(p.capacity.size(), 0);
  for (std::size_t h = 0; h < p.members.size(); ++h) {
    if (!a.shelter[h]) continue;
    REQUIRE(p.cost[h][*a.shelter[h]] != kUnreachable);
    load[*a.shelter[h]] += p.members[h];
  }
  for (std::size_t s = 0; s < load.size(); ++s) CHECK(load[s] <= p.capacity[s]);
}

}  // namespace

TEST_CASE("plan: a tight shelter sends the household that loses least to the farther one", "[route][plan]") {
  // Two houses near shelter A (room for 5), one family of 4, one of 3; shelter B far for both.
  // Greedy puts whoever is nearest A first (the family of 3: 60 s) and sends the 4 to B (600 s):
  // 3·60 + 4·600 = 2580. The optimum sends the 3 to B instead: 4·70 + 3·400 = 1480.
  AssignmentProblem p{{4, 3}, {5, 10}, {{70, 600}, {60, 400}}};
  const Assignment best = route::optimal_assignment(p);
  const Assignment greedy = route::greedy_assignment(p);
  CHECK(best.shelter[0] == std::optional<std::size_t>(0));
  CHECK(best.shelter[1] == std::optional<std::size_t>(1));
  CHECK(best.total_cost == 1480);
  CHECK(greedy.total_cost == 2580);
  CHECK(best.proven_optimal);
}

TEST_CASE("plan: households that do not fit are left out, the fewest people possible", "[route][plan]") {
  // 9 people, 7 places: the plan places 7 (the 4 and the 3), leaves the family of 2 out; the
  // household with no reachable shelter is left out whatever the capacity.
  AssignmentProblem p{{4, 2, 3, 1}, {4, 3}, {{10, 20}, {5, 5}, {30, 10}, {kUnreachable, kUnreachable}}};
  const Assignment best = route::optimal_assignment(p);
  CHECK(best.people_placed == 7);
  CHECK(!best.shelter[1]);
  CHECK(!best.shelter[3]);
  check_feasible(p, best);
  CHECK(best.total_cost == brute_force(p).total_cost);
}

TEST_CASE("plan: the optimum equals a brute-force search on random small villages", "[route][plan]") {
  std::mt19937 rng(20261201);
  int greedy_worse = 0;
  for (int round = 0; round < 300; ++round) {
    const std::size_t nh = 2 + rng() % 6, ns = 2 + rng() % 2;
    AssignmentProblem p;
    int people = 0;
    for (std::size_t h = 0; h < nh; ++h) {
      p.members.push_back(1 + static_cast<int>(rng() % 6));
      people += p.members.back();
      std::vector<route::PersonCost> row;
      for (std::size_t s = 0; s < ns; ++s) row.push_back(rng() % 8 == 0 ? kUnreachable : 30 + rng() % 900);
      p.cost.push_back(row);
    }
    // Tight: total capacity between 60% and 110% of the people.
    for (std::size_t s = 0; s < ns; ++s) {
      p.capacity.push_back(static_cast<int>(people * (60 + rng() % 51) / 100 / ns));
    }
    INFO("round " << round);
    const Assignment best = route::optimal_assignment(p);
    const Assignment exact = brute_force(p);
    const Assignment greedy = route::greedy_assignment(p);
    check_feasible(p, best);
    check_feasible(p, greedy);
    CHECK(best.proven_optimal);
    CHECK(best.people_placed == exact.people_placed);
    CHECK(best.total_cost == exact.total_cost);
    CHECK_FALSE(route::better(greedy, best));
    if (route::better(best, greedy)) ++greedy_worse;
  }
  // The cases are tight enough that the baseline often loses.
  CHECK(greedy_worse > 30);
}

TEST_CASE("plan: the optimum equals a brute-force search when many households tie", "[route][plan]") {
  // Few distinct times, so many households are indifferent between shelters, and capacities tight
  // enough that some must stay out: the cases where reduced-cost fixing closes options (a
  // shelter, or "not placed") while the search still has to choose among the tied ones.
  std::mt19937 rng(20261202);
  for (int round = 0; round < 150; ++round) {
    const std::size_t nh = 5 + rng() % 4, ns = 2 + rng() % 2;
    AssignmentProblem p;
    int people = 0;
    for (std::size_t h = 0; h < nh; ++h) {
      p.members.push_back(1 + static_cast<int>(rng() % 4));
      people += p.members.back();
      std::vector<route::PersonCost> row;
      for (std::size_t s = 0; s < ns; ++s) row.push_back(rng() % 10 == 0 ? kUnreachable : 300 * (1 + rng() % 3));
      p.cost.push_back(row);
    }
    for (std::size_t s = 0; s < ns; ++s) p.capacity.push_back(static_cast<int>(people * (50 + rng() % 51) / 100 / ns));
    INFO("round " << round);
    const Assignment best = route::optimal_assignment(p);
    const Assignment exact = brute_force(p);
    check_feasible(p, best);
    CHECK(best.proven_optimal);
    CHECK(best.people_placed == exact.people_placed);
    CHECK(best.total_cost == exact.total_cost);
  }
}

TEST_CASE("plan: a village of 200 households with tied times is planned and proven optimal", "[route][plan]") {
  // Four shelters, three distinct walking times, capacity for 90% of the people: thousands of
  // equally good ways to fill the shelters. The plan must still come back proven optimal, within
  // the search's work limit.
  std::mt19937 rng(5);
  AssignmentProblem p;
  int people = 0;
  const std::size_t nh = 200, ns = 4;
  for (std::size_t h = 0; h < nh; ++h) {
    p.members.push_back(1 + static_cast<int>(rng() % 5));
    people += p.members.back();
    const route::PersonCost base = 3000 + 600 * static_cast<route::PersonCost>(rng() % 3);
    std::vector<route::PersonCost> row;
    for (std::size_t s = 0; s < ns; ++s) row.push_back(base + (rng() % 3 == 0 ? 600 : 0));
    p.cost.push_back(row);
  }
  for (std::size_t s = 0; s < ns; ++s) p.capacity.push_back(people * 9 / 10 / static_cast<int>(ns) + static_cast<int>(rng() % 4));
  const Assignment best = route::optimal_assignment(p);
  const Assignment greedy = route::greedy_assignment(p);
  check_feasible(p, best);
  CHECK(best.proven_optimal);
  CHECK(best.gap == 0);
  CHECK_FALSE(route::better(greedy, best));
  int capacity = 0;
  for (int c : p.capacity) capacity += c;
  CHECK(best.people_placed == capacity);  // some 40 one-person households fill every last place
}
