#include "server/tile_service_info.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "geo/tile.hpp"

namespace minqing::server {

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

nlohmann::json make_tilejson(const std::vector<TileLayerInfo>& layers, const geo::BBox& b, const std::string& base_url) {
  std::string names, title;
  int minzoom = 0, maxzoom = geo::kMaxZoom;
  for (const auto& l : layers) {
    names += (names.empty() ? "" : ",") + l.name;
    title += (title.empty() ? "" : " + ") + l.title_zh;
    minzoom = std::max(minzoom, l.minzoom);
    maxzoom = std::min(maxzoom, l.maxzoom);
  }
  const geo::BBox bounds = b.empty() ? geo::BBox{-180, -85.0511, 180, 85.0511} : b;
  const int center_zoom = std::clamp(14, minzoom, maxzoom);
  return {
      {"tilejson", "3.0.0"},
      {"name", names},
      {"description", title},
      {"attribution", kAttribution},
      {"scheme", "xyz"},
      {"tiles", {base_url + "/tiles/" + names + "/{z}/{x}/{y}.png"}},
      {"minzoom", minzoom},
      {"maxzoom", maxzoom},
      {"bounds", {bounds.min_x, bounds.min_y, bounds.max_x, bounds.max_y}},
      {"center", {bounds.center().x, bounds.center().y, center_zoom}},
      {"vector_layers", nlohmann::json::array()},
  };
}

std::string make_wmts_capabilities(const std::vector<TileLayerInfo>& layers, const geo::BBox& b,
                                   const std::string& base_url) {
  const geo::BBox bounds = b.empty() ? geo::BBox{-180, -85.0511, 180, 85.0511} : b;
  int maxzoom = 0;
  for (const auto& l : layers) maxzoom = std::max(maxzoom, l.maxzoom);
  const std::string base = xml_escape(base_url);
  std::ostringstream x;
  x.precision(17);
  x << R"(<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
  <ows:ServiceIdentification>
    <ows:Title>Minqing Map 民情地图</ows:Title>
    <ows:ServiceType>OGC WMTS</ows:ServiceType>
    <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
  </ows:ServiceIdentification>
  <ows:OperationsMetadata>
    <ows:Operation name="GetCapabilities">
      <ows:DCP><ows:HTTP><ows:Get xlink:href=")" << base << R"(/wmts?">
        <ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint>
      </ows:Get></ows:HTTP></ows:DCP>
    </ows:Operation>
  </ows:OperationsMetadata>
  <Contents>
)";
  for (const auto& l : layers) {
    x << "    <Layer>\n      <ows:Title>" << xml_escape(l.title_zh + " " + l.title_en) << "</ows:Title>\n"
      << "      <ows:WGS84BoundingBox><ows:LowerCorner>" << bounds.min_x << " " << bounds.min_y
      << "</ows:LowerCorner><ows:UpperCorner>" << bounds.max_x << " " << bounds.max_y
      << "</ows:UpperCorner></ows:WGS84BoundingBox>\n"
      << "      <ows:Identifier>" << xml_escape(l.name) << "</ows:Identifier>\n"
      << "      <Style isDefault=\"true\"><ows:Identifier>default</ows:Identifier></Style>\n"
      << "      <Format>image/png</Format>\n"
      << "      <TileMatrixSetLink><TileMatrixSet>GoogleMapsCompatible</TileMatrixSet></TileMatrixSetLink>\n"
      << "      <ResourceURL format=\"image/png\" resourceType=\"tile\" template=\"" << base << "/tiles/"
      << xml_escape(l.name) << "/{TileMatrix}/{TileCol}/{TileRow}.png\"/>\n    </Layer>\n";
  }
  x << "    <TileMatrixSet>\n      <ows:Identifier>GoogleMapsCompatible</ows:Identifier>\n"
    << "      <ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>\n"
    << "      <WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>\n";
  // The scale denominator of zoom 0 for 256 px tiles and the standard 0.28 mm pixel.
  constexpr double kScale0 = 559082264.0287178;
  for (int z = 0; z <= maxzoom; ++z) {
    const unsigned long n = 1ul << z;
    x << "      <TileMatrix><ows:Identifier>" << z << "</ows:Identifier><ScaleDenominator>"
      << kScale0 / static_cast<double>(n) << "</ScaleDenominator><TopLeftCorner>" << -geo::kMercatorHalfWorld << " "
      << geo::kMercatorHalfWorld << "</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>"
      << n << "</MatrixWidth><MatrixHeight>" << n << "</MatrixHeight></TileMatrix>\n";
  }
  x << "    </TileMatrixSet>\n  </Contents>\n</Capabilities>\n";
  return x.str();
}

}  // namespace minqing::server
