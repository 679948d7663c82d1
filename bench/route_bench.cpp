// The routing engine at the scale of a store (issue 10): network build time and size, then the
// latency of N random house-to-house routes (A*) and N house-to-nearest-shelter routes (one
// multi-target Dijkstra to every shelter), on foot, avoiding high-risk zones; median and p99, and
// how many found no route (and why). Then evacuation plans: every village's plan alone (median,
// p99, max), the two ways to fill the household × shelter time table (one search per household vs
// one per shelter), and the whole county's plan on all cores. Not a test: it prints numbers.
//
//   route_bench STORE.gpkg [N] [--export DIR]
//
// --export writes what the pgRouting peer (bench/run-route-bench.sh) needs to run the same
// queries on the same network: DIR/edges.csv (id, source, target, cost, reverse_cost: walking
// seconds, −1 for edges closed by high-risk zones or closed to walkers, as pgr_dijkstra reads
// them), DIR/pairs.csv (the random routes' start and end nodes) and DIR/shelter_queries.csv (the
// nearest-shelter routes' start nodes) with DIR/shelter_nodes.csv.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "render/relief_source.hpp"
#include "route/closures.hpp"
#include "route/evacuation_plan.hpp"
#include "route/road_network.hpp"
#include "route/route_planner.hpp"
#include "route/shortest_path.hpp"
#include "route/village_evacuees.hpp"
#include "store/serving_index.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::vector<geo::Coord> points_of(const store::ServingIndex& index, const std::string& cls) {
  std::vector<store::ServedFeaturePtr> all;
  index.query(cls, {-1e300, -1e300, 1e300, 1e300}, all);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
  std::vector<geo::Coord> out;
  for (const auto& f : all) {
    if (!f->feature.geometry.empty()) out.push_back(f->feature.geometry.coords.front());
  }
  return out;
}

void report(const char* what, std::vector<double> ms, const std::map<std::string, int>& failures,
            const char* unit = "routes") {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  std::printf("%-36s %5zu %-8s median %.3f ms  p99 %.3f ms  max %.3f ms\n", what, ms.size(), unit, at(0.5), at(0.99),
              ms.empty() ? 0.0 : ms.back());
  for (const auto& [why, n] : failures) std::printf("    no route ×%d: %s\n", n, why.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: route_bench STORE.gpkg [N] [--export DIR]\n");
    return 2;
  }
  int n = 1000;
  std::string export_dir;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--export") == 0 && i + 1 < argc) {
      export_dir = argv[++i];
    } else {
      n = std::stoi(argv[i]);
    }
  }
  const auto catalog = model::LayerCatalog::load_directory(model::LayerCatalog::default_directory());
  auto t0 = Clock::now();
  const auto data = query::Dataset::open(argv[1], catalog);
  const auto& index = data->unscoped_index();
  std::printf("dataset loaded in %.0f ms\n", ms_since(t0));
  // As the server builds it: slope from the store's DEM where there is one (route/terrain_slope.hpp).
  t0 = Clock::now();
  const auto relief = render::ReliefSource::load_directory(data->relief_directory());
  const route::ElevationAt elevation = relief->heights();
  std::printf("DEM loaded in %.0f ms (%zu grids)\n", ms_since(t0), relief->size());
  t0 = Clock::now();
  const auto flat = route::RoadNetwork::build(index);
  const auto t_flat = ms_since(t0);
  t0 = Clock::now();
  const auto net = route::RoadNetwork::build(index, elevation);
  const auto t_build = ms_since(t0);
  std::printf("network built in %.0f ms with slope from the DEM (%.0f ms without): %zu roads, %zu hazard zones → "
              "%zu nodes, %zu edges, %zu components\n",
              t_build, t_flat, net->roads().size(), net->zones().size(), net->node_count(), net->edge_count(),
              net->component_count());

  const auto houses = points_of(index, "households");
  const auto shelters = points_of(index, "shelters");
  if (houses.size() < 2 || shelters.empty()) {
    std::fprintf(stderr, "route_bench: the store needs households and shelters\n");
    return 1;
  }
  std::mt19937_64 rng(20091);
  std::uniform_int_distribution<std::size_t> pick(0, houses.size() - 1);
  // Random pairs are drawn within one connected network (a pair across two would only measure the
  // failure).
  const auto labels = net->component_labels();
  auto snap_node = [&](geo::Coord p) -> std::int64_t {
    const auto s = net->snap(p, route::kSnapLimit_m, route::Mode::walk);
    return s ? static_cast<std::int64_t>(net->edge(s->edge).from) : -1;
  };
  auto component = [&](geo::Coord p) -> std::int64_t {
    const auto node = snap_node(p);
    return node < 0 ? -1 : static_cast<std::int64_t>(labels[static_cast<std::size_t>(node)]);
  };
  std::vector<std::int64_t> house_component;
  for (const auto& h : houses) house_component.push_back(component(h));

  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;  // for the peer: start and end nodes
  std::vector<std::int64_t> shelter_starts;
  for (const bool to_shelter : {false, true}) {
    std::vector<double> ms, found_ms, failed_ms;
    std::map<std::string, int> failures;
    double total_m = 0;
    for (int i = 0; i < n; ++i) {
      route::RouteRequest r;
      const std::size_t a = pick(rng);
      r.from = houses[a];
      if (to_shelter) {
        r.targets = shelters;
        r.to_shelter = true;
        shelter_starts.push_back(snap_node(houses[a]));
      } else {
        std::size_t b = pick(rng);
        for (int tries = 0; tries < 1000 && house_component[b] != house_component[a]; ++tries) b = pick(rng);
        r.targets = {houses[b]};
        pairs.emplace_back(snap_node(houses[a]), snap_node(houses[b]));
      }
      const auto t = Clock::now();
      try {
        const auto route = route::plan_route(*net, r);
        ms.push_back(ms_since(t));
        found_ms.push_back(ms.back());
        total_m += route.path.length_m;
      } catch (const route::NoRoute& e) {
        ms.push_back(ms_since(t));
        failed_ms.push_back(ms.back());
        ++failures[e.what()];
      }
    }
    report(to_shelter ? "house → nearest shelter, all" : "house → random house, all", ms, failures);
    report("  of which found", found_ms, {});
    report("  of which no route", failed_ms, {});
    const int found = n - [&] { int f = 0; for (const auto& [k, v] : failures) f += v; return f; }();
    std::printf("    mean length %.0f m over %d routes found\n", found ? total_m / found : 0.0, found);
  }

  // Evacuation plans, village by village (households at risk, on foot, avoiding high-risk zones).
  const auto codes = route::village_codes(*data);
  std::vector<route::VillageEvacuees> villages;
  t0 = Clock::now();
  for (const auto& code : codes) villages.push_back(route::village_evacuees(*data, *net, code, route::PlanScope::at_risk));
  std::printf("\nvillage evacuees gathered in %.0f ms (%zu villages)\n", ms_since(t0), villages.size());
  const route::PlanOptions options;
  std::vector<double> plan_ms, per_household_ms, per_shelter_ms;
  std::size_t households = 0, not_placed = 0, biggest = 0, not_proven = 0, beats_greedy = 0;
  double biggest_ms = 0, worst_gap = 0;  // the largest gap to the bound, as a share of the plan's person-time
  for (const auto& v : villages) {
    auto t = Clock::now();
    const auto plan = route::plan_evacuation(*net, v.households, v.shelters, options);
    plan_ms.push_back(ms_since(t));
    households += v.households.size();
    not_placed += plan.not_placed;
    if (!plan.proven_optimal) {
      ++not_proven;
      if (plan.optimal.person_seconds > 0) worst_gap = std::max(worst_gap, plan.gap_person_seconds / plan.optimal.person_seconds);
    }
    if (plan.optimal.people_placed > plan.greedy.people_placed ||
        (plan.optimal.people_placed == plan.greedy.people_placed && plan.optimal.person_seconds < plan.greedy.person_seconds)) {
      ++beats_greedy;
    }
    if (v.households.size() > biggest) {
      biggest = v.households.size();
      biggest_ms = plan_ms.back();
    }
    // The time table alone, both ways: one search per household to every shelter, or one per
    // shelter to every household (same times on this undirected network, but no zone-leaving phase).
    std::vector<route::Snap> hs, ss;
    for (const auto& h : v.households) {
      if (auto s = net->snap(h.at, route::kSnapLimit_m, route::Mode::walk)) hs.push_back(*s);
    }
    for (const auto& s : v.shelters) {
      if (auto sn = net->snap(s.at, route::kSnapLimit_m, route::Mode::walk)) ss.push_back(*sn);
    }
    route::Closures closures(*net, route::Mode::walk, route::kRiskHigh);
    t = Clock::now();
    for (const auto& h : hs) route::paths_to_each(closures, h, ss, options.search_limit_s);
    per_household_ms.push_back(ms_since(t));
    t = Clock::now();
    for (const auto& s : ss) route::paths_to_each(closures, s, hs, options.search_limit_s);
    per_shelter_ms.push_back(ms_since(t));
  }
  report("village plan (one village)", plan_ms, {}, "villages");
  std::printf("    largest: %zu households at risk, %.2f ms; county: %zu households at risk, %zu not placed\n", biggest,
              biggest_ms, households, not_placed);
  std::printf("    not proven optimal (search limit): %zu villages, gap to the bound at most %.3f%%; better than greedy in %zu\n",
              not_proven, 100 * worst_gap, beats_greedy);
  report("  time table, search per household", per_household_ms, {}, "villages");
  report("  time table, search per shelter", per_shelter_ms, {}, "villages");

  // The county's plan: every village, on all cores.
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::size_t> next{0};
  t0 = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&] {
      for (std::size_t i = next++; i < codes.size(); i = next++) {
        const auto v = route::village_evacuees(*data, *net, codes[i], route::PlanScope::at_risk);
        route::plan_evacuation(*net, v.households, v.shelters, options);
      }
    });
  }
  for (auto& w : workers) w.join();
  std::printf("county plan: %zu villages in %.0f ms on %u threads (gathering households included)\n", codes.size(),
              ms_since(t0), threads);

  if (!export_dir.empty()) {
    std::ofstream edges(export_dir + "/edges.csv");
    for (std::uint32_t e = 0; e < net->edge_count(); ++e) {
      const auto& edge = net->edge(e);
      const double t = edge.time_s[static_cast<std::size_t>(route::Mode::walk)];
      const bool closed = !std::isfinite(t) || (edge.risk & route::kRiskHigh);
      const double cost = closed ? -1 : t;
      edges << e + 1 << ',' << edge.from + 1 << ',' << edge.to + 1 << ',' << cost << ',' << cost << '\n';
    }
    std::ofstream p(export_dir + "/pairs.csv");
    for (const auto& [a, b] : pairs) {
      if (a >= 0 && b >= 0) p << a + 1 << ',' << b + 1 << '\n';
    }
    std::ofstream q(export_dir + "/shelter_queries.csv");
    for (auto a : shelter_starts) {
      if (a >= 0) q << a + 1 << '\n';
    }
    std::ofstream s(export_dir + "/shelter_nodes.csv");
    for (const auto& sh : shelters) {
      if (auto node = snap_node(sh); node >= 0) s << node + 1 << '\n';
    }
    std::printf("exported %zu edges, %zu pairs, %zu shelter queries to %s\n", net->edge_count(), pairs.size(),
                shelter_starts.size(), export_dir.c_str());
  }
  return 0;
}
