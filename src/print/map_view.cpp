#include "print/map_view.hpp"

#include <cmath>
#include <numbers>

#include "geo/tile.hpp"

namespace minqing::print {

double ground_factor_at(geo::Coord m) noexcept {
  const double lat = geo::mercator_to_lonlat(m).y;
  return std::cos(lat * std::numbers::pi / 180);
}

MapView make_view(const Rect& frame, geo::Coord center, int scale) noexcept {
  MapView v;
  v.frame = frame;
  v.scale = scale;
  v.ground_factor = ground_factor_at(center);
  const double m_per_pt = scale / kPointsPerMm / 1000 / v.ground_factor;  // mercator metres per point
  const double hw = frame.w * m_per_pt / 2, hh = frame.h * m_per_pt / 2;
  v.extent = geo::BBox{center.x - hw, center.y - hh, center.x + hw, center.y + hh};
  return v;
}

}  // namespace minqing::print
