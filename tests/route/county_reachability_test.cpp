// Issue 10, "Done when": on a generated county, every shelter of a house's village can be reached
// from the house unless a high-risk hazard zone cuts it off — and the test names every pair that
// cannot, with the reason (the high-risk zones on the only way, or "not connected by roads", which
// fails the test). The evacuation plan then places every household at risk of a village whose
// shelters can take its people, except those the zones cut off.
//
// Shelters are planned per village (route/village_evacuees.hpp), so reachability is asked per
// village. The generated county's valleys (rows of villages) are separate road networks — each
// village's roads are one connected graph joined to its valley's county road (generate tests), but no
// road crosses the ridges between valleys — so house-to-shelter pairs of different valleys are not
// asked here.
//
// The generator used to site shelters without looking at the roads: a third of the households of
// this store reached no shelter of their village without crossing a high-risk zone (a debris flow
// across a hamlet's only road, the shelters all on the other side). It now adds an open-space
// shelter for each part of a village's road network that high-risk zones cut off.

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "generate/generated_store.hpp"
#include "query/dataset.hpp"
#include "route/closures.hpp"
#include "route/evacuation_plan.hpp"
#include "route/road_network.hpp"
#include "route/route_planner.hpp"
#include "route/shortest_path.hpp"
#include "route/village_evacuees.hpp"

using namespace minqing;

TEST_CASE("route: on a generated county every house reaches its village's shelters unless a high-risk zone cuts it off",
          "[route][plan][generate]") {
  const auto data = query::Dataset::open(test::three_villages().string(), test::generator_catalog());
  const auto net = route::RoadNetwork::build(data->unscoped_index());
  std::size_t pairs = 0, cut_by_zone = 0, households = 0;
  std::vector<std::string> no_safe_shelter;  // households every shelter of whose village is cut off
  std::vector<std::string> disconnected;
  std::map<std::string, std::size_t> cut_zones;  // zone id → pairs it cuts
  for (const auto& code : route::village_codes(*data)) {
    const auto v = route::village_evacuees(*data, *net, code, route::PlanScope::all);
    REQUIRE(v.shelters.size() >= 2);
    std::vector<route::Snap> shelters;
    for (const auto& s : v.shelters) {
      const auto snap = net->snap(s.at, route::kSnapLimit_m, route::Mode::walk);
      INFO("shelter fid " << s.fid << " of " << code);
      REQUIRE(snap);
      shelters.push_back(*snap);
    }
    for (const auto& h : v.households) {
      const auto from = net->snap(h.at, route::kSnapLimit_m, route::Mode::walk);
      INFO("household fid " << h.fid << " of " << code);
      REQUIRE(from);
      route::Closures avoid_high(*net, route::Mode::walk, route::kRiskHigh);
      avoid_high.allow_leaving(route::zones_to_leave(*net, h.at, *from, route::kRiskHigh));
      const auto safe = route::paths_to_each(avoid_high, *from, shelters, 1e9);
      route::Closures open(*net, route::Mode::walk, 0);
      const auto any = route::paths_to_each(open, *from, shelters, 1e9);
      ++households;
      if (std::none_of(safe.begin(), safe.end(), [](const auto& p) { return p.has_value(); })) {
        no_safe_shelter.push_back(std::to_string(h.fid));
      }
      for (std::size_t s = 0; s < shelters.size(); ++s) {
        ++pairs;
        if (safe[s]) continue;
        if (!any[s]) {
          std::ostringstream why;
          why << "household " << h.fid << " → shelter " << v.shelters[s].fid << " of " << code << ": not connected by roads";
          disconnected.push_back(why.str());
          continue;
        }
        // The only ways run through high-risk zones: name those the open route crosses.
        ++cut_by_zone;
        std::set<std::string> zones;
        for (const auto& leg : any[s]->legs) {
          for (std::uint32_t z : net->edge_zones(leg.edge)) {
            if (net->zones()[z].risk & route::kRiskHigh) zones.insert(net->zones()[z].zone_id);
          }
        }
        CHECK_FALSE(zones.empty());  // a pair cut off names the zone that cuts it
        for (const auto& z : zones) ++cut_zones[z];
      }
    }
  }
  std::ostringstream report;
  report << pairs << " house → own-village shelter pairs; " << cut_by_zone << " cut off by high-risk zones:";
  for (const auto& [z, n] : cut_zones) report << " " << z << " (" << n << ")";
  report << "\n" << no_safe_shelter.size() << " of " << households << " households reach no shelter of their village safely";
  for (const auto& fid : no_safe_shelter) report << " " << fid;
  for (const auto& d : disconnected) report << "\n  " << d;
  INFO(report.str());
  WARN(report.str());
  CHECK(pairs > 1000);
  // The expectation: no pair fails for any other reason than a high-risk zone (each named above),
  // and the generator sites a shelter on the far side of a high-risk zone that cuts a hamlet off
  // (generate/village_hazards.cpp add_cut_off_shelters): the households left with no safe shelter
  // at all are the few whose own road stretch the generator's coarser test misjudges (named above).
  CHECK(disconnected.empty());
  CHECK(no_safe_shelter.size() * 20 <= households);
}

TEST_CASE("plan: on a generated county every household at risk is placed where capacity allows", "[route][plan][generate]") {
  const auto data = query::Dataset::open(test::three_villages().string(), test::generator_catalog());
  const auto net = route::RoadNetwork::build(data->unscoped_index());
  for (const auto& code : route::village_codes(*data)) {
    const auto v = route::village_evacuees(*data, *net, code, route::PlanScope::at_risk);
    const auto plan = route::plan_evacuation(*net, v.households, v.shelters, route::PlanOptions{});
    int people = 0, capacity = 0;
    for (const auto& h : v.households) people += h.members;
    for (const auto& s : v.shelters) capacity += s.capacity;
    INFO(code << ": " << v.households.size() << " households at risk, " << people << " people, capacity " << capacity);
    CHECK(!v.households.empty());
    // Optimal, or (the branch-and-bound's work limit reached) within 0.5% of the bound.
    INFO("gap " << plan.gap_person_seconds << " person-seconds of " << plan.optimal.person_seconds);
    CHECK((plan.proven_optimal || plan.gap_person_seconds <= 0.005 * plan.optimal.person_seconds));
    for (std::size_t s = 0; s < v.shelters.size(); ++s) CHECK(plan.shelters[s].load <= v.shelters[s].capacity);
    for (std::size_t h = 0; h < v.households.size(); ++h) {
      const auto& hp = plan.households[h];
      INFO("household " << v.households[h].fid << ": " << route::to_string(hp.reason));
      if (people <= capacity) CHECK(hp.reason != route::NotPlaced::capacity_exhausted);
      CHECK(hp.reason != route::NotPlaced::no_road);
    }
  }
}
