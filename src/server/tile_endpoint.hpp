#pragma once
// The tile endpoints: XYZ PNG tiles, TileJSON and WMTS capabilities.
//   GET /tiles/{maps}/{z}/{x}/{y}.png, …/{y}@2x.png   maps: "terrain" or "terrain,disaster"
//   GET /tiles/{maps}.json                             TileJSON 3.0
//   GET /wmts?SERVICE=WMTS&REQUEST=GetCapabilities     WMTS 1.0 (also /wmts/1.0.0/WMTSCapabilities.xml)

#include "model/layer_catalog.hpp"
#include "render/map_renderer.hpp"
#include "server/router.hpp"
#include "server/tile_cache.hpp"
#include "store/serving_index.hpp"
#include "style/style.hpp"

namespace minqing::server {

// What the tile endpoints use; owned by the App, which outlives the routes.
struct TileService {
  const model::LayerCatalog& catalog;
  const store::ServingIndex& index;
  const style::StyleSet& styles;
  const render::MapRenderer& renderer;
  TileCache& cache;
  render::PngOptions png;
};

void add_tile_routes(Router& router, TileService& service);

// The cache key of a tile: everything that changes its pixels.
std::string tile_cache_key(const TileService& service, const std::vector<std::string>& maps, geo::TileId tile,
                           int scale);

}  // namespace minqing::server
