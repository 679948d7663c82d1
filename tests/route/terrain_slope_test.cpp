// Slope from the DEM in the road network's costs (issue 10, part 1): Tobler's walking pace averaged
// over both directions and the vehicles' grade penalty, a steep path giving way to a longer flat
// detour on foot, a flat DEM changing nothing, and heights read from a DEM grid.

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "geo/tile.hpp"
#include "render/relief_source.hpp"
#include "route/road_network.hpp"
#include "route/route_planner.hpp"
#include "route/terrain_slope.hpp"
#include "support/hand_made_network.hpp"

using namespace minqing;
using route::Mode;

namespace {

using test::at;
using test::valley;

route::Route walk(const route::RoadNetwork& net, geo::Coord from, geo::Coord to) {
  route::RouteRequest r;
  r.from = from;
  r.targets = {to};
  r.mode = Mode::walk;
  r.avoid = 0;
  return route::plan_route(net, r);
}

// Ground metres east/north of the origin.
std::pair<double, double> local(geo::Coord p) {
  return {(p.x - test::kNetworkOrigin.x) / test::kNetworkScale, (p.y - test::kNetworkOrigin.y) / test::kNetworkScale};
}

}  // namespace

TEST_CASE("slope: Tobler's pace both ways and the vehicles' grade penalty", "[route][slope]") {
  CHECK(route::slope_time_factor(Mode::walk, 0) == 1);
  CHECK(route::slope_time_factor(Mode::drive, 0) == 1);
  for (const double g : {0.01, 0.05, 0.1, 0.2, 0.3, 0.6}) {
    INFO("grade " << g);
    // The network is undirected: up and down cost the same, and never less than the flat.
    CHECK(route::slope_time_factor(Mode::walk, g) == Approx(route::slope_time_factor(Mode::walk, -g)));
    CHECK(route::slope_time_factor(Mode::walk, g) >= 1);
    CHECK(route::slope_time_factor(Mode::walk, g) < route::slope_time_factor(Mode::walk, g + 0.05));
  }
  // Tobler: 6·e^(−3.5·|g+0.05|) km/h; at 10 % up 1.42× the flat pace, down 1.0×: mean 1.21.
  CHECK(route::slope_time_factor(Mode::walk, 0.1) == Approx((std::exp(0.35) + 1) / 2));
  CHECK(route::slope_time_factor(Mode::drive, 0.06) == 1);
  CHECK(route::slope_time_factor(Mode::drive, 0.16) == Approx(1.5));
  CHECK(route::slope_time_factor(Mode::walk, std::numeric_limits<double>::quiet_NaN()) == 1);
}

TEST_CASE("slope: a steep path gives way to the longer flat valley on foot", "[route][slope]") {
  // The ridge the path runs along: a saw of ±50 % grade (25 m up, 25 m down every 100 m, level
  // with the valley at every hundred metres, so the village roads at x = 1000 and 2000 stay flat)
  // north of y = 950; flat elsewhere.
  const route::ElevationAt ridge = [](geo::Coord p) -> std::optional<double> {
    const auto [x, y] = local(p);
    if (y < 950) return 0.0;
    return 0.5 * (50.0 - std::fabs(std::fmod(std::fabs(x), 100.0) - 50.0));
  };
  const auto flat_net = route::RoadNetwork::build(valley(), {});
  const auto hilly_net = route::RoadNetwork::build(valley(), {}, ridge);

  const auto flat = walk(*flat_net, at(1000, 900), at(2000, 900));
  CHECK(flat.path.length_m == Approx(1200).epsilon(0.01));  // over the path, without a DEM
  const auto hilly = walk(*hilly_net, at(1000, 900), at(2000, 900));
  CHECK(hilly.path.length_m == Approx(2800).epsilon(0.01));  // round by the valley, with one
  CHECK(hilly.path.time_s == Approx(2800 / 1.2).epsilon(0.01));  // flat all the way
  CHECK(hilly.path.time_s > flat.path.time_s);
  // The path's own edge is several times slower than on the flat (Tobler at ±50 %: 4.9×; sampled
  // every ~22 m across a 100 m saw, a little less).
  for (std::uint32_t e = 0; e < hilly_net->edge_count(); ++e) {
    if (hilly_net->road_of(e).road_class != route::RoadClass::path) continue;
    const double ratio = hilly_net->edge(e).time_s[0] / flat_net->edge(e).time_s[0];
    CHECK(ratio > 3);
    CHECK(ratio < 5.5);
  }
}

TEST_CASE("slope: a flat DEM, or none where the roads run, leaves every cost as it was", "[route][slope]") {
  const auto none = route::RoadNetwork::build(valley(), {});
  const auto flat = route::RoadNetwork::build(valley(), {}, [](geo::Coord) -> std::optional<double> { return 312.5; });
  const auto elsewhere = route::RoadNetwork::build(valley(), {}, [](geo::Coord) -> std::optional<double> { return std::nullopt; });
  REQUIRE(flat->edge_count() == none->edge_count());
  REQUIRE(elsewhere->edge_count() == none->edge_count());
  for (std::uint32_t e = 0; e < none->edge_count(); ++e) {
    for (std::size_t m = 0; m < route::kModeCount; ++m) {
      CHECK(flat->edge(e).time_s[m] == none->edge(e).time_s[m]);
      CHECK(elsewhere->edge(e).time_s[m] == none->edge(e).time_s[m]);
    }
  }
}

TEST_CASE("slope: heights are read from the DEM between cell centres", "[route][slope][relief]") {
  render::ReliefSource::Grid g;
  g.crs = "EPSG:3857";
  g.origin_x = 1000;
  g.origin_y = 2000;
  g.cell_x = g.cell_y = 10;
  g.nx = g.ny = 3;
  g.z = {0, 10, 20, 30, 40, 50, 60, 70, std::numeric_limits<float>::quiet_NaN()};
  std::vector<render::ReliefSource::Grid> grids;
  grids.push_back(g);
  const auto dem = render::ReliefSource::from_grids(std::move(grids));
  CHECK(dem->elevation_at({1005, 1995}).value() == Approx(0));   // the first cell's centre
  CHECK(dem->elevation_at({1015, 1995}).value() == Approx(10));
  CHECK(dem->elevation_at({1010, 1995}).value() == Approx(5));   // halfway between two centres
  CHECK(dem->elevation_at({1010, 1990}).value() == Approx(20));  // amid four
  CHECK(dem->elevation_at({1005, 1985}).value() == Approx(30));
  CHECK_FALSE(dem->elevation_at({1022, 1978}).has_value());  // touches the no-data cell
  CHECK_FALSE(dem->elevation_at({500, 500}).has_value());    // outside every grid
}
