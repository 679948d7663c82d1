// Issue 12 part 4 (county start-up): what the dataset builds later or in parallel gives the same
// answers as what it built at load — search and statistics asked before, during and after a
// background warm-up, or never warmed (the atlas); the serving index read on several threads.

#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "query/place.hpp"
#include "query/search_index.hpp"
#include "query/statistics.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

const model::LayerCatalog& catalog() {
  static const model::LayerCatalog c = model::LayerCatalog::load_directory(test::layers_dir());
  return c;
}

const access::Policy& policy() {
  static const access::Policy p = access::Policy::load(access::Policy::default_path(), catalog());
  return p;
}

bool same(const geo::BBox& a, const geo::BBox& b) {
  return a.min_x == b.min_x && a.min_y == b.min_y && a.max_x == b.max_x && a.max_y == b.max_y;
}

std::unique_ptr<query::Dataset> open_sample(const query::DatasetOptions& options) {
  return query::Dataset::open(test::sample_store().string(), catalog(), options);
}

std::vector<std::string> all_maps() {
  std::vector<std::string> out;
  for (const auto& m : catalog().maps()) out.push_back(m.name);
  return out;
}

// Everything a search answer says, as text: two answers are the same when these are equal.
std::string search_digest(const query::Dataset& data, const access::Scope& scope, const std::string& text) {
  const query::ScopedReader reader = data.reader(scope);
  query::SearchRequest r;
  r.text = text;
  r.limit = 1000;
  const query::SearchAnswer a = query::search(reader, r);
  std::ostringstream out;
  out << "matched " << a.matched << "\n";
  for (std::size_t n : a.matched_per_view) out << n << ' ';
  out << "\n";
  for (const auto& h : a.hits) {
    out << h.view->def->name << ' ' << h.field << ' ' << h.text << ' ' << static_cast<int>(h.match) << ' '
        << h.village_code << ' ' << h.bbox.min_x << ',' << h.bbox.min_y << ',' << h.bbox.max_x << ',' << h.bbox.max_y;
    for (const auto& f : h.features) out << ' ' << f->feature.fid;
    out << "\n";
  }
  return out.str();
}

std::string stats_digest(const query::Dataset& data, const access::Scope& scope, const query::Place& place) {
  return query::statistics(data.reader(scope), place, all_maps()).dump();
}

// The questions asked of every dataset: searches (one and two characters, a code) and statistics
// (a village, the township) as the county administrator and as a village cadre.
struct Questions {
  std::vector<std::pair<const access::Scope*, std::string>> searches;
  std::vector<std::pair<const access::Scope*, query::Place>> places;
  access::Scope admin = access::Scope::for_user(policy(), "admin", access::kRoleCountyAdmin, {});
  access::Scope cadre = access::Scope::for_user(policy(), "cadre", "village_cadre", {"", "331124207201", {}});
  Questions() {
    for (const auto* s : {&admin, &cadre}) {
      for (const char* q : {"村", "张", "茶园", "路", "3311242072", "小吊门"}) searches.emplace_back(s, q);
      places.emplace_back(s, query::Place{query::Place::Kind::village, "331124207201"});
    }
    places.emplace_back(&admin, query::Place{query::Place::Kind::township, "331124207"});
  }

  std::vector<std::string> ask(const query::Dataset& data) const {
    std::vector<std::string> out;
    for (const auto& [scope, text] : searches) out.push_back(search_digest(data, *scope, text));
    for (const auto& [scope, place] : places) out.push_back(stats_digest(data, *scope, place));
    return out;
  }
};

const std::vector<std::string>& answers_built_at_load() {
  static const std::vector<std::string> a = [] {
    query::DatasetOptions o;
    o.engines = query::EngineWarmUp::at_load;
    return Questions().ask(*open_sample(o));
  }();
  return a;
}

}  // namespace

TEST_CASE("dataset: search and statistics asked before the background warm-up has built anything are whole",
          "[query][dataset][search][statistics]") {
  const auto& expected = answers_built_at_load();
  REQUIRE(expected.size() > 10);
  // The sample answers something: the comparison below is not between two empty answers.
  CHECK(expected.front().find("matched 0\n") == std::string::npos);

  // The warm-up thread is held before it builds anything until every question has been answered.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  query::DatasetOptions o;
  o.engines = query::EngineWarmUp::in_background;
  o.before_warm_up = [&started, released] {
    started.set_value();
    released.wait();
  };
  const auto data = open_sample(o);
  started.get_future().wait();  // the background thread exists and waits: nothing is built yet
  const Questions questions;
  CHECK(questions.ask(*data) == expected);
  release.set_value();
  data->wait_for_warm_up();
  CHECK(questions.ask(*data) == expected);
}

TEST_CASE("dataset: search and statistics asked from two threads while the background warm-up runs are whole",
          "[query][dataset][search][statistics]") {
  const auto& expected = answers_built_at_load();
  query::DatasetOptions o;
  o.engines = query::EngineWarmUp::in_background;
  const auto data = open_sample(o);
  const Questions questions;
  std::vector<std::future<std::vector<std::string>>> askers;
  for (int t = 0; t < 2; ++t) askers.push_back(std::async(std::launch::async, [&] { return questions.ask(*data); }));
  for (auto& a : askers) CHECK(a.get() == expected);
  data->wait_for_warm_up();
  CHECK(questions.ask(*data) == expected);
}

TEST_CASE("dataset: opened without warming (the atlas), search and statistics build on first use and answer the same",
          "[query][dataset][search][statistics]") {
  query::DatasetOptions o;
  o.engines = query::EngineWarmUp::on_first_use;
  o.load_threads = 1;
  const auto data = open_sample(o);
  data->wait_for_warm_up();  // returns at once: nothing runs in the background
  CHECK(Questions().ask(*data) == answers_built_at_load());
}

TEST_CASE("serving index: read and projected on several threads, it holds the same features as on one",
          "[query][dataset][store]") {
  const auto store = store::FeatureStore::open(test::sample_store().string(), catalog(),
                                               store::FeatureStore::Mode::read_only);
  const auto one = store::ServingIndex::load(store, 1);
  const auto four = store::ServingIndex::load(store, 4);
  std::size_t compared = 0;
  for (const auto& c : catalog().classes()) {
    INFO(c.name);
    REQUIRE(one->size(c.name) == four->size(c.name));
    CHECK(same(one->extent(c.name), four->extent(c.name)));
    std::vector<store::ServedFeaturePtr> all;
    one->query(c.name, geo::BBox{-1e300, -1e300, 1e300, 1e300}, all);
    for (const auto& f : all) {
      const auto g = four->find(c.name, f->feature.fid);
      REQUIRE(g);
      CHECK(g->feature.values == f->feature.values);  // derived fields included
      CHECK(g->feature.geometry.coords == f->feature.geometry.coords);
      CHECK(g->feature.geometry.part_ends == f->feature.geometry.part_ends);
      CHECK(g->feature.geometry.polygon_ends == f->feature.geometry.polygon_ends);
      CHECK(same(g->bbox, f->bbox));
      ++compared;
    }
  }
  CHECK(compared > 1000);
}
