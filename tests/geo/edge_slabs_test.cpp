// Edge slabs (issue 12): a point query that reads only the edges near the point's latitude must
// answer exactly as the full scans do — containment as geo::polygon_holds, distances as the
// unbounded measure — on jagged rings with holes, multipolygons, unclosed rings, lines, lone
// points and flat geometries, at points inside, outside, on vertices' latitudes and beyond.

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "geo/edge_slabs.hpp"
#include "geo/planar_predicates.hpp"
#include "query/ground_distance.hpp"

using namespace minqing;

namespace {

// A star-shaped ring of n vertices around `c`, radii between r/3 and r, closed unless asked.
std::vector<geo::Coord> jagged_ring(std::mt19937& rng, geo::Coord c, double r, int n, bool closed = true) {
  std::uniform_real_distribution<double> radius(r / 3, r);
  std::vector<geo::Coord> ring;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * std::numbers::pi * i / n;
    const double k = radius(rng);
    // Some vertices share a latitude exactly: the crossing test's ties must come out the same.
    const double y = i % 7 == 3 ? c.y : c.y + k * std::sin(a);
    ring.push_back({c.x + k * std::cos(a), y});
  }
  if (closed) ring.push_back(ring.front());
  return ring;
}

geo::Geometry multipolygon(std::mt19937& rng, int n) {
  // Two polygons, the first with a hole, the second far to its east.
  auto g = geo::Geometry::polygon(jagged_ring(rng, {0, 0}, 1000, n), {jagged_ring(rng, {0, 0}, 200, n / 2 + 3)});
  g.append(geo::Geometry::polygon(jagged_ring(rng, {3000, 500}, 800, n)));
  return g;
}

// Points spread over and around the geometry's box, some on its vertices' latitudes.
std::vector<geo::Coord> probes(std::mt19937& rng, const geo::Geometry& g, int n) {
  const geo::BBox b = g.bbox();
  const double w = b.max_x - b.min_x + 1, h = b.max_y - b.min_y + 1;
  std::uniform_real_distribution<double> x(b.min_x - w / 4, b.max_x + w / 4), y(b.min_y - h / 4, b.max_y + h / 4);
  std::uniform_int_distribution<std::size_t> vertex(0, g.coords.size() - 1);
  std::vector<geo::Coord> out;
  for (int i = 0; i < n; ++i) out.push_back({x(rng), i % 5 == 0 ? g.coords[vertex(rng)].y : y(rng)});
  out.push_back({b.min_x, b.min_y});
  out.push_back({b.max_x, b.max_y});
  return out;
}

// Requires the same answers at many points; then that some were inside (polygons) and some near
// but outside, so neither branch went untested.
void require_same_answers(std::mt19937& rng, const geo::Geometry& g) {
  std::size_t inside = 0, near = 0;
  const geo::EdgeSlabs slabs(g);
  REQUIRE(slabs.slab_count() > 1);
  for (const geo::Coord p : probes(rng, g, 400)) {
    INFO("point " << p.x << " " << p.y);
    const bool holds = geo::polygon_holds(g, p);
    REQUIRE(slabs.polygon_holds(p) == holds);
    inside += holds;
    const query::PointDistances measure(p);
    const auto full = measure.to(g);
    for (double within : {0.5, 12.0, 150.0, 5000.0}) {
      const auto scanned = measure.to(g, g.bbox(), within);
      const auto sliced = measure.to(g, g.bbox(), within, &slabs);
      REQUIRE(bool(sliced) == bool(scanned));
      if (!sliced) continue;
      REQUIRE(sliced->mercator == scanned->mercator);
      REQUIRE(sliced->ground_m == scanned->ground_m);
      REQUIRE(sliced->mercator == full->mercator);
      near += sliced->mercator > 0;
    }
  }
  CHECK(near > 10);
  if (g.kind == geo::GeometryKind::polygon) CHECK(inside > 10);
}

}  // namespace

TEST_CASE("edge slabs answer containment and distance exactly as the full scans", "[geo][slabs]") {
  std::mt19937 rng(31);
  for (int n : {40, 97, 600}) {
    SECTION("a multipolygon with a hole, " + std::to_string(n) + " vertices a ring") {
      require_same_answers(rng, multipolygon(rng, n));
    }
    SECTION("a ring left unclosed, " + std::to_string(n) + " vertices") {
      // The even–odd test closes it; the nearest-point scan does not: both must still agree.
      require_same_answers(rng, geo::Geometry::polygon(jagged_ring(rng, {0, 0}, 500, n, false)));
    }
    SECTION("lines with a lone point among them, " + std::to_string(n) + " vertices") {
      auto g = geo::Geometry::line(jagged_ring(rng, {0, 0}, 700, n, false));
      g.append(geo::Geometry::line({{50, 60}}));
      g.append(geo::Geometry::line(jagged_ring(rng, {900, -300}, 300, n, false)));
      require_same_answers(rng, g);
    }
  }
  SECTION("a flat line: every vertex on one latitude") {
    std::vector<geo::Coord> flat;
    for (int i = 0; i < 80; ++i) flat.push_back({i * 10.0, 5.0});
    const auto g = geo::Geometry::line(flat);
    const geo::EdgeSlabs slabs(g);
    const query::PointDistances measure({123, 9});
    const auto sliced = measure.to(g, g.bbox(), 10, &slabs);
    REQUIRE(sliced);
    CHECK(sliced->mercator == 4);
    CHECK_FALSE(measure.to(g, g.bbox(), 3, &slabs));
  }
}

TEST_CASE("edge slabs are made only where a geometry has enough edges", "[geo][slabs]") {
  std::mt19937 rng(5);
  CHECK(geo::EdgeSlabs::edge_count(geo::Geometry::point({1, 2})) == 0);
  const auto small = geo::Geometry::polygon(jagged_ring(rng, {0, 0}, 10, 8));
  CHECK(geo::EdgeSlabs::edge_count(small) < geo::EdgeSlabs::kWorthFrom);
  const auto large = geo::Geometry::polygon(jagged_ring(rng, {0, 0}, 10, 200));
  CHECK(geo::EdgeSlabs::edge_count(large) >= geo::EdgeSlabs::kWorthFrom);
  CHECK(geo::EdgeSlabs(large).slab_count() >= 200 / 8);
}
