#pragma once
// Planar predicates without GEOS, for the hot paths of queries (issue 12).
//
// intersects_rect: whether a geometry meets an axis-aligned rectangle — the exact test of a bbox query
// whose box is a rectangle in the features' own CRS (a CRS84 or EPSG:3857 bbox is one in
// EPSG:3857: Web Mercator maps meridians and parallels to straight, axis-parallel lines). It gives
// what GEOS's intersects(geometry, rectangle polygon) gives, as a closed set (touching counts),
// at a fraction of its cost: no conversion of the geometry, no allocation.

#include "geo/coord.hpp"
#include "geo/geometry.hpp"

namespace minqing::geo {

// Whether `g` and the closed rectangle `r` share a point: a vertex of `g` in `r`, a segment of
// `g` crossing `r`, or `r` inside a polygon of `g` (not in one of its holes). False for an empty
// geometry or rectangle. Thread-safe; never throws.
bool intersects_rect(const Geometry& g, const BBox& r) noexcept;

// Whether a polygon of `g` holds `p` (even–odd over each polygon's rings: not in one of its
// holes; a point on an edge may go either way). False for points and lines. Thread-safe.
bool polygon_holds(const Geometry& g, Coord p) noexcept;

}  // namespace minqing::geo
