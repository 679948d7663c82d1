#pragma once
// The coordinate reference systems the feature API answers in and accepts (OGC API – Features
// Part 2): CRS84 (the default, lon/lat), EPSG:4326 and EPSG:4490 (lat/lon, their authority axis
// order), EPSG:3857 (x/y) and EPSG:4549 (CGCS2000 3-degree GK CM 120°E, northing/easting: its
// authority axis order). Coordinates cross this API in the CRS's own axis order; inside, they are
// always x/y (easting or longitude first) as geo::Transform holds them.

#include <span>
#include <string>
#include <string_view>

#include "geo/coord.hpp"

namespace minqing::query {

struct Crs {
  std::string uri;           // "http://www.opengis.net/def/crs/EPSG/0/4549"
  int epsg = 0;              // 4326 for CRS84 too
  bool lat_first = false;    // axis order northing/latitude first (swap against x/y)
  bool geographic = false;   // degrees (7 decimals in answers) rather than metres (3)
};

// Every CRS served, CRS84 first. Immutable; safe to share between threads.
std::span<const Crs> supported_crs();
const Crs& crs84();
const Crs& web_mercator();

// The CRS a `crs`, `bbox-crs` or `filter-crs` parameter names: one of the URIs of supported_crs(),
// a safe CURIE "[EPSG:4549]" or "[OGC:CRS84]", or the plain "EPSG:4549" / "OGC:CRS84" forms.
// @throws RequestError naming `param` and the value when it names no supported CRS.
const Crs& parse_crs(std::string_view value, std::string_view param);

// Conversions between EPSG:3857 and a CRS, with `crs`'s axis order applied on the CRS side.
// Transforms are cached per thread; thread-safe.
// @throws ProjError when a coordinate lies outside the CRS's domain.
geo::Coord from_mercator(const Crs& crs, geo::Coord m);
geo::Coord to_mercator(const Crs& crs, geo::Coord c);

}  // namespace minqing::query
