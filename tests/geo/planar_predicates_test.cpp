// The planar predicates without GEOS (issue 12, part 5): the bbox test answers as GEOS's
// intersects does: on every
// feature of the sample store against random boxes from a few metres to a few kilometres wide
// around it, and on the cases a vertex test alone would miss (a box inside a polygon, inside a
// hole, crossed by a segment, touching an edge).

#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "geo/geos.hpp"
#include "geo/prepared_geometry.hpp"
#include "geo/planar_predicates.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

bool geos_intersects(const geo::GeosContext& ctx, const geo::Geometry& g, const geo::BBox& r) {
  const geo::PreparedGeometry box(ctx, geo::Geometry::polygon({{r.min_x, r.min_y}, {r.max_x, r.min_y}, {r.max_x, r.max_y}, {r.min_x, r.max_y}}));
  return box.relation(geo::SpatialRelation::intersects, geo::to_geos(ctx, g)).value();
}

}  // namespace

TEST_CASE("the rectangle test agrees with GEOS on the sample store's features", "[geo][rect]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto store = store::FeatureStore::open(test::sample_store(), catalog, store::FeatureStore::Mode::read_only);
  const auto index = store::ServingIndex::load(store);
  const geo::GeosContext ctx;
  std::mt19937 rng(12);
  std::size_t tested = 0, hits = 0;
  for (const auto& def : catalog.classes()) {
    std::vector<store::ServedFeaturePtr> all;
    index->query(def.name, {-1e300, -1e300, 1e300, 1e300}, all);
    for (std::size_t i = 0; i < all.size(); i += 1 + all.size() / 400) {  // up to ~400 a class
      const auto& f = *all[i];
      if (f.feature.geometry.empty()) continue;
      for (double size : {5.0, 60.0, 600.0, 5000.0}) {
        std::uniform_real_distribution<double> x(f.bbox.min_x - size, f.bbox.max_x);
        std::uniform_real_distribution<double> y(f.bbox.min_y - size, f.bbox.max_y);
        std::uniform_real_distribution<double> side(size / 4, size);
        const double x0 = x(rng), y0 = y(rng);
        const geo::BBox r{x0, y0, x0 + side(rng), y0 + side(rng)};
        const bool want = geos_intersects(ctx, f.feature.geometry, r);
        INFO(def.name << " fid " << f.feature.fid << " box " << r.min_x << " " << r.min_y << " " << r.max_x << " " << r.max_y);
        REQUIRE(geo::intersects_rect(f.feature.geometry, r) == want);
        ++tested;
        hits += want;
      }
    }
  }
  CHECK(tested > 5000);
  CHECK(hits > tested / 10);  // both answers well represented
  CHECK(hits < tested - tested / 10);
}

TEST_CASE("the rectangle test sees boxes inside polygons, in holes, across segments and on edges", "[geo][rect]") {
  const geo::Geometry square = geo::Geometry::polygon({{0, 0}, {100, 0}, {100, 100}, {0, 100}}, {{{40, 40}, {60, 40}, {60, 60}, {40, 60}}});
  CHECK(geo::intersects_rect(square, {10, 10, 20, 20}));        // inside, no vertex in the box
  CHECK_FALSE(geo::intersects_rect(square, {45, 45, 55, 55}));  // inside the hole
  CHECK(geo::intersects_rect(square, {35, 45, 45, 55}));        // across the hole's edge
  CHECK(geo::intersects_rect(square, {100, 10, 120, 20}));      // touching the outer edge
  CHECK_FALSE(geo::intersects_rect(square, {101, 10, 120, 20}));
  geo::Geometry two = square;
  two.append(geo::Geometry::polygon({{200, 0}, {300, 0}, {300, 100}, {200, 100}}));
  CHECK(geo::intersects_rect(two, {250, 50, 260, 60}));  // inside the second polygon
  CHECK_FALSE(geo::intersects_rect(two, {150, 50, 160, 60}));
  const geo::Geometry line = geo::Geometry::line({{-10, 50}, {110, 50}});
  CHECK(geo::intersects_rect(line, {45, 45, 55, 55}));  // crossed, both ends outside
  CHECK(geo::intersects_rect(line, {45, 50, 55, 55}));  // along its edge
  CHECK_FALSE(geo::intersects_rect(line, {45, 51, 55, 55}));
  const geo::Geometry point = geo::Geometry::point({5, 5});
  CHECK(geo::intersects_rect(point, {5, 5, 6, 6}));
  CHECK_FALSE(geo::intersects_rect(point, {5.1, 5, 6, 6}));
  CHECK_FALSE(geo::intersects_rect(geo::Geometry{}, {0, 0, 1, 1}));
  for (const geo::Geometry* g : std::vector<const geo::Geometry*>{&square, &two, &line, &point}) {
    const geo::GeosContext ctx;
    for (const geo::BBox r : {geo::BBox{10, 10, 20, 20}, geo::BBox{45, 45, 55, 55}, geo::BBox{100, 10, 120, 20}, geo::BBox{250, 50, 260, 60}}) {
      CHECK(geo::intersects_rect(*g, r) == geos_intersects(ctx, *g, r));
    }
  }
}
