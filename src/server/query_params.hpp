#pragma once
// Strict parsing of the query parameters the endpoints share (limit, offset, bbox, points, numbers,
// names): every malformed, missing, repeated, unknown or out-of-range parameter is a RequestError
// (400) whose message names the parameter. Values are echoed back cut to 64 bytes. One module, so
// that `limit` means the same everywhere.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/coord.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Refuses a parameter not in `known`, one given twice, and a value longer than 1,024 bytes.
// @throws RequestError naming the parameter.
void check_query_params(const RequestContext& ctx, std::initializer_list<std::string_view> known);

// A finite decimal number in [min, max]; nullopt when the parameter is absent.
// @throws RequestError naming `name` for anything else (empty, NaN, 1e999, "1;DROP TABLE", …).
std::optional<double> number_param(const RequestContext& ctx, std::string_view name, double min, double max);
// As number_param, but the parameter is required.
double required_number_param(const RequestContext& ctx, std::string_view name, double min, double max);

// The point of `lon` and `lat` (CRS84 degrees; latitude within Web Mercator's ±85.0511°), both
// required.
struct PointParam {
  double lon = 0;
  double lat = 0;
  geo::Coord mercator;  // EPSG:3857
};
PointParam point_param(const RequestContext& ctx);

// A point written "lon,lat" (CRS84 degrees; latitude within Web Mercator's ±85.0511°), as the value
// of parameter `name`. @throws RequestError naming `name`.
PointParam parse_lonlat(std::string_view value, std::string_view name);
// Parameter `name` as "lon,lat" (parse_lonlat); nullopt when absent.
std::optional<PointParam> lonlat_param(const RequestContext& ctx, std::string_view name);

// `limit`: an integer >= 1, larger values clamped to `max`; `fallback` when absent.
std::size_t limit_param(const RequestContext& ctx, std::size_t fallback, std::size_t max);

// `offset`: an integer >= 0 (a value beyond size_t is SIZE_MAX: past every page); 0 when absent.
std::size_t offset_param(const RequestContext& ctx);

// `name` as a box of 4 (or, when `allow_3d`, 6: min x, y, z, max x, y, z — z ignored) finite
// comma-separated numbers, lower corner first, in whatever CRS the caller says; nullopt when
// absent. @throws RequestError naming `name`.
std::optional<geo::BBox> bbox_param(const RequestContext& ctx, std::string_view name, bool allow_3d = true);

// As bbox_param (4 numbers), as CRS84 longitude/latitude within -180,-90,180,90.
std::optional<geo::BBox> lonlat_bbox_param(const RequestContext& ctx, std::string_view name);

// `name` as one identifier ([a-z0-9_], 1…64 characters); nullopt when absent.
// @throws RequestError naming `name`.
std::optional<std::string> name_param(const RequestContext& ctx, std::string_view name);

// `name` as a comma-separated list of identifiers ([a-z0-9_], 1…64 characters each), without
// repeats, in the order given; nullopt when absent. @throws RequestError naming `name`.
std::optional<std::vector<std::string>> name_list_param(const RequestContext& ctx, std::string_view name);

}  // namespace minqing::server
