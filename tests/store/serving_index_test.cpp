// The serving index holds features projected to EPSG:3857 and answers bbox queries; edits land
// without a reload and bump the class's data version.

#include <catch2/catch.hpp>

#include "geo/projection.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {
model::Feature shelter(const model::FeatureClassDef& def, const std::string& id, geo::Coord gk) {
  model::Feature f;
  f.values.assign(def.fields.size(), model::Value{});
  f.values[def.field_index("shelter_id")] = id;
  f.values[def.field_index("village_code")] = std::string("331124101201");
  f.values[def.field_index("name")] = std::string("避灾点") + id;
  f.geometry = geo::Geometry::point(gk);
  return f;
}
}  // namespace

TEST_CASE("bbox queries find exactly the features inside, in 3857", "[store][index]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto& def = *catalog.find_class("shelters");
  const auto path = test::scratch_dir("index") / "s.gpkg";
  {
    auto store = store::FeatureStore::create(path, catalog);
    store.begin();
    for (int i = 0; i < 100; ++i) store.insert("shelters", shelter(def, "S" + std::to_string(i), {450000.0 + i * 100, 3148000}));
    store.commit();
  }
  auto store = store::FeatureStore::open(path.string(), catalog, store::FeatureStore::Mode::read_only);
  auto index = store::ServingIndex::load(store);
  REQUIRE(index->size("shelters") == 100);

  const geo::Transform to_3857("EPSG:4549", "EPSG:3857");
  const geo::Coord a = to_3857.apply(geo::Coord{450950, 3147990});
  const geo::Coord b = to_3857.apply(geo::Coord{451950, 3148010});
  std::vector<store::ServedFeaturePtr> hits;
  index->query("shelters", geo::BBox{a.x, a.y, b.x, b.y}, hits);
  CHECK(hits.size() == 10);  // shelters 10..19
  for (const auto& h : hits) {
    CHECK(h->bbox.min_x >= a.x);
    CHECK(h->bbox.max_x <= b.x);
  }
  hits.clear();
  index->query("roads", geo::BBox{a.x, a.y, b.x, b.y}, hits);
  CHECK(hits.empty());

  SECTION("an edit is visible at once and bumps the data version") {
    const auto version = index->data_version("shelters");
    auto moved = shelter(def, "S0", {451500, 3148000});
    moved.fid = 1;
    index->upsert("shelters", moved);
    CHECK(index->data_version("shelters") > version);
    hits.clear();
    index->query("shelters", geo::BBox{a.x, a.y, b.x, b.y}, hits);
    CHECK(hits.size() == 11);
    CHECK(index->erase("shelters", 1));
    CHECK_FALSE(index->erase("shelters", 1));
    hits.clear();
    index->query("shelters", geo::BBox{a.x, a.y, b.x, b.y}, hits);
    CHECK(hits.size() == 10);
    CHECK(index->size("shelters") == 99);
  }
}
