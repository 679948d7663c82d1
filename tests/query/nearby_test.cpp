// Nearby below HTTP, on the sample villages: every hit within the radius, sorted, each distance
// checked against EPSG:4549 (PROJ + GEOS), and the count equal to a brute-force pass over the
// whole class (which catches an R-tree box that was not widened for 3857's stretch).

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "geo/geos.hpp"
#include "geo/projection.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/dataset.hpp"
#include "query/nearby.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/metric_distance.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  store::FeatureStore store = store::FeatureStore::open(test::sample_store(), catalog, store::FeatureStore::Mode::read_only);
  std::unique_ptr<query::Dataset> data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  const store::ServingIndex* index = &data->unscoped_index();
  access::Policy policy = access::Policy::load(test::source_dir() / "policy" / "policy.json", catalog);
  access::Scope admin = access::Scope::for_user(policy, "admin", "county_admin", {});
  access::Scope cadre2 = access::Scope::for_user(policy, "cadre2", "village_cadre", {"", "331124207202", {}});
};

Sample& sample() {
  static Sample s;
  return s;
}

std::vector<store::ServedFeaturePtr> all_of(const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  sample().index->query(cls, {-1e300, -1e300, 1e300, 1e300}, out);
  return out;
}

}  // namespace

TEST_CASE("nearby: sorted, within the radius, distances as PROJ measures them, count by brute force", "[query][nearby]") {
  const auto households = all_of("households");
  REQUIRE(households.size() > 10);
  const geo::Coord centre = households[households.size() / 2]->feature.geometry.coords.at(0);
  for (const auto& [cls, radius] : std::vector<std::pair<std::string, double>>{
           {"households", 150}, {"households", 1200}, {"roads", 300}, {"landcover", 80}, {"buildings", 5000}}) {
    INFO(cls << " within " << radius << " m");
    const auto reader = sample().data->reader(sample().admin);
    const query::ClassView& view = *reader.view(cls);
    const auto r = query::nearby(reader, view, centre, radius, 100000);
    REQUIRE(r.hits.size() == r.matched);
    REQUIRE_FALSE(r.hits.empty());
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
      const double oracle = test::distance_4549(r.hits[i].feature->feature.geometry, centre);
      CHECK(r.hits[i].distance_m == Approx(oracle).epsilon(0.01).margin(0.01));
      CHECK(r.hits[i].distance_m <= radius);
      if (i > 0) CHECK(r.hits[i - 1].distance_m <= r.hits[i].distance_m);
    }
    // Brute force over the whole class with the oracle: exact except within 0.1% of the radius.
    std::size_t surely_in = 0, maybe_in = 0;
    for (const auto& f : all_of(cls)) {
      const double d = test::distance_4549(f->feature.geometry, centre);
      if (d <= radius * 0.999) ++surely_in;
      if (d <= radius * 1.001) ++maybe_in;
    }
    CHECK(r.matched >= surely_in);
    CHECK(r.matched <= maybe_in);
  }
}

TEST_CASE("nearby: limit cuts the list, not the count", "[query][nearby]") {
  const auto households = all_of("households");
  const geo::Coord centre = households.front()->feature.geometry.coords.at(0);
  const auto reader = sample().data->reader(sample().admin);
  const query::ClassView& view = *reader.view("households");
  const auto all = query::nearby(reader, view, centre, 1000, 100000);
  REQUIRE(all.matched > 5);
  const auto five = query::nearby(reader, view, centre, 1000, 5);
  REQUIRE(five.hits.size() == 5);
  CHECK(five.matched == all.matched);
  for (std::size_t i = 0; i < 5; ++i) CHECK(five.hits[i].feature == all.hits[i].feature);
}

TEST_CASE("nearby: only what the caller's area holds", "[query][nearby]") {
  // Around a household of the first village, a cadre of the second village finds only households
  // of the second village (if any), never the first's.
  const auto* def = sample().catalog.find_class("households");
  const int vk = def->field_index("village_code");
  store::ServedFeaturePtr first;
  for (const auto& h : all_of("households")) {
    if (std::get<std::string>(h->feature.values[static_cast<std::size_t>(vk)]) == "331124207201") first = h;
  }
  REQUIRE(first);
  const geo::Coord centre = first->feature.geometry.coords[0];
  const auto admin_reader = sample().data->reader(sample().admin);
  const auto cadre2_reader = sample().data->reader(sample().cadre2);
  const auto admin = query::nearby(admin_reader, *admin_reader.view("households"), centre, 5000, 100000);
  const auto other = query::nearby(cadre2_reader, *cadre2_reader.view("households"), centre, 5000, 100000);
  CHECK(admin.matched > other.matched);
  for (const auto& h : other.hits) CHECK(std::get<std::string>(h.feature->feature.values[static_cast<std::size_t>(vk)]) == "331124207202");
}
