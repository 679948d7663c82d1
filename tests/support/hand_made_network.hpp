#pragma once
// Hand-made road networks for the routing tests: coordinates laid out in ground metres around
// Songyang and converted to EPSG:3857 with the local scale 1/cos(latitude), so lengths come out
// within 0.5% of the metres written.

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "geo/tile.hpp"
#include "route/road_network.hpp"

namespace minqing::test {

inline const geo::Coord kNetworkOrigin = geo::lonlat_to_mercator({119.48, 28.45});
inline const double kNetworkScale = 1 / std::cos(28.45 * 3.14159265358979323846 / 180);

// The EPSG:3857 point x_m east and y_m north of the origin.
inline geo::Coord at(double x_m, double y_m) {
  return {kNetworkOrigin.x + x_m * kNetworkScale, kNetworkOrigin.y + y_m * kNetworkScale};
}

inline route::RoadLine road(std::string name, std::string cls, std::vector<std::pair<double, double>> pts) {
  route::RoadLine r;
  for (auto [x, y] : pts) r.points.push_back(at(x, y));
  r.name = std::move(name);
  r.road_class = std::move(cls);
  return r;
}

// The county road 松玉线 along y = 0 from x = 0 to 3000; 上村路 crossing it at x = 1000 (an X, in
// the middle of both lines: only noding joins them) up to y = 1000; 下村路 from the county road at
// x = 2000 (a T) up to y = 1000; a path 山路 joining the two tops.
inline std::vector<route::RoadLine> valley() {
  return {road("松玉线", "county", {{0, 0}, {1500, 0}, {3000, 0}}),
          road("上村路", "village", {{1000, -500}, {1000, 1000}}),
          road("下村路", "village", {{2000, 0}, {2000, 1000}}),
          road("", "path", {{1000, 1000}, {2000, 1000}})};
}

}  // namespace minqing::test
