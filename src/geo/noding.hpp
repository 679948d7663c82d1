#pragma once
// Noding a set of lines (GEOS GEOSNode): every line cut at each point where it crosses, touches or
// overlaps another, so that lines meet only at the ends of the pieces returned. The road graph
// (route/road_network.hpp) is built on it. Needs no GEOS header.
//
// Thread-safety: see geo/geos_context.hpp (one context per thread).

#include "geo/geometry.hpp"
#include "geo/geos_context.hpp"

namespace minqing::geo {

// The noded pieces of `lines` (a line geometry, any number of parts), one part per piece, each
// piece lying on one input line between two consecutive nodes. Overlapping stretches come out
// once. An empty input gives an empty line geometry.
// @pre lines.kind == GeometryKind::line. @throws DataError (with GEOS's message) when GEOS fails.
Geometry node_lines(const GeosContext& ctx, const Geometry& lines);

}  // namespace minqing::geo
