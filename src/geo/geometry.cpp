#include "geo/geometry.hpp"

#include <utility>

namespace minqing::geo {

std::string_view to_string(GeometryKind kind) noexcept {
  switch (kind) {
    case GeometryKind::point: return "point";
    case GeometryKind::line: return "line";
    case GeometryKind::polygon: return "polygon";
  }
  return "?";
}

BBox Geometry::bbox() const noexcept {
  BBox b;
  for (const Coord& c : coords) b.expand(c);
  return b;
}

Geometry Geometry::point(Coord c) {
  Geometry g;
  g.kind = GeometryKind::point;
  g.coords.push_back(c);
  g.part_ends.push_back(1);
  return g;
}

Geometry Geometry::line(std::vector<Coord> pts) {
  Geometry g;
  g.kind = GeometryKind::line;
  g.coords = std::move(pts);
  g.part_ends.push_back(static_cast<std::uint32_t>(g.coords.size()));
  return g;
}

namespace {
void append_ring(Geometry& g, const std::vector<Coord>& ring) {
  g.coords.insert(g.coords.end(), ring.begin(), ring.end());
  if (!ring.empty() && !(ring.front() == ring.back())) g.coords.push_back(ring.front());
  g.part_ends.push_back(static_cast<std::uint32_t>(g.coords.size()));
}
}  // namespace

Geometry Geometry::polygon(std::vector<Coord> ring, const std::vector<std::vector<Coord>>& holes) {
  Geometry g;
  g.kind = GeometryKind::polygon;
  append_ring(g, ring);
  for (const auto& h : holes) append_ring(g, h);
  g.polygon_ends.push_back(static_cast<std::uint32_t>(g.part_ends.size()));
  return g;
}

void Geometry::append(const Geometry& other) {
  const auto coord_base = static_cast<std::uint32_t>(coords.size());
  const auto part_base = static_cast<std::uint32_t>(part_ends.size());
  coords.insert(coords.end(), other.coords.begin(), other.coords.end());
  for (auto e : other.part_ends) part_ends.push_back(e + coord_base);
  for (auto e : other.polygon_ends) polygon_ends.push_back(e + part_base);
}

}  // namespace minqing::geo
