// Tile cache hit rate across a burst of edits (issue 15 "invalidated by place"): serves a store the
// way `minqing serve` does (server::App, requests handed to App::handle in-process), browses a
// fixed county workload of tiles twice (cold, then warm: the hit rate before), applies a burst of
// edits over a few villages through query::Dataset::apply_committed — households and buildings
// moved a few metres, heads renamed — and browses the same workload again. Prints the hit rate
// after, split into tiles away from the edits (target: unchanged, 100 %) and near them, and
// beside it the hit rate main's class-versioned cache key would have had (every tile drawing an
// edited class misses), plus the time apply_committed took per edit (index, derived fields,
// journal, tile invalidation; the store write is the edit path's own).
//
//   edit_hit_rate_bench STORE.gpkg [--layers DIR] [--edits 100] [--villages 5] [--max-tiles 1500]
//
// The workload, per village (catalog order): the tiles z14–z16 over its extent; plus z11–z13 over
// the county; "terrain" for the public and "terrain,industry" for the county admin (demo accounts).
// Make a store with `minqing generate --villages 20 --out /tmp/county20.gpkg`.
// The last line is machine-readable: "RESULT tiles=… before=… after=… away=… near=… main=…".

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "access/password_hash.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "server/app.hpp"
#include "server/tile_invalidation.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

struct Visit {
  std::string maps;
  geo::TileId tile;
  bool admin = false;
};

server::Request request(server::http::verb verb, const std::string& target) {
  server::Request req{verb, target, 11};
  req.set(server::http::field::host, "127.0.0.1:8080");
  return req;
}

std::string admin_token(const server::App& app) {
  server::Request req = request(server::http::verb::post, "/api/login");
  req.set(server::http::field::content_type, "application/json");
  req.body() = nlohmann::json{{"username", "admin"}, {"password", "minqing-demo"}}.dump();
  req.prepare_payload();
  const server::Response res = app.handle(req, "127.0.0.1");
  if (res.result_int() != 200) {
    std::fprintf(stderr, "sign-in as admin failed: %s\n", res.body().c_str());
    std::exit(1);
  }
  return nlohmann::json::parse(res.body()).at("token").get<std::string>();
}

std::vector<geo::TileId> covering(const geo::BBox& b, int z) { return geo::tiles_covering(b, z); }

// Browses the workload once; returns, per visit, whether the tile came from the cache.
std::vector<bool> browse(const server::App& app, const std::vector<Visit>& visits, const std::string& token) {
  std::vector<bool> hit(visits.size());
  for (std::size_t i = 0; i < visits.size(); ++i) {
    const Visit& v = visits[i];
    server::Request req = request(server::http::verb::get, "/tiles/" + v.maps + "/" + std::to_string(v.tile.z) + "/" +
                                                               std::to_string(v.tile.x) + "/" + std::to_string(v.tile.y) + ".png");
    if (v.admin) req.set(server::http::field::authorization, "Bearer " + token);
    const auto hits = app.tile_cache().stats().hits;
    const server::Response res = app.handle(req, "127.0.0.1");
    if (res.result_int() != 200) {
      std::fprintf(stderr, "%s → %u\n", std::string(req.target()).c_str(), res.result_int());
      std::exit(1);
    }
    hit[i] = app.tile_cache().stats().hits > hits;
  }
  return hit;
}

double rate(std::size_t hits, std::size_t n) { return n ? 100.0 * static_cast<double>(hits) / static_cast<double>(n) : 100.0; }

std::string text(const model::Feature& f, int i) {
  const auto* s = i >= 0 ? std::get_if<std::string>(&f.values[static_cast<std::size_t>(i)]) : nullptr;
  return s ? *s : std::string{};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: edit_hit_rate_bench STORE.gpkg [--layers DIR] [--edits N] [--villages N] [--max-tiles N]\n");
    return 2;
  }
  server::AppOptions options;
  options.store = argv[1];
  options.layers_dir = "layers";
  int edits = 100, edited_villages = 5;
  std::size_t max_tiles = 1500;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--layers") options.layers_dir = argv[i + 1];
    else if (a == "--edits") edits = std::atoi(argv[i + 1]);
    else if (a == "--villages") edited_villages = std::atoi(argv[i + 1]);
    else if (a == "--max-tiles") max_tiles = static_cast<std::size_t>(std::atoll(argv[i + 1]));
  }
  const auto scratch = std::filesystem::temp_directory_path() / ("edit-hit-rate-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  options.auth_db = scratch / "auth.sqlite";
  options.audit_log = scratch / "audit.jsonl";
  options.durable_audit = false;
  options.demo_accounts = true;
  options.auth.cost = access::PasswordCost::minimum();
  server::App app(options);
  const std::string token = admin_token(app);
  const model::LayerCatalog& catalog = app.catalog();

  // The villages, in code order.
  std::vector<store::ServedFeaturePtr> villages;
  app.index().query("villages", app.index().extent(), villages);
  const int code_field = catalog.find_class("villages")->field_index("village_code");
  std::sort(villages.begin(), villages.end(),
            [&](const auto& a, const auto& b) { return text(a->feature, code_field) < text(b->feature, code_field); });

  // The workload.
  std::vector<Visit> visits;
  std::set<std::tuple<int, std::uint32_t, std::uint32_t>> listed;  // each tile once
  auto add = [&](const geo::BBox& b, int z) {
    for (const geo::TileId t : covering(b, z)) {
      if (!listed.emplace(t.z, t.x, t.y).second) continue;
      visits.push_back({"terrain", t, false});
      visits.push_back({"terrain,industry", t, true});
    }
  };
  for (int z = 11; z <= 13; ++z) add(app.index().extent("villages"), z);
  for (const auto& v : villages) {
    for (int z = 14; z <= 16; ++z) add(v->bbox, z);
  }
  if (visits.size() > max_tiles) {
    // A fixed subset, spread over the list (every k-th visit pair).
    std::vector<Visit> kept;
    const std::size_t step = (visits.size() + max_tiles - 1) / max_tiles;
    for (std::size_t i = 0; i < visits.size(); i += 2 * step) {
      kept.push_back(visits[i]);
      if (i + 1 < visits.size()) kept.push_back(visits[i + 1]);
    }
    visits = std::move(kept);
  }
  std::printf("store %s: %zu villages, workload %zu tile requests (terrain public + terrain,industry admin)\n",
              options.store.c_str(), villages.size(), visits.size());

  auto t0 = Clock::now();
  browse(app, visits, token);
  std::printf("cold pass: %.1f s\n", std::chrono::duration<double>(Clock::now() - t0).count());
  const std::vector<bool> warm = browse(app, visits, token);
  const auto warm_hits = static_cast<std::size_t>(std::count(warm.begin(), warm.end(), true));

  // The burst: households and buildings of the first `edited_villages` villages, moved a few metres
  // (and heads renamed), round robin over the villages.
  const auto store = store::FeatureStore::open(options.store, catalog, store::FeatureStore::Mode::read_only);
  std::map<std::string, std::vector<model::Feature>> by_village;  // "<class>|<village>" → features
  std::vector<std::string> edited_codes;
  for (int i = 0; i < edited_villages && i < static_cast<int>(villages.size()); ++i) {
    edited_codes.push_back(text(villages[static_cast<std::size_t>(i)]->feature, code_field));
  }
  for (const std::string cls : {"households", "buildings"}) {
    const int vk = catalog.find_class(cls)->field_index("village_code");
    store.for_each(cls, [&](model::Feature& f) {
      const std::string code = text(f, vk);
      if (std::find(edited_codes.begin(), edited_codes.end(), code) == edited_codes.end()) return;
      auto& list = by_village[cls + "|" + code];
      if (list.size() < 50) list.push_back(f);
    });
  }
  const int head = catalog.find_class("households")->field_index("head_name");
  query::Dataset& data = app.data_for_edits();
  const std::uint64_t before_burst = data.change_sequence();
  const auto invalidated0 = app.tile_cache().stats().invalidated;
  double apply_ms = 0;
  std::vector<double> apply_each;
  for (int e = 0; e < edits; ++e) {
    const std::string& code = edited_codes[static_cast<std::size_t>(e) % edited_codes.size()];
    const std::string cls = e % 2 ? "buildings" : "households";
    auto& list = by_village[cls + "|" + code];
    if (list.empty()) continue;
    model::Feature& f = list[static_cast<std::size_t>(e / 2) % list.size()];
    for (auto& p : f.geometry.coords) p.x += 5 + e % 7;
    if (cls == "households") f.values[static_cast<std::size_t>(head)] = "编辑" + std::to_string(e);
    const auto a0 = Clock::now();
    data.apply_committed(cls, f.fid, &f);
    apply_each.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a0).count());
    apply_ms += apply_each.back();
  }
  const auto changes = data.journal().since(before_burst);
  const auto invalidated = app.tile_cache().stats().invalidated - invalidated0;

  // Which visits a change touches (near), and which draw an edited class at all (main misses them).
  std::vector<server::TileInvalidation> burst;
  std::uint64_t edited_classes = 0;
  for (const auto& c : changes.value_or(std::vector<query::Change>{})) {
    burst.push_back(server::tile_invalidation(catalog, c));
    edited_classes |= burst.back().classes;
  }
  const std::vector<bool> after = browse(app, visits, token);
  std::size_t near = 0, near_hits = 0, away = 0, away_hits = 0, main_hits = 0;
  for (std::size_t i = 0; i < visits.size(); ++i) {
    const std::vector<std::string> maps = visits[i].maps == "terrain" ? std::vector<std::string>{"terrain"}
                                                                      : std::vector<std::string>{"terrain", "industry"};
    const server::TilePlace place{visits[i].tile, server::drawn_classes(catalog, app.styles(), maps)};
    const bool touched = std::any_of(burst.begin(), burst.end(), [&](const auto& c) { return server::touches(place, c); });
    (touched ? near : away) += 1;
    if (after[i]) (touched ? near_hits : away_hits) += 1;
    if ((place.classes & edited_classes) == 0 && warm[i]) ++main_hits;
  }
  const auto after_hits = static_cast<std::size_t>(std::count(after.begin(), after.end(), true));

  std::printf("burst: %d edits over %zu villages → %zu journaled changes (re-derivations included), %llu cached tiles dropped\n",
              edits, edited_codes.size(), changes ? changes->size() : 0, static_cast<unsigned long long>(invalidated));
  std::sort(apply_each.begin(), apply_each.end());
  const double median_ms = apply_each.empty() ? 0 : apply_each[apply_each.size() / 2];
  std::printf("apply_committed: %.3f ms per edit mean, %.3f ms median (index, derived fields, search and statistics,\n"
              "  journal, tile invalidation)\n", apply_ms / edits, median_ms);
  std::printf("hit rate before the burst    %6.2f %%  (%zu of %zu)\n", rate(warm_hits, visits.size()), warm_hits, visits.size());
  std::printf("hit rate after, all tiles    %6.2f %%  (%zu of %zu)\n", rate(after_hits, visits.size()), after_hits, visits.size());
  std::printf("  away from the edits        %6.2f %%  (%zu of %zu)   target: unchanged\n", rate(away_hits, away), away_hits, away);
  std::printf("  near the edits             %6.2f %%  (%zu of %zu)   (redrawn: they show the edits)\n", rate(near_hits, near), near_hits, near);
  std::printf("peer: main's key by class data version would hit %6.2f %% after the burst (%zu of %zu)\n",
              rate(main_hits, visits.size()), main_hits, visits.size());
  std::printf("RESULT tiles=%zu before=%.2f after=%.2f away=%.2f near=%.2f main=%.2f apply_median_ms=%.3f\n", visits.size(),
              rate(warm_hits, visits.size()), rate(after_hits, visits.size()), rate(away_hits, away), rate(near_hits, near),
              rate(main_hits, visits.size()), median_ms);
  std::filesystem::remove_all(scratch);
  return 0;
}
