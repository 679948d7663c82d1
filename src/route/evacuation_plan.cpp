#include "route/evacuation_plan.hpp"

#include <algorithm>
#include <cmath>

#include "route/closures.hpp"
#include "route/shortest_path.hpp"

namespace minqing::route {

namespace {

// Travel time in the units the assignment weighs: tenths of a second per person.
PersonCost person_cost(double seconds) { return static_cast<PersonCost>(std::llround(seconds * 10)); }

}  // namespace

std::string_view to_string(NotPlaced reason) noexcept {
  switch (reason) {
    case NotPlaced::placed: return "placed";
    case NotPlaced::no_road: return "no_road";
    case NotPlaced::no_reachable_shelter: return "no_reachable_shelter";
    case NotPlaced::capacity_exhausted: return "capacity_exhausted";
  }
  return "placed";
}

EvacuationPlan plan_evacuation(const RoadNetwork& net, std::span<const PlanHousehold> households,
                               std::span<const PlanShelter> shelters, const PlanOptions& o) {
  EvacuationPlan plan;
  plan.households.resize(households.size());
  plan.shelters.resize(shelters.size());

  // Shelters on the network; the search targets are those.
  std::vector<Snap> targets;
  std::vector<std::size_t> target_shelter;
  for (std::size_t s = 0; s < shelters.size(); ++s) {
    if (auto snap = net.snap(shelters[s].at, o.snap_limit_m, o.mode)) {
      targets.push_back(*snap);
      target_shelter.push_back(s);
    } else {
      plan.shelters[s].on_road = false;
    }
  }

  AssignmentProblem problem;
  problem.capacity.reserve(shelters.size());
  for (const auto& s : shelters) problem.capacity.push_back(std::max(0, s.capacity));
  problem.members.reserve(households.size());
  problem.cost.assign(households.size(), std::vector<PersonCost>(shelters.size(), kUnreachable));
  std::vector<std::vector<std::optional<Path>>> paths(households.size());
  std::vector<std::optional<Snap>> from(households.size());

  Closures closures(net, o.mode, o.avoid, o.closed);
  for (std::size_t h = 0; h < households.size(); ++h) {
    const PlanHousehold& hh = households[h];
    problem.members.push_back(std::max(1, hh.members));
    HouseholdPlan& out = plan.households[h];
    from[h] = net.snap(hh.at, o.snap_limit_m, o.mode);
    if (!from[h]) {
      out.reason = NotPlaced::no_road;
      continue;
    }
    closures.allow_leaving(zones_to_leave(net, hh.at, *from[h], o.avoid));
    auto found = paths_to_each(closures, *from[h], targets, o.search_limit_s);
    paths[h].resize(shelters.size());
    for (std::size_t t = 0; t < found.size(); ++t) {
      if (!found[t]) continue;
      const std::size_t s = target_shelter[t];
      problem.cost[h][s] = person_cost(found[t]->time_s);
      if (out.nearest_s < 0 || found[t]->time_s < out.nearest_s) {
        out.nearest_s = found[t]->time_s;
        out.nearest_shelter = s;
      }
      paths[h][s] = std::move(found[t]);
    }
    if (out.nearest_s < 0) {
      out.reason = NotPlaced::no_reachable_shelter;
    } else if (out.nearest_s > o.max_minutes * 60) {
      out.beyond_max = true;
      ++plan.beyond_max;
    }
  }

  const Assignment best = optimal_assignment(problem);
  const Assignment greedy = greedy_assignment(problem);
  plan.proven_optimal = best.proven_optimal;
  plan.gap_person_seconds = static_cast<double>(best.gap) / 10;
  for (std::size_t h = 0; h < households.size(); ++h) {
    HouseholdPlan& out = plan.households[h];
    const int members = problem.members[h];
    out.greedy_shelter = greedy.shelter[h];
    if (out.nearest_shelter) plan.shelters[*out.nearest_shelter].demand += members;
    if (greedy.shelter[h]) {
      const Path& p = *paths[h][*greedy.shelter[h]];
      plan.shelters[*greedy.shelter[h]].greedy_load += members;
      ++plan.greedy.households_placed;
      plan.greedy.people_placed += members;
      plan.greedy.person_seconds += members * p.time_s;
    }
    out.shelter = best.shelter[h];
    if (!out.shelter) {
      if (out.reason == NotPlaced::placed) out.reason = NotPlaced::capacity_exhausted;
      ++plan.not_placed;
      continue;
    }
    const std::size_t s = *out.shelter;
    const Path& p = *paths[h][s];
    out.time_s = p.time_s;
    out.length_m = p.length_m;
    const auto& target = targets[static_cast<std::size_t>(
        std::find(target_shelter.begin(), target_shelter.end(), s) - target_shelter.begin())];
    out.line = path_line(net, p, from[h]->point, target.point);
    plan.shelters[s].load += members;
    ++plan.shelters[s].households;
    ++plan.optimal.households_placed;
    plan.optimal.people_placed += members;
    plan.optimal.person_seconds += members * p.time_s;
  }
  return plan;
}

}  // namespace minqing::route
