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

std::array<double, kModeCount> line_slope_factors(std::span<const geo::Coord> points, double ground_m,
                                                  const ElevationAt& elevation) {
  std::array<double, kModeCount> flat;
  flat.fill(1.0);
  if (!elevation || points.size() < 2 || !(ground_m > 0)) return flat;
  double mercator_total = 0;
  for (std::size_t i = 1; i < points.size(); ++i) mercator_total += std::hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  if (!(mercator_total > 0)) return flat;
  const double ground_per_unit = ground_m / mercator_total;
  std::array<double, kModeCount> weighted{};
  double length = 0;
  std::optional<double> previous = elevation(points[0]);
  for (std::size_t i = 1; i < points.size(); ++i) {
    const geo::Coord a = points[i - 1], b = points[i];
    const double seg = std::hypot(b.x - a.x, b.y - a.y);
    const int steps = std::max(1, static_cast<int>(std::ceil(seg / kStepMercator)));
    for (int s = 1; s <= steps; ++s) {
      const double t = static_cast<double>(s) / steps;
      const std::optional<double> here = elevation({a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t});
      const double run = seg / steps * ground_per_unit;
      for (std::size_t m = 0; m < kModeCount; ++m) {
        const double f = previous && here && run > 0 ? slope_time_factor(static_cast<Mode>(m), (*here - *previous) / run) : 1.0;
        weighted[m] += f * run;
      }
      length += run;
      previous = here;
    }
  }
  if (!(length > 0)) return flat;
  for (std::size_t m = 0; m < kModeCount; ++m) weighted[m] /= length;
  return weighted;
}

}  // namespace minqing::route
