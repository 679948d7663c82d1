#pragma once
// What a sheet's map frame shows: a Web Mercator extent at a round ground scale, fitted to the
// frame on the page, and the mapping between the two. The scale is true on the ground at the
// frame's centre (Web Mercator stretches ground distances by 1 / cos(latitude)).

#include "geo/coord.hpp"
#include "print/sheet_layout.hpp"

namespace minqing::print {

struct MapView {
  Rect frame;             // on the page, points
  geo::BBox extent;       // EPSG:3857, shown over the whole frame
  int scale = 5000;       // 1:N on the ground
  double ground_factor = 1;  // ground metres per Web Mercator metre at the centre (cos latitude)

  // A 3857 coordinate on the page, points.
  geo::Coord to_page(geo::Coord m) const noexcept {
    return {frame.x + (m.x - extent.min_x) / extent.width() * frame.w,
            frame.y + (extent.max_y - m.y) / extent.height() * frame.h};
  }
  // Ground metres per point of paper (N / 2834.6).
  double ground_m_per_pt() const noexcept { return scale / kPointsPerMm / 1000; }
};

// The view of `frame` centred on `center` (EPSG:3857) at 1:`scale`. @pre scale > 0.
MapView make_view(const Rect& frame, geo::Coord center, int scale) noexcept;

// Ground metres per Web Mercator metre at `m` (EPSG:3857): cos(latitude).
double ground_factor_at(geo::Coord m) noexcept;

}  // namespace minqing::print
