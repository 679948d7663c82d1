#pragma once
// A compact, library-free geometry: the form features take in memory once loaded, so that the
// index, the renderer and the queries need no GDAL or GEOS object per feature.

#include <cstdint>
#include <string_view>
#include <vector>

#include "geo/coord.hpp"

namespace minqing::geo {

enum class GeometryKind : std::uint8_t { point, line, polygon };

std::string_view to_string(GeometryKind kind) noexcept;

// Points, lines or polygons, single or multi, in one flat coordinate array.
//  - point:   every coordinate is one point (a multipoint has several).
//  - line:    `part_ends[i]` is the end offset in `coords` of line i.
//  - polygon: `part_ends[i]` is the end offset of ring i (closed: last == first);
//             `polygon_ends[j]` is the end offset in `part_ends` of polygon j, whose first ring
//             is its exterior.
struct Geometry {
  GeometryKind kind = GeometryKind::point;
  std::vector<Coord> coords;
  std::vector<std::uint32_t> part_ends;
  std::vector<std::uint32_t> polygon_ends;

  bool empty() const noexcept { return coords.empty(); }
  BBox bbox() const noexcept;

  // Builders for the common single-part cases.
  static Geometry point(Coord c);
  static Geometry line(std::vector<Coord> pts);
  // `ring` need not be closed; it is closed here. Holes follow the same rule.
  static Geometry polygon(std::vector<Coord> ring, const std::vector<std::vector<Coord>>& holes = {});

  // Appends another geometry of the same kind as further parts.
  void append(const Geometry& other);
};

}  // namespace minqing::geo
