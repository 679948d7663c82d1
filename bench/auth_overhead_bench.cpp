// What access control costs per request (issue 4), measured through App::handle (no socket, so
// that only the server's own work is timed):
//   anon        the same cached terrain tile, anonymous
//   bearer      the same cached terrain tile with `Authorization: Bearer` (auth-DB session lookup,
//               Scope built from the policy, last seen written at most once a minute)
//   bearer+w    as bearer, but the server's clock moves 61 s per request, so that every request
//               writes last seen — the cost a per-request write would have
//   kp          a cached key_persons tile for the village cadre: bearer + one audit append,
//               without fdatasync
//   kp+sync     the same with a durable audit log (fdatasync per entry, the production default)
// Each on 1 and 2 threads for --seconds each; prints requests/s, p50 and p99 per scenario.
//
//   auth_overhead_bench [--store FILE] [--seconds 3] [--scratch DIR] [--only SCENARIO]
//
// The auth database and audit logs go to --scratch (default: a fresh directory under the system
// temp directory, which must be on a real disk for kp+sync to mean anything). The last lines are
// machine-readable: "RESULT scenario=… threads=N rps=… p50_us=… p99_us=…".

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "geo/tile.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"

using namespace minqing;
using namespace minqing::server;
using Steady = std::chrono::steady_clock;

namespace {

// The server clock of the bench Apps: real time plus an offset that `bearer+w` advances.
std::atomic<long long> g_offset_s{0};
std::atomic<bool> g_tick{false};
std::chrono::system_clock::time_point bench_now() {
  const long long off = g_tick.load(std::memory_order_relaxed) ? g_offset_s.fetch_add(61) + 61 : g_offset_s.load();
  return std::chrono::system_clock::now() + std::chrono::seconds(off);
}

struct Options {
  std::string store = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  double seconds = 3;
  std::filesystem::path scratch;
  std::string only;  // run this scenario only (for profiling)
};

std::unique_ptr<App> make_app(const Options& opt, const std::string& name, bool durable) {
  AppOptions o{opt.store, std::filesystem::path(MINQING_SOURCE_DIR) / "layers"};
  const auto dir = opt.scratch / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  o.auth_db = dir / "auth.sqlite";
  o.audit_log = dir / "audit.jsonl";
  o.auth.cost = access::PasswordCost::minimum();  // login speed only; not measured
  o.auth.session_lifetime = std::chrono::hours(24 * 365 * 20);  // bearer+w moves the clock far
  o.auth.session_idle = std::chrono::hours(24 * 365 * 20);
  o.durable_audit = durable;
  o.demo_accounts = true;
  o.clock = bench_now;
  return std::make_unique<App>(o);
}

Request make_get(const std::string& target, const std::string& token) {
  Request req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1:8080");
  req.keep_alive(true);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  return req;
}

std::string login(const App& app, const std::string& user) {
  Request req{http::verb::post, "/api/login", 11};
  req.set(http::field::content_type, "application/json");
  req.body() = nlohmann::json{{"username", user}, {"password", access::kDemoPassword}}.dump();
  req.prepare_payload();
  const Response r = app.handle(req, "127.0.0.1");
  if (r.result_int() != 200) {
    std::fprintf(stderr, "login %s failed: %s\n", user.c_str(), r.body().c_str());
    std::exit(1);
  }
  return nlohmann::json::parse(r.body()).at("token").get<std::string>();
}

std::string tile_path(const std::string& map, geo::TileId t) {
  return "/tiles/" + map + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".png";
}

// A z16 tile holding a key person of `village`.
geo::TileId key_person_tile(const App& app, const std::string& village) {
  std::vector<store::ServedFeaturePtr> people;
  app.index().query("key_persons", app.index().extent(), people);
  const int vc = app.catalog().find_class("key_persons")->field_index("village_code");
  for (const auto& p : people) {
    const auto* v = std::get_if<std::string>(&p->feature.values[static_cast<std::size_t>(vc)]);
    if (v && *v == village) return geo::tile_at(p->bbox.center(), 16);
  }
  std::fprintf(stderr, "no key person in village %s\n", village.c_str());
  std::exit(1);
}

struct Result {
  double rps = 0;
  double p50_us = 0;
  double p99_us = 0;
  std::size_t requests = 0;
};

Result run(const App& app, const Request& req, int threads, double seconds) {
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
  std::atomic<bool> failed{false};
  const auto deadline = Steady::now() + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  const auto t0 = Steady::now();
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      auto& mine = lat[static_cast<std::size_t>(i)];
      mine.reserve(1 << 20);
      while (Steady::now() < deadline) {
        const auto a = Steady::now();
        const Response r = app.handle(req, "127.0.0.1");
        mine.push_back(std::chrono::duration<double, std::micro>(Steady::now() - a).count());
        if (r.result_int() != 200) failed = true;
      }
    });
  }
  for (auto& t : pool) t.join();
  const double wall = std::chrono::duration<double>(Steady::now() - t0).count();
  if (failed) {
    std::fprintf(stderr, "a request failed\n");
    std::exit(1);
  }
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  Result out;
  out.requests = all.size();
  out.rps = static_cast<double>(all.size()) / wall;
  out.p50_us = all[all.size() / 2];
  out.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--store") opt.store = value();
    else if (a == "--seconds") opt.seconds = std::atof(value().c_str());
    else if (a == "--scratch") opt.scratch = value();
    else if (a == "--only") opt.only = value();
    else {
      std::fprintf(stderr, "usage: auth_overhead_bench [--store FILE] [--seconds 3] [--scratch DIR] [--only SCENARIO]\n");
      return 2;
    }
  }
  if (opt.scratch.empty()) {
    opt.scratch = std::filesystem::temp_directory_path() / ("minqing-auth-bench-" + std::to_string(::getpid()));
  }
  std::printf("store %s, scratch %s, %.1f s per run\n", opt.store.c_str(), opt.scratch.c_str(), opt.seconds);

  const auto app = make_app(opt, "fast", false);
  const auto durable = make_app(opt, "durable", true);
  const std::string planner = login(*app, "planner");
  const std::string cadre = login(*app, "cadre");
  const std::string cadre_durable = login(*durable, "cadre");
  std::string village;
  for (const auto& d : app->demo_accounts()) {
    if (d.username == "cadre") village = d.assignment.village_code;
  }
  const geo::TileId kp = key_person_tile(*app, village);
  const geo::TileId terrain{15, kp.x / 2, kp.y / 2};

  struct Scenario {
    const char* name;
    const App* app;
    Request req;
    bool tick;
  };
  std::vector<Scenario> scenarios = {
      {"anon", app.get(), make_get(tile_path("terrain", terrain), ""), false},
      {"bearer", app.get(), make_get(tile_path("terrain", terrain), planner), false},
      {"bearer+w", app.get(), make_get(tile_path("terrain", terrain), planner), true},
      {"kp", app.get(), make_get(tile_path("key_persons", kp), cadre), false},
      {"kp+sync", durable.get(), make_get(tile_path("key_persons", kp), cadre_durable), false},
  };
  // Warm each scope's cache entry: every measured request is a cache hit.
  for (const auto& s : scenarios) {
    if (s.app->handle(s.req, "127.0.0.1").result_int() != 200) {
      std::fprintf(stderr, "%s: warm-up failed\n", s.name);
      return 1;
    }
  }
  std::vector<std::string> lines;
  for (int threads : {1, 2}) {
    for (const auto& s : scenarios) {
      if (!opt.only.empty() && opt.only != s.name) continue;
      g_tick = s.tick;
      const auto misses = s.app->tile_cache().stats().misses;
      const Result r = run(*s.app, s.req, threads, opt.seconds);
      g_tick = false;
      const bool all_hits = s.app->tile_cache().stats().misses == misses;
      std::printf("%-9s threads=%d %9.0f req/s  p50 %8.1f us  p99 %8.1f us  (%zu requests%s)\n", s.name, threads,
                  r.rps, r.p50_us, r.p99_us, r.requests, all_hits ? ", all cache hits" : ", CACHE MISSES");
      char buf[256];
      std::snprintf(buf, sizeof buf, "RESULT scenario=%s threads=%d rps=%.0f p50_us=%.1f p99_us=%.1f", s.name,
                    threads, r.rps, r.p50_us, r.p99_us);
      lines.emplace_back(buf);
      std::fflush(stdout);
    }
  }
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
  std::filesystem::remove_all(opt.scratch);
  return 0;
}
