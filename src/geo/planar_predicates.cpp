#include "geo/planar_predicates.hpp"

#include <cstdint>

namespace minqing::geo {

namespace {

bool inside(const BBox& r, Coord p) noexcept {
  return p.x >= r.min_x && p.x <= r.max_x && p.y >= r.min_y && p.y <= r.max_y;
}

// Liang–Barsky: whether segment a→b meets the closed rectangle.
bool segment_meets(const BBox& r, Coord a, Coord b) noexcept {
  double t0 = 0, t1 = 1;
  const double dx = b.x - a.x, dy = b.y - a.y;
  const auto clip = [&](double p, double q) {
    if (p == 0) return q >= 0;  // parallel to this edge: inside its half-plane or not at all
    const double t = q / p;
    if (p < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
    return true;
  };
  return clip(-dx, a.x - r.min_x) && clip(dx, r.max_x - a.x) && clip(-dy, a.y - r.min_y) && clip(dy, r.max_y - a.y);
}

// [begin, end) of part `i` (a line or a ring); a geometry without part ends is one part.
std::uint32_t part_begin(const Geometry& g, std::size_t i) noexcept { return i == 0 ? 0 : g.part_ends[i - 1]; }
std::size_t part_count(const Geometry& g) noexcept { return g.part_ends.empty() ? 1 : g.part_ends.size(); }
std::uint32_t part_end(const Geometry& g, std::size_t i) noexcept {
  return g.part_ends.empty() ? static_cast<std::uint32_t>(g.coords.size()) : g.part_ends[i];
}

// Even–odd crossings of the rays from `p` over rings [first, last): inside the polygon, outside
// its holes.
bool in_polygon(const Geometry& g, std::size_t first, std::size_t last, Coord p) noexcept {
  bool in = false;
  for (std::size_t r = first; r < last; ++r) {
    const std::uint32_t begin = part_begin(g, r), end = part_end(g, r);
    if (end - begin < 3) continue;
    for (std::uint32_t i = begin, j = end - 1; i < end; j = i++) {
      const Coord a = g.coords[i], b = g.coords[j];
      if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
    }
  }
  return in;
}

}  // namespace

bool intersects_rect(const Geometry& g, const BBox& r) noexcept {
  if (g.empty() || r.empty()) return false;
  for (const Coord& c : g.coords) {
    if (inside(r, c)) return true;
  }
  if (g.kind == GeometryKind::point) return false;
  for (std::size_t part = 0; part < part_count(g); ++part) {
    const std::uint32_t begin = part_begin(g, part), end = part_end(g, part);
    for (std::uint32_t i = begin; i + 1 < end; ++i) {
      if (segment_meets(r, g.coords[i], g.coords[i + 1])) return true;
    }
  }
  if (g.kind == GeometryKind::line) return false;
  // No vertex inside and no edge crossing: the rectangle lies wholly inside a polygon or wholly
  // outside them all, and any of its points says which.
  return polygon_holds(g, {r.min_x, r.min_y});
}

bool polygon_holds(const Geometry& g, Coord p) noexcept {
  if (g.kind != GeometryKind::polygon || g.empty()) return false;
  if (g.polygon_ends.empty()) return in_polygon(g, 0, part_count(g), p);
  std::size_t first = 0;
  for (std::uint32_t last : g.polygon_ends) {
    if (in_polygon(g, first, last, p)) return true;
    first = last;
  }
  return false;
}

}  // namespace minqing::geo
