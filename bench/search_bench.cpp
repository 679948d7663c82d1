// The search index at the scale of a store: build time and memory, then query latency by query
// length for three callers (county admin, township cadre, anonymous), beside SQLite FTS5 with the
// trigram tokenizer over the same values (in memory) as the peer.
//
//   search_bench STORE.gpkg [QUERIES_PER_KIND]
//
// Queries are drawn from the store's own searchable values (substrings of 1, 2, 3 code points
// and whole values), plus village-code prefixes and absent texts.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <sqlite3.h>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/dataset.hpp"
#include "query/search_index.hpp"
#include "query/search_text.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

struct Value {
  std::string cls;
  std::int64_t fid;
  std::string field;
  std::string text;
};

// The first `n` code points starting at code point `from`.
std::string cut(const std::string& s, std::size_t from, std::size_t n) {
  std::vector<std::size_t> at{0};
  for (std::size_t b = 1; b <= s.size(); ++b) {
    if (b == s.size() || (static_cast<unsigned char>(s[b]) & 0xC0) != 0x80) at.push_back(b);
  }
  if (from + n >= at.size()) return {};
  return s.substr(at[from], at[from + n] - at[from]);
}

void report(const char* who, std::vector<double>& lat, std::size_t hits) {
  if (lat.empty()) return;
  std::sort(lat.begin(), lat.end());
  double total = 0;
  for (double l : lat) total += l;
  std::printf("  %-30s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  mean hits %8.1f\n", who,
              lat[lat.size() / 2], lat[lat.size() * 99 / 100], lat.back(),
              static_cast<double>(hits) / static_cast<double>(lat.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: search_bench STORE.gpkg [QUERIES_PER_KIND]\n");
    return 2;
  }
  const std::size_t per_kind = argc > 2 ? std::stoul(argv[2]) : 500;
  const auto catalog =
      model::LayerCatalog::load_directory(model::LayerCatalog::default_directory());
  const auto policy = access::Policy::load(access::Policy::default_path(), catalog);
  auto t0 = Clock::now();
  auto store = store::FeatureStore::open(argv[1], catalog, store::FeatureStore::Mode::read_only);
  auto owned_index = store::ServingIndex::load(store);
  const store::ServingIndex* index = owned_index.get();
  std::size_t features = 0;
  for (const auto& c : catalog.classes()) features += index->size(c.name);
  std::printf("serving index: %zu features loaded in %.0f ms; RSS %ld MiB\n", features,
              ms_since(t0), rss_kib() / 1024);

  const long rss0 = rss_kib();
  t0 = Clock::now();
  const query::SearchIndex search(*index);
  const double build_ms = ms_since(t0);
  const long rss1 = rss_kib();
  const query::SearchIndexStats st = search.stats();
  std::printf(
      "search index: %zu classes, %zu values, %zu grams, %zu postings; built in %.0f ms; "
      "%.1f MiB held (RSS +%.1f MiB)\n",
      st.classes, st.entries, st.keys, st.postings, build_ms, st.bytes / 1048576.0,
      (rss1 - rss0) / 1024.0);

  // Every searchable value, for query sampling and for the FTS5 peer.
  std::vector<Value> values;
  for (const auto& def : catalog.classes()) {
    std::vector<int> fields;
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
      if (def.fields[i].search) fields.push_back(static_cast<int>(i));
    }
    if (fields.empty()) continue;
    std::vector<store::ServedFeaturePtr> all;
    index->query(def.name, geo::BBox{-1e300, -1e300, 1e300, 1e300}, all);
    for (const auto& f : all) {
      for (int i : fields) {
        const auto* s = std::get_if<std::string>(&f->feature.values[static_cast<std::size_t>(i)]);
        if (s && !s->empty())
          values.push_back(
              {def.name, f->feature.fid, def.fields[static_cast<std::size_t>(i)].name, *s});
      }
    }
  }

  std::mt19937 rng(20091);
  std::map<std::string, std::vector<std::string>> kinds;
  while (kinds["1 char"].size() < per_kind || kinds["2 chars"].size() < per_kind ||
         kinds["3 chars"].size() < per_kind || kinds["whole value"].size() < per_kind) {
    const Value& v = values[rng() % values.size()];
    if (v.field == "village_code") continue;
    const std::size_t n = query::code_point_count(v.text);
    const std::size_t from = rng() % n;
    for (std::size_t len : {1, 2, 3}) {
      const std::string q = cut(v.text, from, len);
      const std::string kind = len == 1 ? "1 char" : len == 2 ? "2 chars" : "3 chars";
      if (!q.empty() && kinds[kind].size() < per_kind) kinds[kind].push_back(q);
    }
    if (kinds["whole value"].size() < per_kind) kinds["whole value"].push_back(v.text);
  }
  for (std::size_t i = 0; i < per_kind; ++i) {
    kinds["code prefix"].push_back(std::string("331124").substr(0, 4 + i % 3) +
                                   std::to_string(100 + i % 300));
    kinds["absent"].push_back("无此名" + std::to_string(i));
  }

  // Queries go through a caller's scoped reader, as the server's do (the dataset builds its own
  // search index over the same serving index; the one above was built for its statistics only).
  const auto data = query::Dataset::serve(catalog, std::move(owned_index));
  const access::Scope admin = access::Scope::for_user(policy, "admin", "county_admin", {});
  const access::Scope township =
      access::Scope::for_user(policy, "t", "township_cadre", {"331124207", "", {}});
  const access::Scope anon = access::Scope::anonymous(policy);
  for (const auto& [who, scope] :
       {std::pair{"county admin", &admin}, {"township cadre", &township}, {"anonymous", &anon}}) {
    std::printf("%s (limit 20):\n", who);
    for (auto& [kind, queries] : kinds) {
      std::vector<double> lat;
      std::size_t matched = 0;
      for (const auto& q : queries) {
        const auto t = Clock::now();
        const query::ScopedReader reader = data->reader(*scope);
        query::SearchRequest r;
        r.text = q;
        r.limit = 20;
        matched += query::search(reader, r).matched;
        lat.push_back(ms_since(t));
      }
      report(kind.c_str(), lat, matched);
    }
  }

  // The peer: SQLite FTS5, trigram tokenizer, in memory, the same values (no scope).
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  char* err = nullptr;
  if (sqlite3_exec(db,
                   "CREATE VIRTUAL TABLE t USING fts5(text, cls UNINDEXED, fid UNINDEXED, "
                   "tokenize='trigram')",
                   nullptr, nullptr, &err) != SQLITE_OK) {
    std::printf("FTS5 trigram unavailable: %s\n", err ? err : "?");
    return 0;
  }
  t0 = Clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(text, cls, fid) VALUES (?, ?, ?)", -1, &ins, nullptr);
  for (const auto& v : values) {
    sqlite3_bind_text(ins, 1, v.text.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, v.cls.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 3, v.fid);
    sqlite3_step(ins);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  const double fts_ms = ms_since(t0);
  sqlite3_int64 pages = 0, page_size = 0;
  sqlite3_stmt* st2 = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st2, nullptr);
  if (sqlite3_step(st2) == SQLITE_ROW) pages = sqlite3_column_int64(st2, 0);
  sqlite3_finalize(st2);
  sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st2, nullptr);
  if (sqlite3_step(st2) == SQLITE_ROW) page_size = sqlite3_column_int64(st2, 0);
  sqlite3_finalize(st2);
  std::printf("FTS5 trigram peer: %zu values inserted in %.0f ms; database %.1f MiB\n",
              values.size(), fts_ms, static_cast<double>(pages * page_size) / 1048576.0);
  // LIKE '%q%' uses the trigram index for q of 3+ characters and scans the table otherwise (FTS5
  // trigram documentation): the 1- and 2-character rows show the scan. No ranking, no scope.
  sqlite3_stmt* sel = nullptr;
  sqlite3_prepare_v2(db, "SELECT cls, fid, text FROM t WHERE text LIKE ?", -1, &sel, nullptr);
  for (auto& [kind, queries] : kinds) {
    std::vector<double> lat;
    std::size_t matched = 0;
    for (const auto& q : queries) {
      const std::string pattern = "%" + q + "%";
      const auto t = Clock::now();
      sqlite3_bind_text(sel, 1, pattern.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(sel) == SQLITE_ROW) ++matched;
      sqlite3_reset(sel);
      lat.push_back(ms_since(t));
    }
    report(kind.c_str(), lat, matched);
  }
  sqlite3_finalize(sel);
  sqlite3_close(db);
  return 0;
}
