#include "route/route_steps.hpp"

#include <array>
#include <cmath>
#include <numbers>

#include "geo/ground_measures.hpp"

namespace minqing::route {

namespace {

constexpr double kBearingReach_m = 20;  // bearings at a turn are read over this much road

struct Stretch {
  std::string road;
  std::uint32_t road_index = 0;
  std::vector<geo::Coord> points;
  double length_m = 0;
  double time_s = 0;
};

std::string road_name(const RoadInfo& r) { return r.name.empty() ? std::string(chinese_name(r.road_class)) : r.name; }

// Bearing of the first (or, when `at_end`, the last) kBearingReach_m of `pts`.
double end_bearing(const std::vector<geo::Coord>& pts, bool at_end) {
  if (!at_end) {
    double along = 0;
    for (std::size_t i = 1; i < pts.size(); ++i) {
      along += geo::ground_distance_m(pts[i - 1], pts[i]);
      if (along >= kBearingReach_m || i + 1 == pts.size()) return bearing_deg(pts.front(), pts[i]);
    }
  } else {
    double along = 0;
    for (std::size_t i = pts.size() - 1; i > 0; --i) {
      along += geo::ground_distance_m(pts[i - 1], pts[i]);
      if (along >= kBearingReach_m || i == 1) return bearing_deg(pts[i - 1], pts.back());
    }
  }
  return 0;
}

// Signed turn from bearing a to bearing b, in (-180, 180]: positive to the right.
double turn_deg(double a, double b) {
  double d = std::fmod(b - a + 540.0, 360.0) - 180.0;
  if (d == -180.0) d = 180.0;
  return d;
}

std::string turn_name(double d) {
  const double a = std::abs(d);
  const char* side = d > 0 ? "右" : "左";
  if (a < 30) return "直行";
  if (a < 60) return std::string("稍向") + side + "转";
  if (a < 150) return std::string(side) + "转";
  return "掉头";
}

}  // namespace

double bearing_deg(geo::Coord a, geo::Coord b) noexcept {
  double deg = std::atan2(b.x - a.x, b.y - a.y) * 180.0 / std::numbers::pi;
  if (deg < 0) deg += 360.0;
  return deg;
}

std::string_view compass_name(double bearing) noexcept {
  static constexpr std::array<std::string_view, 8> kNames = {"北", "东北", "东", "东南", "南", "西南", "西", "西北"};
  const auto i = static_cast<std::size_t>(std::floor(std::fmod(bearing + 22.5, 360.0) / 45.0)) % 8;
  return kNames[i];
}

std::string metres_text(double m) {
  long v = m >= 50 ? std::lround(m / 10) * 10 : std::lround(m);
  if (v < 1) v = 1;
  return std::to_string(v);
}

std::vector<Step> route_steps(const RoadNetwork& net, Mode mode, const Path& path, std::string_view destination) {
  const auto mi = static_cast<std::size_t>(mode);
  std::vector<Stretch> stretches;
  for (const Leg& leg : path.legs) {
    const RoadInfo& road = net.road_of(leg.edge);
    const std::string name = road_name(road);
    std::vector<geo::Coord> pts = net.edge_part(leg.edge, leg.t0, leg.t1);
    const double frac = std::abs(leg.t1 - leg.t0);
    bool same = !stretches.empty() && stretches.back().road == name;
    // An unnamed road continues only straight on: a turn onto another unnamed road is a step.
    if (same && road.name.empty() && std::abs(turn_deg(end_bearing(stretches.back().points, true), end_bearing(pts, false))) >= 45) {
      same = false;
    }
    if (!same) stretches.push_back({name, net.edge(leg.edge).road, {}, 0, 0});
    Stretch& s = stretches.back();
    if (!s.points.empty() && s.points.back() == pts.front()) s.points.pop_back();
    s.points.insert(s.points.end(), pts.begin(), pts.end());
    s.length_m += frac * net.edge(leg.edge).length_m;
    s.time_s += frac * net.edge(leg.edge).time_s[mi];
  }
  std::vector<Step> steps;
  for (std::size_t i = 0; i < stretches.size(); ++i) {
    const Stretch& s = stretches[i];
    Step step;
    step.road = s.road;
    step.direction = std::string(compass_name(bearing_deg(s.points.front(), s.points.back())));
    step.length_m = s.length_m;
    step.time_s = s.time_s;
    const std::string walk = "向" + step.direction + "走 " + metres_text(s.length_m) + " 米";
    if (i == 0) {
      step.text = "沿" + s.road + walk;
    } else {
      step.turn = turn_name(turn_deg(end_bearing(stretches[i - 1].points, true), end_bearing(s.points, false)));
      step.text = step.turn + "进入" + s.road + "，" + walk;
    }
    steps.push_back(std::move(step));
  }
  Step arrive;
  arrive.text = "到达 " + std::string(destination);
  steps.push_back(std::move(arrive));
  return steps;
}

}  // namespace minqing::route
