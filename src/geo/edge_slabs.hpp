#pragma once
// The edges of one line or polygon geometry sorted into horizontal slabs, so that a point query
// looks at the few edges near the point's latitude instead of every edge (issue 12: even–odd
// containment and nearest-edge scans of land cover and village polygons with hundreds of vertices
// were 15 % of an identify). Built from a geometry and used with that same geometry.
//
// Both queries give exactly what the full scans give (geo::polygon_holds, and the nearest point in
// edge order with the first edge winning a tie): the same crossings are counted, with the same
// arithmetic, and an edge outside the slabs looked at cannot cross the point's horizontal line or
// come within the bound. About 40 bytes an edge, more for long edges spanning several slabs.
//
// Immutable once built; thread-safe to query.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "geo/coord.hpp"
#include "geo/geometry.hpp"

namespace minqing::geo {

class EdgeSlabs {
 public:
  // Below this many edges a full scan is as quick: callers need not build slabs.
  static constexpr std::size_t kWorthFrom = 32;

  // Slabs for the edges of `g` (a line or polygon geometry; nothing for points).
  explicit EdgeSlabs(const Geometry& g);

  // The number of segments a geometry has (rings counted with their closing edge).
  static std::size_t edge_count(const Geometry& g) noexcept;

  // Whether a polygon of the geometry holds `p`: geo::polygon_holds(g, p), bit for bit.
  bool polygon_holds(Coord p) const noexcept;

  // One segment of a part, from `a` to `b` (coords[order] and the next coordinate); an isolated
  // one-point part is a segment from its point to itself.
  struct Segment {
    Coord a, b;
    std::uint32_t order = 0;  // the index of `a` in the geometry's coordinates: the scan's order
  };
  // Calls visit(segment) for each segment of the geometry's parts (lines, rings without their closing
  // edge) whose vertical extent may meet [y_min, y_max]; some more than once. Every segment that
  // does meet it is visited.
  template <class Visit>
  void segments_between(double y_min, double y_max, Visit&& visit) const {
    if (m_starts.size() < 2 || y_max < m_y0 || y_min > m_y1) return;
    const std::size_t last = slab_of(y_max);
    for (std::size_t s = slab_of(y_min); s <= last; ++s) {
      for (std::uint32_t k = m_starts[s]; k < m_starts[s + 1]; ++k) {
        const Edge& e = m_edges[k];
        if (e.for_nearest) visit(Segment{e.from_c, e.to_c, e.from});
      }
    }
  }

  std::size_t slab_count() const noexcept { return m_starts.empty() ? 0 : m_starts.size() - 1; }

 private:
  // The coordinates are copied in: a point query on a feature not looked at lately then misses
  // the cache once per few edges, not once per edge and coordinate (that was most of its time).
  struct Edge {
    Coord from_c, to_c;
    std::uint32_t from = 0;             // the index of from_c in the geometry's coordinates
    std::uint32_t polygon : 30 = 0;     // which polygon of a multipolygon the ring belongs to
    std::uint32_t for_holds : 1 = 0;    // counted by the even–odd test (rings of 3+ coordinates)
    std::uint32_t for_nearest : 1 = 0;  // measured by the nearest-point scan (all but closing edges)
  };
  std::size_t slab_of(double y) const noexcept;

  bool m_polygon = false;
  double m_y0 = 0, m_y1 = 0;  // the geometry's vertical extent
  double m_per_unit = 0;      // slabs per unit of y
  std::vector<std::uint32_t> m_starts;  // slab s holds m_edges[m_starts[s], m_starts[s + 1])
  std::vector<Edge> m_edges;            // per slab, in the geometry's edge order
};

}  // namespace minqing::geo
