#pragma once
// Descriptions of the tile service for clients: TileJSON 3.0 and WMTS 1.0 capabilities.
// Pure functions of what the server knows; the endpoints feed them.

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "geo/coord.hpp"

namespace minqing::server {

// One map as a tile layer.
struct TileLayerInfo {
  std::string name;      // "terrain"
  std::string title_zh;  // "村情民情图"
  std::string title_en;
  int minzoom = 0;
  int maxzoom = 19;
};

inline constexpr const char* kAttribution = "© 松阳县 村级民情地图 (Minqing Map)";

// TileJSON 3.0 for `layers` drawn together (their names joined by commas in the tile URL).
// `bounds` are lon/lat (CRS84); `base_url` is "http://host:port" with no trailing slash.
nlohmann::json make_tilejson(const std::vector<TileLayerInfo>& layers, const geo::BBox& bounds_lonlat,
                             const std::string& base_url);

// WMTS 1.0.0 GetCapabilities XML with a RESTful ResourceURL template for each layer, in the
// GoogleMapsCompatible tile matrix set (EPSG:3857, 256 px), so that GDAL's WMTS driver and QGIS
// can open it. `bounds` are lon/lat.
std::string make_wmts_capabilities(const std::vector<TileLayerInfo>& layers, const geo::BBox& bounds_lonlat,
                                   const std::string& base_url);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string xml_escape(const std::string& s);

}  // namespace minqing::server
