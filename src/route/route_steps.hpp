#pragma once
// Turn-by-turn directions in Chinese for a path (导航提示): one step per stretch along one road
// (consecutive edges of the same name, or of the same class when unnamed and going straight on),
// with the turn onto it, its compass direction and length, and the arrival:
//   沿松玉线向东走 320 米 / 右转进入村道，向北走 150 米 / 到达 避灾安置点
// Bearings are read on EPSG:3857 geometry, which is conformal: its angles are the ground's.
// Pure functions of an immutable network: thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "route/road_network.hpp"
#include "route/shortest_path.hpp"

namespace minqing::route {

struct Step {
  std::string text;       // the instruction, e.g. 右转进入村道，向北走 150 米
  std::string road;       // the road's name, or its class in Chinese (村道) when unnamed
  std::string direction;  // 8-point compass in Chinese: 北, 东北, 东, …
  std::string turn;       // "" for the first step, else 直行 | 稍向左转 | 左转 | 向左急转 (掉头) | … 
  double length_m = 0;
  double time_s = 0;
};

// The steps of `path` (on `net`, times in `mode`), the last one "到达 <destination>".
std::vector<Step> route_steps(const RoadNetwork& net, Mode mode, const Path& path, std::string_view destination);

// Compass bearing in degrees (0 north, 90 east) from a to b (EPSG:3857), and its 8-point name.
double bearing_deg(geo::Coord a, geo::Coord b) noexcept;
std::string_view compass_name(double bearing) noexcept;
// "320" for 318 m: metres rounded to 10 from 50 m up, to 1 below (at least 1).
std::string metres_text(double m);

}  // namespace minqing::route
