#pragma once
// Conversions between OGR geometries and geo::Geometry. Include only inside store/ (links GDAL).

#include <memory>
#include <optional>
#include <string>

#include <ogr_geometry.h>

#include "geo/geometry.hpp"

namespace minqing::store {

// Converts any OGR geometry whose dimension matches `kind` (Point/MultiPoint for points,
// (Multi)LineString for lines, (Multi)Polygon for polygons, curves linearised, Z dropped).
// Returns nullopt and sets `reason` when the geometry is of another kind.
std::optional<geo::Geometry> from_ogr(const OGRGeometry& g, geo::GeometryKind kind, std::string& reason);

// Builds the OGR geometry the store writes: Point, MultiLineString or MultiPolygon.
std::unique_ptr<OGRGeometry> to_ogr(const geo::Geometry& g);

}  // namespace minqing::store
