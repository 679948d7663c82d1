#pragma once
// How a road's slope slows travel, from the store's DEM where one exists (issue 10: "edges
// weighted by ground length and a speed per road class and grade — DEM slope where a DEM
// exists"). Applied once, when the network is built; never per request.
//
// Walking follows Tobler's hiking function, v(g) = 6·exp(−3.5·|g + 0.05|) km/h, scaled so that a
// flat road keeps its class speed. The network is undirected, so an edge's walking time is the
// mean of going up and coming down it: a factor cosh-like in the grade and never below 1 (1 on
// the flat, 1.21 at 10 %, 2.43 at 30 %). Never below 1 keeps A*'s straight-line estimate at the
// flat top speed admissible. Vehicles slow on grades steeper than 6 %: 1 + 5·(|g| − 0.06).

#include <array>
#include <functional>
#include <optional>
#include <span>

#include "geo/coord.hpp"
#include "route/travel_mode.hpp"

namespace minqing::route {

// The ground height in metres at an EPSG:3857 point, or nullopt where no DEM covers it. Must be
// callable from the thread that builds the network.
using ElevationAt = std::function<std::optional<double>(geo::Coord)>;

// The factor by which grade `g` (rise over ground run, signed) lengthens travel by `mode`,
// averaged over both directions: ≥ 1, exactly 1 on the flat.
double slope_time_factor(Mode mode, double grade) noexcept;

// The factor of each mode for a whole line (EPSG:3857 points, `ground_m` its ground length): each
// stretch of at most ~25 m weighted by its length; stretches without heights count as flat. The
// heights are sampled once for all modes.
std::array<double, kModeCount> line_slope_factors(std::span<const geo::Coord> points, double ground_m,
                                                  const ElevationAt& elevation);

}  // namespace minqing::route
