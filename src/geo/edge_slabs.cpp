#include "geo/edge_slabs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace minqing::geo {

namespace {

std::uint32_t part_begin(const Geometry& g, std::size_t i) noexcept { return i == 0 ? 0 : g.part_ends[i - 1]; }
std::size_t part_count(const Geometry& g) noexcept { return g.part_ends.empty() ? 1 : g.part_ends.size(); }
std::uint32_t part_end(const Geometry& g, std::size_t i) noexcept {
  return g.part_ends.empty() ? static_cast<std::uint32_t>(g.coords.size()) : g.part_ends[i];
}

// About this many edges a slab: a point query then reads a handful of edges, while long edges,
// listed in every slab they span, do not multiply the memory.
constexpr std::size_t kEdgesPerSlab = 4;
constexpr std::size_t kMaxSlabs = 1 << 16;

}  // namespace

std::size_t EdgeSlabs::edge_count(const Geometry& g) noexcept {
  if (g.kind == GeometryKind::point) return 0;
  return g.coords.size();  // a part of n coordinates: n - 1 segments, plus the closing edge of a ring
}

std::size_t EdgeSlabs::slab_of(double y) const noexcept {
  // Monotone in y (a subtraction and a product by a positive constant round monotonically), so an
  // edge spanning [a, b] is listed in every slab a point with a <= y <= b is looked up in.
  const double s = std::floor((y - m_y0) * m_per_unit);
  const double last = static_cast<double>(m_starts.size() - 2);
  return static_cast<std::size_t>(std::clamp(s, 0.0, last));
}

EdgeSlabs::EdgeSlabs(const Geometry& g) {
  if (g.kind == GeometryKind::point || g.empty()) return;
  std::vector<Edge> edges;
  edges.reserve(edge_count(g) + part_count(g));
  const bool polygon = g.kind == GeometryKind::polygon;
  std::size_t which = 0;  // the polygon of ring `part`
  for (std::size_t part = 0; part < part_count(g); ++part) {
    while (polygon && which < g.polygon_ends.size() && part >= g.polygon_ends[which]) ++which;
    const std::uint32_t begin = part_begin(g, part), end = part_end(g, part);
    const auto& c = g.coords;
    if (end - begin == 1) {
      edges.push_back({c[begin], c[begin], begin, 0, 0, 1});  // the nearest-point scan measures a lone point
      continue;
    }
    const std::uint32_t holds = polygon && end - begin >= 3 ? 1 : 0;
    const auto index = static_cast<std::uint32_t>(which);
    for (std::uint32_t i = begin; i + 1 < end; ++i) edges.push_back({c[i], c[i + 1], i, index, holds, 1});
    if (holds) edges.push_back({c[end - 1], c[begin], end - 1, index, 1, 0});  // the even–odd test's closing edge
  }
  if (edges.empty()) return;

  m_y0 = std::numeric_limits<double>::infinity();
  m_y1 = -m_y0;
  for (const Coord& c : g.coords) {
    m_y0 = std::min(m_y0, c.y);
    m_y1 = std::max(m_y1, c.y);
  }
  const std::size_t slabs = std::clamp<std::size_t>(edges.size() / kEdgesPerSlab, 1, kMaxSlabs);
  m_per_unit = m_y1 > m_y0 ? static_cast<double>(slabs) / (m_y1 - m_y0) : 0;
  m_starts.assign(slabs + 1, 0);
  m_polygon = polygon;
  const auto span = [&](const Edge& e) {
    const double a = e.from_c.y, b = e.to_c.y;
    return std::pair{slab_of(std::min(a, b)), slab_of(std::max(a, b))};
  };
  // Counting sort: each slab's edges stay in the geometry's order (grouped by polygon).
  for (const Edge& e : edges) {
    const auto [first, last] = span(e);
    for (std::size_t s = first; s <= last; ++s) ++m_starts[s + 1];
  }
  for (std::size_t s = 0; s < slabs; ++s) m_starts[s + 1] += m_starts[s];
  m_edges.resize(m_starts.back());
  std::vector<std::uint32_t> next(m_starts.begin(), m_starts.end() - 1);
  for (const Edge& e : edges) {
    const auto [first, last] = span(e);
    for (std::size_t s = first; s <= last; ++s) m_edges[next[s]++] = e;
  }
}

bool EdgeSlabs::polygon_holds(Coord p) const noexcept {
  if (!m_polygon || m_starts.size() < 2 || !(p.y >= m_y0 && p.y <= m_y1)) return false;
  // An edge crossing the horizontal line through p spans p.y, so it is listed in p's slab.
  const std::size_t s = slab_of(p.y);
  bool in = false;
  std::uint32_t polygon = 0;
  for (std::uint32_t k = m_starts[s]; k < m_starts[s + 1]; ++k) {
    const Edge& e = m_edges[k];
    if (!e.for_holds) continue;
    if (e.polygon != polygon) {  // the edges of one polygon are together, polygons in order
      if (in) return true;
      polygon = e.polygon;
    }
    // geo/planar_predicates.cpp's crossing test with its operands in the same order.
    const Coord a = e.to_c, b = e.from_c;
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}

}  // namespace minqing::geo
