// The masked copies a ScopedReader hands out are made once per grant and feature version and
// shared (query/admitted_copies.hpp): callers with the same grant read the same copy, callers
// with another grant their own, and an edit is read at once in every caller's form.

#include <map>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "access/masking.hpp"
#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/admitted_copies.hpp"
#include "query/dataset.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

constexpr double kBig = 1e300;
constexpr geo::BBox kEverything{-kBig, -kBig, kBig, kBig};

// A fresh dataset per test case: the copies kept and the edits must not leak into other cases.
struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  store::FeatureStore store = store::FeatureStore::open(test::sample_store().string(), catalog,
                                                        store::FeatureStore::Mode::read_only);
  std::unique_ptr<query::Dataset> data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  access::Policy policy = access::Policy::load(test::source_dir() / "policy" / "policy.json", catalog);

  std::size_t field(const std::string& cls, const std::string& name) const {
    const int i = catalog.find_class(cls)->field_index(name);
    REQUIRE(i >= 0);
    return static_cast<std::size_t>(i);
  }
  std::vector<store::ServedFeaturePtr> read(const access::Scope& scope, const std::string& cls) const {
    std::vector<store::ServedFeaturePtr> out;
    data->reader(scope).query(cls, kEverything, out);
    return out;
  }
};

std::map<std::int64_t, store::ServedFeaturePtr> by_fid(const std::vector<store::ServedFeaturePtr>& features) {
  std::map<std::int64_t, store::ServedFeaturePtr> out;
  for (const auto& f : features) out.emplace(f->feature.fid, f);
  return out;
}

}  // namespace

TEST_CASE("callers with the same grant read one shared masked copy, never the served feature", "[query][masking]") {
  Sample s;
  const access::Scope visitor = access::Scope::anonymous(s.policy);
  const access::Scope another_visitor = access::Scope::anonymous(s.policy);
  const std::size_t household_id = s.field("buildings", "household_id");

  const auto first = by_fid(s.read(visitor, "buildings"));
  REQUIRE(first.size() == s.data->unscoped_index().size("buildings"));
  bool any_stored = false;
  for (const auto& [fid, f] : first) {
    const auto served = s.data->unscoped_index().find("buildings", fid);
    REQUIRE(served);
    CHECK(f != served);  // a copy: the served feature keeps its household
    CHECK(std::holds_alternative<std::monostate>(f->feature.values[household_id]));
    any_stored = any_stored || !std::holds_alternative<std::monostate>(served->feature.values[household_id]);
    // Everything else is as served.
    for (std::size_t i = 0; i < f->feature.values.size(); ++i) {
      if (i != household_id) CHECK(f->feature.values[i] == served->feature.values[i]);
    }
    CHECK(f->feature.geometry.coords == served->feature.geometry.coords);
    CHECK(f->bbox.min_x == served->bbox.min_x);
  }
  CHECK(any_stored);  // the sample's buildings do record households, so hiding them is tested

  // Read again, and by another anonymous caller: the same copies.
  const auto again = by_fid(s.read(another_visitor, "buildings"));
  REQUIRE(again.size() == first.size());
  for (const auto& [fid, f] : again) CHECK(f == first.at(fid));
  const std::int64_t some = first.begin()->first;
  CHECK(s.data->reader(visitor).find("buildings", some) == first.at(some));

  // A caller with another grant of the class (county admin: every field) is not handed them.
  const access::Scope admin = access::Scope::for_user(s.policy, "admin", "county_admin", {});
  for (const auto& f : s.read(admin, "buildings")) CHECK(f == s.data->unscoped_index().find("buildings", f->feature.fid));
}

TEST_CASE("an edit is read at once in the masked form, and the copies kept stay bounded", "[query][masking]") {
  Sample s;
  const access::Scope visitor = access::Scope::anonymous(s.policy);
  const std::size_t floors = s.field("buildings", "floors");
  const std::size_t household_id = s.field("buildings", "household_id");
  const auto before = by_fid(s.read(visitor, "buildings"));
  REQUIRE_FALSE(before.empty());
  const std::int64_t fid = before.begin()->first;

  // The edit, as an editor commits it: the stored feature with one more floor.
  model::Feature edited;
  s.store.for_each("buildings", [&](model::Feature& f) {
    if (f.fid == fid) edited = f;
  });
  REQUIRE(edited.fid == fid);
  const std::int64_t floors_before = std::get<std::int64_t>(edited.values[floors]);
  edited.values[floors] = floors_before + 1;
  s.data->apply_committed("buildings", fid, &edited);

  const auto after = s.data->reader(visitor).find("buildings", fid);
  REQUIRE(after);
  CHECK(after != before.at(fid));
  CHECK(std::get<std::int64_t>(after->feature.values[floors]) == floors_before + 1);
  CHECK(std::holds_alternative<std::monostate>(after->feature.values[household_id]));
  // The copy read before the edit is a snapshot: it still says what was served then.
  CHECK(std::get<std::int64_t>(before.at(fid)->feature.values[floors]) == floors_before);

  // Many edits of one feature keep no more copies than the bound (twice the class plus slack).
  for (int i = 0; i < 50; ++i) {
    edited.values[floors] = floors_before + 2 + i;
    s.data->apply_committed("buildings", fid, &edited);
    REQUIRE(s.data->reader(visitor).find("buildings", fid));
  }
  CHECK(std::get<std::int64_t>(s.data->reader(visitor).find("buildings", fid)->feature.values[floors]) == floors_before + 51);
  CHECK(s.data->admitted_copies().size() <= before.size());  // replaced in place, not piled up
}

TEST_CASE("a masked field is masked in the shared copy exactly as for one caller", "[query][masking]") {
  Sample s;
  const std::size_t id_number = s.field("key_persons", "id_number");
  // Two cadres of the same village share the grant; their copies are one.
  const auto served = s.data->unscoped_index().find("key_persons", s.read(access::Scope::for_user(s.policy, "admin", "county_admin", {}), "key_persons").front()->feature.fid);
  REQUIRE(served);
  const auto& village = std::get<std::string>(served->feature.values[s.field("key_persons", "village_code")]);
  access::Assignment here;
  here.village_code = village;
  const access::Scope cadre = access::Scope::for_user(s.policy, "cadre", "village_cadre", here);
  const access::Scope cadre2 = access::Scope::for_user(s.policy, "cadre2", "village_cadre", here);
  const auto seen = s.data->reader(cadre).find("key_persons", served->feature.fid);
  REQUIRE(seen);
  CHECK(seen->feature.values[id_number] != served->feature.values[id_number]);
  std::vector<model::Value> values = served->feature.values;
  access::apply_grant(*s.catalog.find_class("key_persons"), *cadre.grant(*s.catalog.find_class("key_persons"), served->feature), values);
  CHECK(seen->feature.values == values);
  CHECK(s.data->reader(cadre2).find("key_persons", served->feature.fid) == seen);
}
