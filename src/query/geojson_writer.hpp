#pragma once
// Served features as GeoJSON (RFC 7946 shapes) in any CRS of crs.hpp, in that CRS's axis order,
// rounded to 7 decimals for degrees (~1 cm) and 3 for metres (1 mm). Only the fields of the
// caller's ClassView are written as properties, masked as the caller's scope says; "id" is the
// store fid.

#include <nlohmann/json.hpp>

#include "geo/geometry.hpp"
#include "query/crs.hpp"
#include "query/feature_query.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

// A GeoJSON geometry object for `g` (EPSG:3857) in `crs`: Point/MultiPoint, LineString/
// MultiLineString or Polygon/MultiPolygon by its kind and number of parts; null when empty.
// @throws ProjError when a coordinate cannot be transformed to `crs`.
nlohmann::json geometry_json(const geo::Geometry& g, const Crs& crs);

// {"type": "Feature", "id": fid, "geometry": …, "properties": {visible fields}}. Null values are
// written as null.
nlohmann::json feature_json(const store::ServedFeature& f, const ClassView& view, const Crs& crs);

// A value as JSON: null, integer, number or string.
nlohmann::json value_json(const model::Value& v);

}  // namespace minqing::query
