// The routing engine at the scale of a store (issue 10): network build time and size, then the
// latency of N random house-to-house routes (A*) and N house-to-nearest-shelter routes (one
// multi-target Dijkstra to every shelter), on foot, avoiding high-risk zones; median and p99, and
// how many found no route (and why). Not a test: it prints numbers.
//
//   route_bench STORE.gpkg [N]        e.g. build/minqing generate --villages 20 --out /tmp/x.gpkg
//
// The pgRouting peer (pgr_dijkstra on the same network) is not here yet.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "model/layer_catalog.hpp"
#include "route/road_network.hpp"
#include "route/route_planner.hpp"
#include "store/feature_store.hpp"
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

void report(const char* what, std::vector<double> ms, const std::map<std::string, int>& failures) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  std::printf("%-28s %5zu routes  median %.3f ms  p99 %.3f ms  max %.3f ms\n", what, ms.size(), at(0.5), at(0.99),
              ms.empty() ? 0.0 : ms.back());
  for (const auto& [why, n] : failures) std::printf("    no route ×%d: %s\n", n, why.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: route_bench STORE.gpkg [N]\n");
    return 2;
  }
  const int n = argc > 2 ? std::stoi(argv[2]) : 1000;
  const auto catalog = model::LayerCatalog::load_directory(model::LayerCatalog::default_directory());
  auto t0 = Clock::now();
  const auto store = store::FeatureStore::open(argv[1], catalog, store::FeatureStore::Mode::read_only);
  const auto index = store::ServingIndex::load(store);
  std::printf("serving index loaded in %.0f ms\n", ms_since(t0));
  t0 = Clock::now();
  const auto net = route::RoadNetwork::build(*index);
  const auto t_build = ms_since(t0);
  std::printf("network built in %.0f ms: %zu roads, %zu hazard zones → %zu nodes, %zu edges, %zu components\n",
              t_build, net->roads().size(), net->zones().size(), net->node_count(), net->edge_count(),
              net->component_count());

  const auto houses = points_of(*index, "households");
  const auto shelters = points_of(*index, "shelters");
  if (houses.size() < 2 || shelters.empty()) {
    std::fprintf(stderr, "route_bench: the store needs households and shelters\n");
    return 1;
  }
  std::mt19937_64 rng(20091);
  std::uniform_int_distribution<std::size_t> pick(0, houses.size() - 1);
  // Random pairs are drawn within one connected network: the generator's valleys (rows of
  // villages) are separate road networks, and a pair across two would only measure the failure.
  const auto labels = net->component_labels();
  auto component = [&](geo::Coord p) -> std::int64_t {
    const auto s = net->snap(p, route::kSnapLimit_m, route::Mode::walk);
    return s ? static_cast<std::int64_t>(labels[net->edge(s->edge).from]) : -1;
  };
  std::vector<std::int64_t> house_component;
  for (const auto& h : houses) house_component.push_back(component(h));

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
      } else {
        std::size_t b = pick(rng);
        for (int tries = 0; tries < 1000 && house_component[b] != house_component[a]; ++tries) b = pick(rng);
        r.targets = {houses[b]};
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
  return 0;
}
