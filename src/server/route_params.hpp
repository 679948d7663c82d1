#pragma once
// The parameters GET /api/route and GET /api/evacuation-plan share (mode, avoid, closed), parsed
// once here so that both answer a malformed value with the same 400 naming the parameter.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "geo/coord.hpp"
#include "geo/geometry.hpp"
#include "model/feature.hpp"
#include "query/class_view.hpp"
#include "query/scoped_reader.hpp"
#include "route/road_network.hpp"
#include "route/travel_mode.hpp"

namespace minqing::server {

// walk (absent) | drive. @throws RequestError naming `mode`.
route::Mode mode_param(const std::optional<std::string>& text);
// A comma list of high, medium, low, or none; high when absent. @throws RequestError naming `avoid`.
route::RiskSet avoid_param(const std::optional<std::string>& text);
// The avoided levels as a JSON list of their names.
nlohmann::json avoid_json(route::RiskSet avoid);
// WKT in CRS84 → EPSG:3857 (empty when absent). @throws RequestError naming `closed`.
geo::Geometry closed_param(const std::optional<std::string>& text);

// The value of field `name` of a feature in the caller's form, or null when the caller's view has no
// such field (hidden) — the only way these answers read a feature's values.
const model::Value* field_of(const query::ClassView& view, const store::ServedFeature& f, std::string_view name);
// A value as JSON (null for none); its text ("" when not text).
nlohmann::json value_json(const model::Value* v);
std::string text_of(const model::Value* v);

// `v` rounded to 1/scale (divided last, so that 14.2 prints as 14.2).
double round_to(double v, double scale);
// An EPSG:3857 point as a CRS84 [lon, lat] to 1e-7°.
nlohmann::json lonlat_json(geo::Coord mercator);

}  // namespace minqing::server
