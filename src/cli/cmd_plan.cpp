// `minqing plan --village CODE|all [--out DIR] [--jobs N] [--scope at_risk|all] [--distance M]
//  [--max-minutes 15] [--mode walk|drive] [--avoid high,medium|none] [--closed WKT] [--store FILE]
//  [--role county_admin]` — the evacuation plan GET /api/evacuation-plan answers, for one village
// or every village of the county on all cores: DIR/CODE.geojson and DIR/CODE.csv per village, a
// progress bar on stderr, and one summary line per village on stdout (placed / not placed /
// beyond max-minutes), then the county's totals.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "render/relief_source.hpp"
#include "route/network_cache.hpp"
#include "route/village_evacuees.hpp"
#include "server/evacuation_plan_endpoint.hpp"
#include "server/http_error.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

namespace {

void draw_progress(std::size_t done, std::size_t total, double seconds) {
  constexpr int kWidth = 30;
  const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1;
  const int filled = static_cast<int>(frac * kWidth);
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu villages  %.1f s", filled, "##############################",
               kWidth - filled, "", done, total, seconds);
  std::fflush(stderr);
}

struct VillageResult {
  std::string line;  // the summary line
  std::size_t households = 0, placed = 0, not_placed = 0, beyond = 0;
  bool failed = false;
};

VillageResult summarize(const std::string& code, const server::PlanReport& r) {
  VillageResult v;
  const auto& p = r.plan;
  v.households = p.households.size();
  v.placed = p.optimal.households_placed;
  v.not_placed = p.not_placed;
  v.beyond = p.beyond_max;
  std::size_t no_road = 0, unreachable = 0, no_room = 0;
  for (const auto& h : p.households) {
    if (h.shelter) continue;
    if (h.reason == route::NotPlaced::no_road) ++no_road;
    else if (h.reason == route::NotPlaced::no_reachable_shelter) ++unreachable;
    else ++no_room;
  }
  auto mean = [](const route::PlanSummary& s) { return s.people_placed ? s.person_seconds / 60 / s.people_placed : 0.0; };
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%s  households %zu  placed %zu  not placed %zu (no road %zu, no reachable shelter %zu, no room %zu)"
                "  beyond %.0f min %zu  mean %.1f min (greedy %.1f min, %d people placed vs %d)%s",
                code.c_str(), v.households, v.placed, v.not_placed, no_road, unreachable, no_room,
                r.options.max_minutes, v.beyond, mean(p.optimal), mean(p.greedy), p.optimal.people_placed,
                p.greedy.people_placed, p.proven_optimal ? "" : "  (branch limit reached)");
  v.line = buf;
  return v;
}

}  // namespace

int run_plan(const Args& args) {
  server::PlanParams params;
  std::string village, out_dir = "plans";
  std::string scope_text, distance, max_minutes, mode, avoid, closed;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string role(access::kRoleCountyAdmin);
  std::string store_path = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  std::string layers_dir = model::LayerCatalog::default_directory().string();
  std::string policy_path = access::Policy::default_path().string();
  po::options_description desc(
      "minqing plan --village CODE|all [options]\n\n"
      "Writes the evacuation plan GET /api/evacuation-plan answers for one village or every village\n"
      "(DIR/CODE.geojson and DIR/CODE.csv), as seen by a caller of --role, and prints a summary line per\n"
      "village. Exit status 1 when a village could not be planned, 2 on bad arguments.\n\noptions");
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("village", po::value(&village)->required(), "12-digit village code, or all")
      ("out", po::value(&out_dir)->default_value(out_dir), "directory for the plans")
      ("jobs", po::value(&jobs)->default_value(jobs), "villages planned at once")
      ("scope", po::value(&scope_text), "at_risk (default) or all households")
      ("distance", po::value(&distance), "metres from a hazard zone that count as at risk (default 100)")
      ("max-minutes", po::value(&max_minutes), "flag households farther than this from every shelter (default 15)")
      ("mode", po::value(&mode), "walk (default) or drive")
      ("avoid", po::value(&avoid), "hazard risk levels to avoid: high,medium,low or none (default high)")
      ("closed", po::value(&closed), "closed roads: WKT polygon or line in CRS84")
      ("role", po::value(&role)->default_value(role), "answer as this role of the policy")
      ("store", po::value(&store_path)->default_value(store_path), "the feature store")
      ("layers", po::value(&layers_dir)->default_value(layers_dir), "layer definition directory")
      ("policy", po::value(&policy_path)->default_value(policy_path), "access policy file");
  // clang-format on
  po::variables_map vm;
  if (const auto stop = parse_options("plan", desc, args, vm)) return *stop;
  if (jobs < 1 || jobs > 256) {
    std::fprintf(stderr, "minqing plan: --jobs must be 1 to 256\n");
    return 2;
  }
  if (vm.count("scope")) params.scope = scope_text;
  if (vm.count("distance")) params.distance = distance;
  if (vm.count("max-minutes")) params.max_minutes = max_minutes;
  if (vm.count("mode")) params.mode = mode;
  if (vm.count("avoid")) params.avoid = avoid;
  if (vm.count("closed")) params.closed = closed;

  const auto catalog = model::LayerCatalog::load_directory(layers_dir);
  const auto policy = access::Policy::load(policy_path, catalog);
  const auto data = query::Dataset::open(store_path, catalog);
  const access::Scope scope = access::Scope::for_user(policy, "cli", role, {});
  std::vector<std::string> codes;
  if (village == "all") {
    codes = route::village_codes(*data);
  } else {
    codes.push_back(village);
  }
  std::filesystem::create_directories(out_dir);
  // As the server: the store's DEM makes steep roads slower (route/terrain_slope.hpp).
  const auto relief = render::ReliefSource::load_directory(data->relief_directory());
  route::NetworkCache networks(*data, relief->heights());
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  networks.current();  // built once, before the workers share it
  const double build_s = seconds();

  std::vector<VillageResult> results(codes.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex error_mutex;
  int exit_code = 0;
  auto work = [&] {
    const query::ScopedReader reader = data->reader(scope);
    for (std::size_t i = next++; i < codes.size(); i = next++) {
      server::PlanParams p = params;
      p.village = codes[i];
      try {
        const server::PlanReport report = server::evacuation_plan(reader, networks, p);
        std::ofstream(out_dir + "/" + codes[i] + ".geojson") << server::plan_geojson(reader, report).dump() << "\n";
        std::ofstream(out_dir + "/" + codes[i] + ".csv") << server::plan_csv(reader, report);
        results[i] = summarize(codes[i], report);
      } catch (const std::exception& e) {
        results[i].line = codes[i] + "  not planned: " + e.what();
        results[i].failed = true;
        std::lock_guard lock(error_mutex);
        exit_code = dynamic_cast<const RequestError*>(&e) ? 2 : 1;
      }
      ++done;
    }
  };
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < std::min<std::size_t>(jobs, codes.size()); ++w) workers.emplace_back(work);
  while (done < codes.size()) {
    draw_progress(done, codes.size(), seconds());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (auto& w : workers) w.join();
  draw_progress(done, codes.size(), seconds());
  std::fprintf(stderr, "\n");

  std::size_t households = 0, placed = 0, not_placed = 0, beyond = 0, failed = 0;
  for (const auto& r : results) {
    std::printf("%s\n", r.line.c_str());
    households += r.households;
    placed += r.placed;
    not_placed += r.not_placed;
    beyond += r.beyond;
    failed += r.failed ? 1 : 0;
  }
  std::printf("total  villages %zu (%zu not planned)  households %zu  placed %zu  not placed %zu  beyond max %zu"
              "  in %.2f s (network %.2f s, %u jobs) → %s/\n",
              codes.size(), failed, households, placed, not_placed, beyond, seconds(), build_s, jobs, out_dir.c_str());
  return exit_code;
}

}  // namespace minqing::cli
