#pragma once
// Which of a set of polygons (the villages of a county) a point, polygon or line belongs to:
// a point by containment, a polygon by the one holding most of its area, a line split where it
// crosses polygon boundaries, each piece to the polygon it runs in. The importer derives missing
// village codes with it (issue 13). Needs no GEOS header.
//
// Thread-safety: see geo/geos_context.hpp. A locator belongs to its context's thread.

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "geo/geometry.hpp"
#include "geo/geos_context.hpp"

namespace minqing::geo {

// A stretch of a split line and the polygon it lies in (nullopt: outside every polygon).
struct LinePiece {
  std::optional<std::size_t> polygon;
  Geometry geometry;  // a line; several parts when the line enters the same polygon more than once
};

class PolygonLocator {
 public:
  // Indexes `polygons` (polygon geometries, in the caller's order; results are indices into it).
  // @throws DataError when GEOS refuses one of them.
  PolygonLocator(const GeosContext& ctx, std::vector<Geometry> polygons);
  ~PolygonLocator();
  PolygonLocator(const PolygonLocator&) = delete;
  PolygonLocator& operator=(const PolygonLocator&) = delete;

  std::size_t size() const noexcept;

  // The first polygon that covers `c` (its boundary included), or nullopt.
  std::optional<std::size_t> locate(Coord c) const;

  // The polygon holding the largest part of `polygon`'s area, and that share (0..1); nullopt when
  // it overlaps none. @throws DataError when GEOS fails on it.
  struct Share {
    std::size_t polygon;
    double fraction;
  };
  std::optional<Share> locate_area(const Geometry& polygon) const;

  // `line` cut at every point where it crosses a polygon boundary, the pieces grouped by polygon
  // (merged where they join), in the order the line first enters each; a stretch outside every
  // polygon is one group with polygon nullopt. Cut points are shared exactly by the pieces on
  // either side, so the pieces stay connected end to end. A line within one polygon comes back
  // whole as one piece. @throws DataError when GEOS fails on it.
  std::vector<LinePiece> split_line(const Geometry& line) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace minqing::geo
