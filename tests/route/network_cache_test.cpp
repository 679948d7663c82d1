// The road network of a dataset is built once and rebuilt only when roads or hazard zones change
// (issue 10): a scratch store with one road, served; routes asked again and again reuse the
// network; an edit to hazard_zones (as the edit path applies it to the serving index) moves the
// data version, and the next request sees the zone and finds no route.

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "route/network_cache.hpp"
#include "route/route_planner.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

// EPSG:4549 (easting, northing) near Songyang.
constexpr double kE = 421000, kN = 3166800;

model::Feature road_feature(double e0, double e1, const std::string& name) {
  model::Feature f;
  f.values = {std::string("331124207201"), name, std::string("village"), 4.0};
  f.geometry = geo::Geometry::line({{kE + e0, kN}, {kE + e1, kN}});
  return f;
}

model::Feature zone_feature(double e0, double e1) {
  model::Feature f;
  f.values = {std::string("331124207201-Z99"), std::string("331124207201"), std::string("landslide"),
              std::string("high"), std::int64_t{3}, std::string("村监测员")};
  f.geometry = geo::Geometry::polygon({{kE + e0, kN - 100}, {kE + e1, kN - 100}, {kE + e1, kN + 100}, {kE + e0, kN + 100}});
  return f;
}

// A scratch store holding one road, 1 km west to east, opened read-only.
store::FeatureStore one_road_store(const model::LayerCatalog& catalog, const std::string& name) {
  const auto path = test::scratch_dir(name) / "store.gpkg";
  {
    auto store = store::FeatureStore::create(path, catalog);
    store.begin();
    store.insert("roads", road_feature(0, 1000, "甲路"));
    store.commit();
  }
  return store::FeatureStore::open(path, catalog, store::FeatureStore::Mode::read_only);
}

}  // namespace

TEST_CASE("route: the network is rebuilt when hazard zones change, never per request", "[route]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto store = one_road_store(catalog, "route-network-cache");
  auto data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  route::NetworkCache cache(*data);

  std::vector<store::ServedFeaturePtr> roads;
  data->unscoped_index().query("roads", {-1e300, -1e300, 1e300, 1e300}, roads);
  REQUIRE(roads.size() == 1);
  const auto& line = roads.front()->feature.geometry.coords;  // EPSG:3857
  route::RouteRequest request;
  request.from = {line[0].x + (line[1].x - line[0].x) * 0.1, line[0].y};
  request.targets = {{line[0].x + (line[1].x - line[0].x) * 0.9, line[0].y}};

  for (int i = 0; i < 5; ++i) {
    CHECK(route::plan_route(*cache.current(), request).path.length_m == Approx(800).epsilon(0.01));
  }
  CHECK(cache.builds() == 1);

  // A landslide zone reported across the road: the next request is refused with the reason.
  model::Feature zone = zone_feature(400, 600);
  zone.fid = 1;
  data->editable_index().upsert("hazard_zones", zone);
  const auto network = cache.current();
  CHECK(cache.builds() == 2);
  CHECK_THROWS_WITH(route::plan_route(*network, request), Catch::Contains("hazard zones"));
  CHECK(cache.current() == network);
  CHECK(cache.builds() == 2);
}

TEST_CASE("route: an edited hazard zone is built into the network in the background, then routed around",
          "[route][edits]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto store = one_road_store(catalog, "route-network-background");
  auto data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  route::NetworkCache cache(*data);
  data->on_change([&cache](const query::Change& c) {
    if (c.class_name == "hazard_zones") cache.rebuild_in_background();
  });
  std::vector<store::ServedFeaturePtr> roads;
  data->unscoped_index().query("roads", {-1e300, -1e300, 1e300, 1e300}, roads);
  const auto& line = roads.front()->feature.geometry.coords;  // EPSG:3857
  route::RouteRequest request;
  request.from = {line[0].x + (line[1].x - line[0].x) * 0.1, line[0].y};
  request.targets = {{line[0].x + (line[1].x - line[0].x) * 0.9, line[0].y}};
  CHECK(route::plan_route(*cache.current(), request).path.length_m == Approx(800).epsilon(0.01));
  CHECK(cache.builds() == 1);

  // Committed through the edit seam: the listener starts the build; the next request gets it (or
  // waits for it) without building its own.
  model::Feature zone = zone_feature(400, 600);
  zone.fid = 7;
  data->apply_committed("hazard_zones", zone.fid, &zone);
  CHECK_THROWS_WITH(route::plan_route(*cache.current(), request), Catch::Contains("hazard zones"));
  CHECK(cache.builds() == 2);
  // The zone removed: routed again.
  data->apply_committed("hazard_zones", zone.fid, nullptr);
  CHECK(route::plan_route(*cache.current(), request).path.length_m == Approx(800).epsilon(0.01));
  CHECK(cache.builds() == 3);
}
