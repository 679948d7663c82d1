#pragma once
// The generator's geometry vocabulary: geo/'s GEOS wrappers (overlay, buffer, Voronoi, prepared
// predicates) under the names generate/ files use, plus parts_of. GEOS itself is called only in
// src/geo/. The wrappers throw DataError (with GEOS's message) when GEOS fails. A GeosContext is
// not thread-safe: one per thread (geo/geos_context.hpp).

#include <vector>

#include "geo/geometry.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/geos_context.hpp"
#include "geo/geos_geometry.hpp"
#include "geo/prepared_geometry.hpp"

namespace minqing::generate {

using geo::area;
using geo::buffer;
using geo::clone;
using geo::difference;
using geo::empty_polygon;
using geo::GeosContext;
using geo::GeosGeometry;
using geo::intersection;
using geo::is_empty;
using geo::PreparedGeometry;
using geo::union_all;
using geo::union_of;
using geo::voronoi_cells;

// Single-part pieces of a geometry: each polygon (with its holes) or each line on its own.
std::vector<geo::Geometry> parts_of(const geo::Geometry& g);

}  // namespace minqing::generate
