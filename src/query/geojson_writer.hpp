#pragma once
// Served features as GeoJSON (RFC 7946 shapes) in any CRS of crs.hpp, in that CRS's axis order,
// rounded to 7 decimals for degrees (~1 cm) and 3 for metres (1 mm). Only the fields of the
// caller's ClassView are written as properties, masked as the caller's scope says; "id" is the
// store fid.
//
// The text is written straight into the answer's string (no intermediate JSON objects: the query
// endpoints spend their time here), and it is byte for byte what nlohmann::json::dump() — compact,
// object keys in sorted order, invalid UTF-8 replaced — gives for the same document, so answers
// written either way read the same (tests/query/geojson_writer_test.cpp holds both to it).

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/geometry.hpp"
#include "query/class_view.hpp"
#include "query/crs.hpp"
#include "store/served_feature.hpp"

namespace minqing::query {

// Appends `s` as a JSON string (quoted, escaped as nlohmann::json::dump escapes it).
void append_json_string(std::string& out, std::string_view s);
// Appends `v` as nlohmann::json::dump writes a number (shortest round-trip digits, "1.0" for a
// whole number, null when not finite).
void append_json_number(std::string& out, double v);
void append_json_number(std::string& out, std::int64_t v);
void append_json_number(std::string& out, std::size_t v);
// Appends a value: null, integer, number or string.
void append_json_value(std::string& out, const model::Value& v);

// A member added to a feature object beside its own ("class", "distance_m", "links", …): its key
// and its value as JSON text.
struct JsonMember {
  std::string_view key;
  std::string json;
};

// Writes the features of one class for one caller in one CRS. Cheap to make (once per answer);
// holds references to `view` and `crs`, which must outlive it. Thread-compatible.
class FeatureWriter {
 public:
  FeatureWriter(const ClassView& view, const Crs& crs);

  // Appends {"geometry": …, "id": fid, "properties": {visible fields}, "type": "Feature"}, with the
  // `extra` members merged in among them in key order (their keys must differ from these four).
  // `f` must come from the caller's ScopedReader (already masked).
  // @throws ProjError when a coordinate cannot be transformed to the CRS.
  void write(std::string& out, const store::ServedFeature& f, std::span<const JsonMember> extra = {}) const;

 private:
  const ClassView& m_view;
  const Crs& m_crs;
  std::vector<std::size_t> m_by_name;  // indices into m_view.fields, in order of field name
  std::vector<std::string> m_keys;     // per m_by_name entry: "name": as written ("," before all but the first)
  std::string m_properties_key;        // the field list, for the text kept with each feature
};

// A GeoJSON geometry object for `g` (EPSG:3857) in `crs`: Point/MultiPoint, LineString/
// MultiLineString or Polygon/MultiPolygon by its kind and number of parts; null when empty.
// @throws ProjError when a coordinate cannot be transformed to `crs`.
void append_geometry(std::string& out, const geo::Geometry& g, const Crs& crs);

// The same as parsed JSON, for answers that add to a feature object before writing it.
nlohmann::json feature_json(const store::ServedFeature& f, const ClassView& view, const Crs& crs);

// A value as JSON: null, integer, number or string.
nlohmann::json value_json(const model::Value& v);

}  // namespace minqing::query
