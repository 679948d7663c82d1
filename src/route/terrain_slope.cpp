#include "route/terrain_slope.hpp"

#include <algorithm>
#include <cmath>

namespace minqing::route {

namespace {

constexpr double kStepMercator = 25.0;  // sampling step along a line, EPSG:3857 units

// Tobler's pace relative to the flat: 1 / (v(g) / v(0)).
double tobler_pace(double grade) noexcept { return std::exp(3.5 * (std::fabs(grade + 0.05) - 0.05)); }

}  // namespace

double slope_time_factor(Mode mode, double grade) noexcept {
  if (!std::isfinite(grade)) return 1;
  if (mode == Mode::walk) return std::max(1.0, 0.5 * (tobler_pace(grade) + tobler_pace(-grade)));
  return 1 + 5 * std::max(0.0, std::fabs(grade) - 0.06);
}

double line_slope_factor(Mode mode, std::span<const geo::Coord> points, double ground_m, const ElevationAt& elevation) {
  if (!elevation || points.size() < 2 || !(ground_m > 0)) return 1;
  double mercator_total = 0;
  for (std::size_t i = 1; i < points.size(); ++i) mercator_total += std::hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  if (!(mercator_total > 0)) return 1;
  const double ground_per_unit = ground_m / mercator_total;
  double weighted = 0;
  double length = 0;
  std::optional<double> previous = elevation(points[0]);
  for (std::size_t i = 1; i < points.size(); ++i) {
    const geo::Coord a = points[i - 1], b = points[i];
    const double seg = std::hypot(b.x - a.x, b.y - a.y);
    const int steps = std::max(1, static_cast<int>(std::ceil(seg / kStepMercator)));
    for (int s = 1; s <= steps; ++s) {
      const double t = static_cast<double>(s) / steps;
      const geo::Coord p{a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t};
      const std::optional<double> here = elevation(p);
      const double run = seg / steps * ground_per_unit;
      const double factor = previous && here && run > 0 ? slope_time_factor(mode, (*here - *previous) / run) : 1.0;
      weighted += factor * run;
      length += run;
      previous = here;
    }
  }
  return length > 0 ? weighted / length : 1;
}

}  // namespace minqing::route
