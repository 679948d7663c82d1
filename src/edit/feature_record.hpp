#pragma once
// A feature as JSON text, in the store CRS: how the history table keeps a feature's state before
// and after a change ({"properties": {field: value…}, "geometry": GeoJSON geometry}), and the
// GeoJSON pieces a write request is read from (a geometry object, a property value).
//
// Pure functions; thread-safe.

#include <string>

#include <nlohmann/json.hpp>

#include "geo/geometry.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::edit {

// {"properties": …, "geometry": …} of `f` (geometry coordinates as held, x/y).
std::string record_json(const model::FeatureClassDef& def, const model::Feature& f);
// The feature a record_json() text holds, with fid `fid`. Fields the record lacks are null.
// @throws DataError when the text is not such a record.
model::Feature parse_record(const model::FeatureClassDef& def, const std::string& text, std::int64_t fid);

// A GeoJSON geometry object of `kind` (Point or MultiPoint for points, LineString or
// MultiLineString for lines, Polygon or MultiPolygon for polygons), coordinates taken as they are
// (x/y or in a CRS's axis order: the caller converts).
// @throws EditError (422) naming the fault: "geometry: households holds points, not a LineString".
geo::Geometry parse_geometry(const nlohmann::json& g, geo::GeometryKind kind, const std::string& class_name);
// The GeoJSON geometry object of `g`, coordinates as held; null for an empty geometry.
nlohmann::json geometry_to_json(const geo::Geometry& g);

// A property value of a write as a value of `field`, converted losslessly (model/validation.hpp).
// @throws EditError (422) naming the field: "field members: \"five\" is not an integer".
model::Value value_from_json(const model::FieldDef& field, const nlohmann::json& v);
// The JSON of a value: null, integer, number or string.
nlohmann::json value_to_json(const model::Value& v);

}  // namespace minqing::edit
