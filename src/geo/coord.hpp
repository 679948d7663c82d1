#pragma once
// Plain coordinates and axis-aligned boxes, in whatever CRS the caller holds them.

#include <algorithm>
#include <limits>

namespace minqing::geo {

struct Coord {
  double x = 0;
  double y = 0;
  friend bool operator==(const Coord&, const Coord&) = default;
};

// An axis-aligned box. A default-constructed box is empty and grows by expand().
struct BBox {
  double min_x = std::numeric_limits<double>::infinity();
  double min_y = std::numeric_limits<double>::infinity();
  double max_x = -std::numeric_limits<double>::infinity();
  double max_y = -std::numeric_limits<double>::infinity();

  constexpr bool empty() const noexcept { return min_x > max_x || min_y > max_y; }
  constexpr double width() const noexcept { return empty() ? 0 : max_x - min_x; }
  constexpr double height() const noexcept { return empty() ? 0 : max_y - min_y; }
  constexpr Coord center() const noexcept { return {(min_x + max_x) / 2, (min_y + max_y) / 2}; }

  constexpr void expand(Coord c) noexcept {
    min_x = std::min(min_x, c.x);
    min_y = std::min(min_y, c.y);
    max_x = std::max(max_x, c.x);
    max_y = std::max(max_y, c.y);
  }
  constexpr void expand(const BBox& b) noexcept {
    if (b.empty()) return;
    expand(Coord{b.min_x, b.min_y});
    expand(Coord{b.max_x, b.max_y});
  }
  constexpr BBox buffered(double d) const noexcept {
    return empty() ? *this : BBox{min_x - d, min_y - d, max_x + d, max_y + d};
  }
  constexpr bool intersects(const BBox& o) const noexcept {
    return !empty() && !o.empty() && min_x <= o.max_x && o.min_x <= max_x && min_y <= o.max_y &&
           o.min_y <= max_y;
  }
  constexpr bool contains(Coord c) const noexcept {
    return c.x >= min_x && c.x <= max_x && c.y >= min_y && c.y <= max_y;
  }
};

}  // namespace minqing::geo
