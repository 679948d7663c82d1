// Identify and ground distances on the sample villages, below HTTP: a click on a house finds the
// household at its centre, the house, then the land cover and village under it; the pick tolerance
// grows as the zoom falls; a click on nothing finds nothing; ground distances agree with PROJ's
// metric EPSG:4549 measured by GEOS (an oracle independent of query/ground_distance.cpp).

#include <cmath>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "geo/geos.hpp"
#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/dataset.hpp"
#include "query/ground_distance.hpp"
#include "query/identify.hpp"
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
  access::Scope anonymous = access::Scope::anonymous(policy);
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

std::string text(const store::ServedFeature& f, const std::string& cls, const std::string& field) {
  const int i = sample().catalog.find_class(cls)->field_index(field);
  const auto* s = std::get_if<std::string>(&f.feature.values.at(static_cast<std::size_t>(i)));
  return s ? *s : std::string{};
}

struct House {
  store::ServedFeaturePtr building;
  store::ServedFeaturePtr household;
};

// A residential building of the first village and the household point at its centre.
House house_of_first_village() {
  for (const auto& h : all_of("households")) {
    if (text(*h, "households", "village_code") != "331124207201") continue;
    const std::string id = text(*h, "households", "household_id");
    for (const auto& b : all_of("buildings")) {
      if (text(*b, "buildings", "household_id") == id) return {b, h};
    }
  }
  FAIL("no building with a household in the sample");
  return {};
}

int rank(geo::GeometryKind k) { return k == geo::GeometryKind::point ? 0 : k == geo::GeometryKind::line ? 1 : 2; }

}  // namespace

TEST_CASE("identify: a click on a house finds the household, the house, then what lies under it", "[query][identify]") {
  const House house = house_of_first_village();
  const geo::Coord click = house.household->feature.geometry.coords.at(0);
  const auto reader = sample().data->reader(sample().admin);
  const auto& views = reader.views();
  const auto result = query::identify(reader, views, click, 18, 100);
  REQUIRE(result.matched == result.hits.size());

  std::optional<std::size_t> household_at, building_at, landcover_at, village_at;
  for (std::size_t i = 0; i < result.hits.size(); ++i) {
    const auto& h = result.hits[i];
    const std::string cls = h.view->def->name;
    if (cls == "households" && h.feature->feature.fid == house.household->feature.fid) household_at = i;
    if (cls == "buildings" && h.feature->feature.fid == house.building->feature.fid) building_at = i;
    if (cls == "landcover" && !landcover_at) landcover_at = i;
    if (cls == "villages") {
      CHECK(text(*h.feature, "villages", "village_code") == "331124207201");
      village_at = i;
    }
  }
  REQUIRE(household_at);
  REQUIRE(building_at);
  REQUIRE(landcover_at);
  REQUIRE(village_at);
  CHECK(*household_at < *building_at);  // the point drawn on the house comes first
  CHECK(*building_at < *landcover_at);  // the house above the land it stands on
  CHECK(*building_at < *village_at);
  CHECK(result.hits[*building_at].distance_m == 0);
  CHECK(result.hits[*village_at].distance_m == 0);
  // The house is the first polygon: the smallest of those holding the click.
  for (std::size_t i = 0; i < *building_at; ++i) CHECK(result.hits[i].feature->feature.geometry.kind != geo::GeometryKind::polygon);

  // Terrain alone (what anyone may see): the house itself comes first.
  const auto anon_reader = sample().data->reader(sample().anonymous);
  const auto& terrain = anon_reader.views();
  const auto anon = query::identify(anon_reader, terrain, click, 18, 100);
  REQUIRE_FALSE(anon.hits.empty());
  CHECK(anon.hits[0].view->def->name == "buildings");
  CHECK(anon.hits[0].feature->feature.fid == house.building->feature.fid);
  for (const auto& h : anon.hits) CHECK(h.view->def->map == "terrain");
}

TEST_CASE("identify: nearest first to the pixel, points before lines before polygons", "[query][identify]") {
  const auto reader = sample().data->reader(sample().admin);
  const auto& views = reader.views();
  const geo::BBox extent = sample().index->extent();
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> ux(extent.min_x, extent.max_x), uy(extent.min_y, extent.max_y);
  std::size_t checked = 0;
  for (int n = 0; n < 200; ++n) {
    const geo::Coord click{ux(rng), uy(rng)};
    const auto r = query::identify(reader, views, click, 16, 100);
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
      const auto& h = r.hits[i];
      CHECK(h.distance_px <= query::kIdentifyPixels);
      INFO(h.view->def->name << " fid " << h.feature->feature.fid << " px " << h.distance_px << " coords " << h.feature->feature.geometry.coords.size());
      CHECK(std::abs(h.distance_m - test::distance_4549(h.feature->feature.geometry, click)) <= 0.01 + 0.01 * h.distance_m);
      if (i == 0) continue;
      const auto& p = r.hits[i - 1];
      CHECK(std::floor(p.distance_px) <= std::floor(h.distance_px));
      if (std::floor(p.distance_px) == std::floor(h.distance_px)) {
        CHECK(rank(p.feature->feature.geometry.kind) <= rank(h.feature->feature.geometry.kind));
      }
      ++checked;
    }
  }
  CHECK(checked > 50);
}

TEST_CASE("identify: the pick tolerance grows as the zoom falls", "[query][identify]") {
  // 6 px of a 256-px tile: 6 · 2πR/256 / 2^z in EPSG:3857 units.
  for (int z = 0; z <= 22; ++z) {
    CHECK(query::pixel_size(z) == Approx(2 * M_PI * geo::kEarthRadius / 256 / std::pow(2.0, z)).epsilon(1e-12));
  }

  // A point 8 m (in EPSG:4549) to the side of the middle of a long, straight stretch of road.
  geo::Transform to_gk("EPSG:3857", "EPSG:4549");
  geo::Transform from_gk("EPSG:4549", "EPSG:3857");
  store::ServedFeaturePtr road;
  geo::Coord off{};
  for (const auto& r : all_of("roads")) {
    const auto& c = r->feature.geometry.coords;
    for (std::size_t i = 1; i < c.size() && !road; ++i) {
      const geo::Coord a = to_gk.apply(c[i - 1]);
      const geo::Coord b = to_gk.apply(c[i]);
      const double len = std::hypot(b.x - a.x, b.y - a.y);
      if (len < 40) continue;
      const geo::Coord candidate = from_gk.apply(geo::Coord{(a.x + b.x) / 2 - (b.y - a.y) / len * 8, (a.y + b.y) / 2 + (b.x - a.x) / len * 8});
      if (std::abs(test::distance_4549(r->feature.geometry, candidate) - 8) > 0.05) continue;  // the road bends back
      road = r;
      off = candidate;
    }
    if (road) break;
  }
  REQUIRE(road);
  const auto reader = sample().data->reader(sample().admin);
  const auto& views = reader.views();
  auto find_road = [&](double zoom) -> std::optional<query::IdentifyHit> {
    for (const auto& h : query::identify(reader, views, off, zoom, 100).hits) {
      if (h.view->def->name == "roads" && h.feature->feature.fid == road->feature.fid) return h;
    }
    return std::nullopt;
  };
  const auto at15 = find_road(15);
  REQUIRE(at15);
  CHECK(at15->distance_m == Approx(8).epsilon(0.01));
  CHECK_FALSE(find_road(19));  // 6 px at z19 is ~1.6 m on the ground

  double previous = INFINITY;
  for (double z = 10; z <= 20; z += 0.5) {
    const double t = query::identify(reader, views, off, z, 1).tolerance_m;
    CHECK(t < previous);
    previous = t;
  }
}

TEST_CASE("identify: a click on nothing finds nothing", "[query][identify]") {
  const auto reader = sample().data->reader(sample().admin);
  const auto& views = reader.views();
  const geo::BBox extent = sample().index->extent();
  // 2 km west of everything, and far away in another continent.
  for (const geo::Coord click : {geo::Coord{extent.min_x - 2000, extent.center().y}, geo::lonlat_to_mercator({10, 50})}) {
    const auto r = query::identify(reader, views, click, 12, 100);
    CHECK(r.hits.empty());
    CHECK(r.matched == 0);
  }
  // …and an empty list of views finds nothing even on a house.
  const House house = house_of_first_village();
  CHECK(query::identify(sample().data->reader(sample().admin), {}, house.household->feature.geometry.coords[0], 18).hits.empty());
}

TEST_CASE("identify: limit keeps the first hits and counts all", "[query][identify]") {
  const House house = house_of_first_village();
  const geo::Coord click = house.household->feature.geometry.coords.at(0);
  const auto reader = sample().data->reader(sample().admin);
  const auto& views = reader.views();
  const auto all = query::identify(reader, views, click, 14, 100);
  REQUIRE(all.hits.size() >= 3);
  const auto two = query::identify(reader, views, click, 14, 2);
  REQUIRE(two.hits.size() == 2);
  CHECK(two.matched == all.matched);
  CHECK(two.hits[0].feature == all.hits[0].feature);
  CHECK(two.hits[1].feature == all.hits[1].feature);
}

TEST_CASE("ground distance: agrees with EPSG:4549 on the ellipsoid, in every direction", "[query][identify]") {
  geo::Transform to_gk("EPSG:3857", "EPSG:4549");
  geo::Transform from_gk("EPSG:4549", "EPSG:3857");
  const geo::Coord centre = sample().index->extent().center();
  const geo::Coord gk = to_gk.apply(centre);
  for (double r : {1.0, 37.0, 600.0, 5000.0}) {
    for (int deg = 0; deg < 360; deg += 15) {
      const double t = deg * M_PI / 180;
      const geo::Coord p = from_gk.apply(geo::Coord{gk.x + r * std::cos(t), gk.y + r * std::sin(t)});
      INFO("r " << r << " bearing " << deg);
      // 3857 length × cos(lat) would be off by up to 0.45% north-south here; the ellipsoid is not.
      CHECK(query::ground_distance_m(centre, p) == Approx(r).epsilon(1e-4));
      const geo::BBox box = query::ground_circle_box(centre, r);
      CHECK(box.contains(p));
      CHECK(box.width() < 2 * r * 1.3);  // widened, not wildly
    }
  }
}

TEST_CASE("ground distance: a bounded measure gives the unbounded one within its bound, nothing beyond", "[query][identify]") {
  // Every served feature of the sample near a few points, at bounds from a pixel to a kilometre:
  // the bounded measure (which skips far edges and misses boxes) must agree with the full one.
  const geo::Coord centre = sample().index->extent().center();
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> offset(-800, 800);
  std::size_t compared = 0, inside = 0, sliced_features = 0;
  for (int i = 0; i < 12; ++i) {
    const geo::Coord p{centre.x + offset(rng), centre.y + offset(rng)};
    const query::PointDistances measure(p);
    for (const auto& def : sample().catalog.classes()) {
      std::vector<store::ServedFeaturePtr> features;
      sample().index->query(def.name, sample().index->extent(), features);
      for (const auto& f : features) {
        const auto full = measure.to(f->feature.geometry);
        for (double within : {1.2, 30.0, 1000.0}) {
          const auto bounded = measure.to(f->feature.geometry, f->bbox, within);
          // The same through the feature's edge slabs (made for its larger geometries).
          const auto sliced = measure.to(f->feature.geometry, f->bbox, within, f->edge_slabs());
          sliced_features += f->edge_slabs() != nullptr;
          ++compared;
          if (full && full->mercator <= within) {
            ++inside;
            REQUIRE(bounded);
            CHECK(bounded->mercator == full->mercator);
            CHECK(bounded->ground_m == full->ground_m);
            REQUIRE(sliced);
            CHECK(sliced->mercator == full->mercator);
            CHECK(sliced->ground_m == full->ground_m);
          } else {
            CHECK_FALSE(bounded);
            CHECK_FALSE(sliced);
          }
        }
      }
    }
  }
  CHECK(inside > 100);  // the bounds were reached, not only refused
  CHECK(compared > inside * 2);
  CHECK(sliced_features > 100);  // land cover, villages, rivers … went through their slabs
}
