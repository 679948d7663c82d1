#pragma once
// The OGR field and geometry types the store writes for the layer definitions' types, shared by
// the store itself and by `minqing export`. Include only inside store/ (links GDAL).

#include <ogr_core.h>

#include "geo/geometry.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::store {

// integer → Integer64, real → Real, text → String, date → Date, datetime → DateTime.
OGRFieldType ogr_field_type(model::FieldType t) noexcept;

// point → Point, line → MultiLineString, polygon → MultiPolygon (a feature may have several parts).
OGRwkbGeometryType ogr_geometry_type(geo::GeometryKind k) noexcept;

}  // namespace minqing::store
