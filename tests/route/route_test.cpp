// The routing engine on small hand-made networks (issue 10): noding where roads cross, known
// shortest paths, hazard zones and query-time closures forcing the known detour, the only road
// closed, a start inside a hazard zone, nearest shelter by time rather than by straight distance,
// cars kept off paths, the snapping limit, and the Chinese steps.
//
// Coordinates are laid out in ground metres around Songyang and converted to EPSG:3857 with the
// local scale 1/cos(latitude), so lengths come out within 0.5% of the metres written.

#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "geo/tile.hpp"
#include "route/closures.hpp"
#include "route/road_network.hpp"
#include "route/route_planner.hpp"
#include "route/route_steps.hpp"
#include "route/shortest_path.hpp"
#include "support/hand_made_network.hpp"

using namespace minqing;
using route::Mode;

namespace {

using test::at;
using test::road;
using test::valley;

geo::Geometry box(double x0, double y0, double x1, double y1) {
  return geo::Geometry::polygon({at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1)});
}

route::ZoneArea zone(std::string id, std::string risk, geo::Geometry polygon) {
  return {std::move(polygon), std::move(id), std::move(risk), 0};
}

route::Route plan(const route::RoadNetwork& net, geo::Coord from, geo::Coord to, Mode mode = Mode::walk,
                  route::RiskSet avoid = route::kRiskHigh, geo::Geometry closed = {}) {
  route::RouteRequest r;
  r.from = from;
  r.targets = {to};
  r.mode = mode;
  r.avoid = avoid;
  r.closed = std::move(closed);
  return route::plan_route(net, r);
}

std::vector<std::string> step_texts(const route::RoadNetwork& net, const route::Route& r, Mode mode = Mode::walk) {
  std::vector<std::string> out;
  for (const auto& s : route::route_steps(net, mode, r.path, "终点")) out.push_back(s.text);
  return out;
}

}  // namespace

TEST_CASE("route: roads are noded where they cross, into one network", "[route]") {
  const auto net = route::RoadNetwork::build(valley(), {});
  // Nodes: 0,0 · 1000,0 (X) · 2000,0 (T) · 3000,0 · 1000,-500 · 1000,1000 · 2000,1000.
  CHECK(net->node_count() == 7);
  CHECK(net->edge_count() == 7);
  CHECK(net->component_count() == 1);
  // From the bottom of 上村路 to the county road east of the crossing: only through the X node.
  const auto r = plan(*net, at(1000, -400), at(1500, 10));
  CHECK(r.path.length_m == Approx(900).epsilon(0.01));
  CHECK(r.snap_from_m == Approx(0).margin(0.01));
  CHECK(r.snap_to_m == Approx(10).epsilon(0.01));
}

TEST_CASE("route: the known shortest path, its length, time and steps", "[route]") {
  const auto net = route::RoadNetwork::build(valley(), {});
  const auto r = plan(*net, at(100, 10), at(2900, -10));
  CHECK(r.path.length_m == Approx(2800).epsilon(0.01));
  CHECK(r.path.time_s == Approx(2800 / 1.2).epsilon(0.01));
  CHECK(r.line.size() >= 2);
  CHECK(step_texts(*net, r) == std::vector<std::string>{"沿松玉线向东走 2800 米", "到达 终点"});

  // Over the hill on foot: up 上村路, the path, down 下村路 (100 + 1000 + 100 m).
  const auto walk = plan(*net, at(1000, 900), at(2000, 900));
  CHECK(walk.path.length_m == Approx(1200).epsilon(0.01));
  CHECK(walk.path.time_s == Approx(200 / 1.2 + 1000 / 1.0).epsilon(0.01));
  CHECK(step_texts(*net, walk) ==
        std::vector<std::string>{"沿上村路向北走 100 米", "右转进入步道，向东走 1000 米", "右转进入下村路，向南走 100 米", "到达 终点"});
}

TEST_CASE("route: drive mode keeps off paths", "[route]") {
  const auto net = route::RoadNetwork::build(valley(), {});
  const auto r = plan(*net, at(1000, 900), at(2000, 900), Mode::drive);
  CHECK(r.path.length_m == Approx(2800).epsilon(0.01));
  CHECK(r.path.time_s == Approx(900 / (20 / 3.6) * 2 + 1000 / (60 / 3.6)).epsilon(0.01));
  CHECK(step_texts(*net, r, Mode::drive) ==
        std::vector<std::string>{"沿上村路向南走 900 米", "左转进入松玉线，向东走 1000 米", "左转进入下村路，向北走 900 米", "到达 终点"});
  // A start beside the path alone snaps to a road open to cars, or is refused.
  CHECK_THROWS_AS(plan(*net, at(1500, 1100), at(2900, 0), Mode::drive), route::NoRoute);
  CHECK(plan(*net, at(1500, 1100), at(2900, 0), Mode::walk).snap_from_m == Approx(100).epsilon(0.01));
}

TEST_CASE("route: a hazard zone on the shortest path forces the known detour", "[route]") {
  const auto net = route::RoadNetwork::build(valley(), {zone("HZ-1", "high", box(1400, 900, 1600, 1100))});
  const auto r = plan(*net, at(1000, 900), at(2000, 900));
  CHECK(r.path.length_m == Approx(2800).epsilon(0.01));
  REQUIRE(r.path.zones_avoided.size() == 1);
  CHECK(net->zones()[r.path.zones_avoided[0]].zone_id == "HZ-1");
  // Not avoided: the path again.
  CHECK(plan(*net, at(1000, 900), at(2000, 900), Mode::walk, 0).path.length_m == Approx(1200).epsilon(0.01));
  // A medium zone is passable by default (avoid=high) and closed with avoid=high,medium.
  const auto medium = route::RoadNetwork::build(valley(), {zone("HZ-2", "medium", box(1400, 900, 1600, 1100))});
  CHECK(plan(*medium, at(1000, 900), at(2000, 900)).path.length_m == Approx(1200).epsilon(0.01));
  CHECK(plan(*medium, at(1000, 900), at(2000, 900), Mode::walk, route::kRiskHigh | route::kRiskMedium).path.length_m ==
        Approx(2800).epsilon(0.01));
}

TEST_CASE("route: a start inside a hazard zone leaves it by the quickest way out", "[route]") {
  // The zone holds the start and the top of 上村路; the path leaves it eastwards.
  const auto net = route::RoadNetwork::build(valley(), {zone("HZ-3", "high", box(900, 700, 1100, 1100))});
  const auto r = plan(*net, at(1000, 950), at(2000, 900));
  CHECK(r.path.length_m == Approx(1150).epsilon(0.01));
  REQUIRE(r.start_zones.size() == 1);
  // A destination inside an avoided zone is not reached.
  CHECK_THROWS_WITH(plan(*net, at(2000, 900), at(1000, 950)), Catch::Contains("hazard zone"));
}

TEST_CASE("route: a closure cutting the shortest path forces the detour, closing the only road leaves none", "[route]") {
  const auto net = route::RoadNetwork::build(valley(), {});
  const auto detour = plan(*net, at(1000, 900), at(2000, 900), Mode::walk, route::kRiskHigh, box(1450, 950, 1550, 1050));
  CHECK(detour.path.length_m == Approx(2800).epsilon(0.01));
  // A line across the road closes it as well.
  geo::Geometry line = geo::Geometry::line({at(1500, 950), at(1500, 1050)});
  CHECK(plan(*net, at(1000, 900), at(2000, 900), Mode::walk, route::kRiskHigh, line).path.length_m ==
        Approx(2800).epsilon(0.01));
  // West of the crossing the county road is the only road.
  CHECK_THROWS_WITH(plan(*net, at(100, 0), at(500, 0), Mode::walk, route::kRiskHigh, box(250, -50, 300, 50)),
                    Catch::Contains("closure cuts every road"));
  // A closure elsewhere on the start's own edge leaves the stretch to the destination open.
  CHECK(plan(*net, at(100, 0), at(500, 0), Mode::walk, route::kRiskHigh, box(700, -50, 750, 50)).path.length_m ==
        Approx(400).epsilon(0.01));
}

TEST_CASE("route: the snapping limit", "[route]") {
  const auto net = route::RoadNetwork::build(valley(), {});
  CHECK_THROWS_WITH(plan(*net, at(100, 700), at(2900, 0)), Catch::Contains("start is not within 500 m of a road"));
  CHECK_THROWS_WITH(plan(*net, at(100, 0), at(2900, -600)), Catch::Contains("destination is not within 500 m"));
  CHECK(plan(*net, at(100, 450), at(2900, 0)).snap_from_m == Approx(450).epsilon(0.01));
}

TEST_CASE("route: nearest shelter by time, not by straight distance, in one search to all", "[route]") {
  // A river between two roads joined by a bridge at the east end: the shelter across the river is
  // 220 m away as the crow flies and 4.2 km along the roads; the one up a side road 600 m east
  // (660 m away as the crow flies) is 900 m along the roads.
  const auto net = route::RoadNetwork::build(
      {road("南岸路", "village", {{0, 0}, {2000, 0}}), road("北岸路", "village", {{0, 200}, {2000, 200}}),
       road("大桥", "village", {{2000, 0}, {2000, 200}}), road("支路", "village", {{600, 0}, {600, -300}})},
      {});
  route::RouteRequest r;
  r.from = at(0, -20);
  r.targets = {at(0, 220), at(610, -300)};
  r.to_shelter = true;
  const auto nearest = route::plan_route(*net, r);
  CHECK(nearest.path.target == 1);
  CHECK(nearest.path.length_m == Approx(900).epsilon(0.01));
  // With the side road closed the other is chosen, the long way round.
  r.closed = box(550, -200, 650, -150);
  const auto other = route::plan_route(*net, r);
  CHECK(other.path.target == 0);
  CHECK(other.path.length_m == Approx(4200).epsilon(0.01));
  // Both cut off: no route, and the reason says why.
  r.closed = box(300, -50, 350, 50);
  CHECK_THROWS_WITH(route::plan_route(*net, r), Catch::Contains("closure cuts every road to every shelter"));
}

TEST_CASE("route: steps name the compass direction and the turn", "[route]") {
  CHECK(route::compass_name(0) == "北");
  CHECK(route::compass_name(90) == "东");
  CHECK(route::compass_name(135) == "东南");
  CHECK(route::compass_name(350) == "北");
  CHECK(route::metres_text(318) == "320");
  CHECK(route::metres_text(7.4) == "7");
  CHECK(route::metres_text(0.2) == "1");
  CHECK(route::bearing_deg(at(0, 0), at(100, 0)) == Approx(90));
}
