// Issue 15 "visible at once": a change applied through query::Dataset::apply_committed reaches every
// structure built over the serving index — derived fields (a household's vulnerable_members, the
// grid_id an assisted household and a pairing copy from their household), search, statistics,
// extents — and is numbered in the change journal with its old and new extent. Readers querying
// while changes apply see one state or the other, never a broken one.

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "query/place.hpp"
#include "query/search_index.hpp"
#include "query/statistics.hpp"
#include "store/derived_fields.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

// A fresh dataset over the sample per test case: edits must not leak into other cases.
struct Edited {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  store::FeatureStore store = store::FeatureStore::open(test::sample_store().string(), catalog,
                                                        store::FeatureStore::Mode::read_only);
  std::unique_ptr<query::Dataset> data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  access::Policy policy = access::Policy::load(test::source_dir() / "policy" / "policy.json", catalog);
  access::Scope admin = access::Scope::for_user(policy, "admin", "county_admin", {});

  const store::ServingIndex& index() const { return data->unscoped_index(); }

  std::size_t field(const std::string& cls, const std::string& name) const {
    const int i = catalog.find_class(cls)->field_index(name);
    REQUIRE(i >= 0);
    return static_cast<std::size_t>(i);
  }
  // Every feature of `cls` as stored (store CRS), by fid.
  std::map<std::int64_t, model::Feature> stored(const std::string& cls) const {
    std::map<std::int64_t, model::Feature> out;
    store.for_each(cls, [&](model::Feature& f) { out.emplace(f.fid, f); });
    return out;
  }
  // The served value of `name` of feature `fid`.
  model::Value served(const std::string& cls, std::int64_t fid, const std::string& name) const {
    const auto f = index().find(cls, fid);
    REQUIRE(f);
    return f->feature.values[field(cls, name)];
  }
  std::int64_t max_fid(const std::string& cls) const {
    std::int64_t m = 0;
    for (const auto& [fid, f] : stored(cls)) m = std::max(m, fid);
    return m;
  }
};

std::string text_of(const model::Value& v) {
  const auto* s = std::get_if<std::string>(&v);
  return s ? *s : std::string{};
}

std::set<std::int64_t> search_fids(const Edited& e, const std::string& cls, const std::string& text) {
  const query::ScopedReader reader = e.data->reader(e.admin);
  query::SearchRequest req;
  req.text = text;
  req.limit = 100;
  std::set<std::int64_t> out;
  for (const auto& hit : query::search(reader, req).hits) {
    if (hit.view->def->name != cls) continue;
    for (const auto& f : hit.features) out.insert(f->feature.fid);
  }
  return out;
}

// Every derived field of the index recomputed over whole classes (what a reload would serve).
void check_derived_fields_as_at_load(const Edited& e) {
  const auto& classes = e.catalog.classes();
  std::vector<std::vector<model::Feature>> all(classes.size());
  for (std::size_t c = 0; c < classes.size(); ++c) {
    std::vector<store::ServedFeaturePtr> fs;
    e.index().query(classes[c].name, geo::BBox{-1e300, -1e300, 1e300, 1e300}, fs);
    for (const auto& f : fs) all[c].push_back(f->feature);
  }
  auto derived = all;
  store::derive_fields(e.catalog, derived);
  for (std::size_t c = 0; c < classes.size(); ++c) {
    for (std::size_t i = 0; i < all[c].size(); ++i) {
      INFO(classes[c].name << " fid " << all[c][i].fid);
      CHECK(all[c][i].values == derived[c][i].values);
    }
  }
}

}  // namespace

TEST_CASE("edits: a key person added, recategorised, removed re-derives its household's vulnerable_members",
          "[query][edits]") {
  Edited e;
  // A household of the sample, and its count as loaded.
  const auto households = e.stored("households");
  REQUIRE_FALSE(households.empty());
  const model::Feature& house = households.begin()->second;
  const std::string household_id = text_of(house.values[e.field("households", "household_id")]);
  const auto before = std::get<std::int64_t>(e.served("households", house.fid, "vulnerable_members"));

  model::Feature person;
  person.fid = e.max_fid("key_persons") + 100;
  const auto& def = *e.catalog.find_class("key_persons");
  person.values.resize(def.fields.size());
  person.values[e.field("key_persons", "person_id")] = std::string("KP-EDIT-1");
  person.values[e.field("key_persons", "village_code")] = house.values[e.field("households", "village_code")];
  person.values[e.field("key_persons", "household_id")] = household_id;
  person.values[e.field("key_persons", "category")] = std::string("left_behind_elderly");
  person.values[e.field("key_persons", "name")] = std::string("测试老人");
  person.values[e.field("key_persons", "risk_level")] = std::int64_t{2};
  person.geometry = house.geometry;

  const std::uint64_t seq = e.data->change_sequence();
  e.data->apply_committed("key_persons", person.fid, &person);
  CHECK(std::get<std::int64_t>(e.served("households", house.fid, "vulnerable_members")) == before + 1);
  // Two changes journaled: the key person (inserted: no old extent), then its household re-derived
  // (in place: old extent = new extent).
  const auto changes = e.data->journal().since(seq);
  REQUIRE(changes);
  REQUIRE(changes->size() == 2);
  CHECK((*changes)[0].class_name == "key_persons");
  CHECK((*changes)[0].fid == person.fid);
  CHECK((*changes)[0].old_extent.empty());
  CHECK_FALSE((*changes)[0].new_extent.empty());
  CHECK((*changes)[1].class_name == "households");
  CHECK((*changes)[1].fid == house.fid);
  CHECK((*changes)[1].old_extent.intersects((*changes)[1].new_extent));
  CHECK((*changes)[1].sequence == seq + 2);
  CHECK(e.data->change_sequence() == seq + 2);

  // Petition is not a category that needs help to evacuate: the count goes back.
  person.values[e.field("key_persons", "category")] = std::string("petition");
  e.data->apply_committed("key_persons", person.fid, &person);
  CHECK(std::get<std::int64_t>(e.served("households", house.fid, "vulnerable_members")) == before);
  person.values[e.field("key_persons", "category")] = std::string("disabled");
  e.data->apply_committed("key_persons", person.fid, &person);
  CHECK(std::get<std::int64_t>(e.served("households", house.fid, "vulnerable_members")) == before + 1);
  e.data->apply_committed("key_persons", person.fid, nullptr);
  CHECK(std::get<std::int64_t>(e.served("households", house.fid, "vulnerable_members")) == before);
  CHECK(e.index().find("key_persons", person.fid) == nullptr);
  // Deleting what is not served changes nothing and journals nothing.
  const std::uint64_t now = e.data->change_sequence();
  e.data->apply_committed("key_persons", person.fid, nullptr);
  CHECK(e.data->change_sequence() == now);
  check_derived_fields_as_at_load(e);
}

TEST_CASE("edits: a household moved to another grid carries its assisted household and pairings along",
          "[query][edits]") {
  Edited e;
  // A household that is assisted (the sample pairs every assisted household with a cadre).
  const auto assisted = e.stored("assisted_households");
  REQUIRE_FALSE(assisted.empty());
  const std::string household_id =
      text_of(assisted.begin()->second.values[e.field("assisted_households", "household_id")]);
  const std::int64_t assisted_fid = assisted.begin()->first;
  model::Feature house;
  for (const auto& [fid, f] : e.stored("households")) {
    if (text_of(f.values[e.field("households", "household_id")]) == household_id) house = f;
  }
  REQUIRE(house.fid != 0);
  std::vector<std::int64_t> pairings;
  for (const auto& [fid, f] : e.stored("pairings")) {
    if (text_of(f.values[e.field("pairings", "household_id")]) == household_id) pairings.push_back(fid);
  }
  const auto vulnerable = e.served("households", house.fid, "vulnerable_members");

  house.values[e.field("households", "grid_id")] = std::string("331124207201-G99");
  // A stored value of a derived field is ignored: the key persons are the truth.
  house.values[e.field("households", "vulnerable_members")] = std::int64_t{99};
  e.data->apply_committed("households", house.fid, &house);
  CHECK(e.served("households", house.fid, "vulnerable_members") == vulnerable);
  CHECK(text_of(e.served("assisted_households", assisted_fid, "grid_id")) == "331124207201-G99");
  for (std::int64_t fid : pairings) CHECK(text_of(e.served("pairings", fid, "grid_id")) == "331124207201-G99");

  // A new assisted household of the same household takes the grid at once.
  model::Feature added = assisted.begin()->second;
  added.fid = e.max_fid("assisted_households") + 100;
  added.values[e.field("assisted_households", "grid_id")] = std::string("stale");
  e.data->apply_committed("assisted_households", added.fid, &added);
  CHECK(text_of(e.served("assisted_households", added.fid, "grid_id")) == "331124207201-G99");
  // Two households under one id with different grids: the copy is ambiguous (null), as at load.
  model::Feature twin = house;
  twin.fid = e.max_fid("households") + 100;
  twin.values[e.field("households", "grid_id")] = std::string("331124207201-G98");
  e.data->apply_committed("households", twin.fid, &twin);
  CHECK(std::holds_alternative<std::monostate>(e.served("assisted_households", assisted_fid, "grid_id")));
  e.data->apply_committed("households", twin.fid, nullptr);
  CHECK(text_of(e.served("assisted_households", assisted_fid, "grid_id")) == "331124207201-G99");
  check_derived_fields_as_at_load(e);
}

TEST_CASE("edits: search, statistics and extents follow an edit and a delete", "[query][edits]") {
  Edited e;
  const auto households = e.stored("households");
  model::Feature house = households.begin()->second;
  const std::string village = text_of(house.values[e.field("households", "village_code")]);
  const query::Place place{query::Place::Kind::village, village};
  auto household_count = [&] {
    const query::ScopedReader reader = e.data->reader(e.admin);
    return query::statistics(reader, place, {"industry"})
        .at("maps").at("industry").at("totals").at("households").at("count").get<std::size_t>();
  };
  auto extent = [&] { return e.data->reader(e.admin).extent("households"); };
  const std::size_t count = household_count();
  const geo::BBox extent_before = extent();

  // Renamed: the next search finds the new name and not the old one.
  const std::string old_name = text_of(house.values[e.field("households", "head_name")]);
  REQUIRE(search_fids(e, "households", old_name).count(house.fid) == 1);
  house.values[e.field("households", "head_name")] = std::string("编辑测试户主");
  // Moved 20 km east: outside every village, the class's extent grows.
  for (auto& p : house.geometry.coords) p.x += 20000;
  e.data->apply_committed("households", house.fid, &house);
  CHECK(search_fids(e, "households", "编辑测试户主") == std::set<std::int64_t>{house.fid});
  CHECK(search_fids(e, "households", old_name).count(house.fid) == 0);
  CHECK(household_count() == count);  // still of its village by code
  CHECK(extent().max_x > extent_before.max_x + 10000);

  // Deleted: no longer found, counted or in the extent.
  e.data->apply_committed("households", house.fid, nullptr);
  CHECK(search_fids(e, "households", "编辑测试户主").empty());
  CHECK(household_count() == count - 1);
  CHECK(extent().max_x < extent_before.max_x + 1);
  CHECK(e.data->reader(e.admin).count("households") == e.index().size("households"));

  // A new shelter is found by the next search.
  model::Feature shelter = e.stored("shelters").begin()->second;
  shelter.fid = e.max_fid("shelters") + 100;
  shelter.values[e.field("shelters", "name")] = std::string("新建避灾点");
  e.data->apply_committed("shelters", shelter.fid, &shelter);
  CHECK(search_fids(e, "shelters", "新建避灾") == std::set<std::int64_t>{shelter.fid});
}

TEST_CASE("edits: readers querying while changes apply see whole features, and the end state is right",
          "[query][edits]") {
  Edited e;
  const auto households = e.stored("households");
  std::vector<model::Feature> houses;
  for (const auto& [fid, f] : households) {
    if (houses.size() < 20) houses.push_back(f);
  }
  const std::size_t total = e.index().size("households");
  std::atomic<bool> done{false};
  std::atomic<int> broken{0};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      const query::ScopedReader reader = e.data->reader(e.admin);
      const query::Place place{query::Place::Kind::village,
                               text_of(houses.front().values[e.field("households", "village_code")])};
      while (!done) {
        std::vector<store::ServedFeaturePtr> got;
        reader.query("households", geo::BBox{-1e300, -1e300, 1e300, 1e300}, got);
        // Every edit keeps the number of households (moves and renames, a key person added and
        // removed): a reader sees all of them, each whole.
        if (got.size() != total) ++broken;
        for (const auto& f : got) {
          if (!f || f->feature.values.size() != e.catalog.find_class("households")->fields.size()) ++broken;
        }
        if (t == 0) {
          query::SearchRequest req;
          req.text = "并发";
          for (const auto& hit : query::search(reader, req).hits) {
            if (hit.text.find("并发") == std::string::npos) ++broken;
          }
        } else {
          (void)query::statistics(reader, place, {"industry", "disaster"});
        }
        ++reads;
      }
    });
  }
  model::Feature person;
  person.values.resize(e.catalog.find_class("key_persons")->fields.size());
  person.fid = e.max_fid("key_persons") + 1000;
  for (int i = 0; i < 200; ++i) {
    model::Feature& h = houses[static_cast<std::size_t>(i) % houses.size()];
    h.values[e.field("households", "head_name")] = "并发户主" + std::to_string(i);
    for (auto& p : h.geometry.coords) p.x += (i % 2 ? -3 : 3);
    e.data->apply_committed("households", h.fid, &h);
    person.values[e.field("key_persons", "household_id")] = h.values[e.field("households", "household_id")];
    person.values[e.field("key_persons", "category")] = std::string("solitary_elderly");
    person.geometry = h.geometry;
    e.data->apply_committed("key_persons", person.fid, i % 3 == 2 ? nullptr : &person);
  }
  done = true;
  for (auto& r : readers) r.join();
  CHECK(broken == 0);
  CHECK(reads > 0);
  // The last names are what a search finds now; derived fields are what a reload would give.
  for (const auto& h : houses) {
    const std::string name = text_of(h.values[e.field("households", "head_name")]);
    CHECK(search_fids(e, "households", name).count(h.fid) == 1);
  }
  check_derived_fields_as_at_load(e);
}
