#pragma once
// The tile endpoints: XYZ PNG tiles, TileJSON and WMTS capabilities.
//   GET /tiles/{maps}/{z}/{x}/{y}.png, …/{y}@2x.png   maps: "terrain" or "terrain,disaster"
//   GET /tiles/{maps}.json                             TileJSON 3.0
//   GET /wmts?SERVICE=WMTS&REQUEST=GetCapabilities     WMTS 1.0 (also /wmts/1.0.0/WMTSCapabilities.xml)
// Every answer follows the caller's access scope (RequestContext::scope): a map the scope may not
// see answers 403, or 404 (as an unknown map) when the map is confidential, so that its existence
// is not confirmed; listings name only the maps the scope may see, with the bounds of what it
// sees; tiles are drawn from the caller's query::ScopedReader (only what it may see, in its
// form), cached per scope.cache_key(), and sent the cache headers of server/cache_policy.hpp;
// every tile request naming a confidential map is appended to the audit log.

#include <memory>

#include "access/audit_log.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "render/draw_pool.hpp"
#include "render/map_renderer.hpp"
#include "server/router.hpp"
#include "query/dataset.hpp"
#include "query/scoped_reader.hpp"
#include "server/tile_cache.hpp"
#include "server/tile_metatiles.hpp"
#include "style/style.hpp"

namespace minqing::server {

// What the tile endpoints use; owned by the App, which outlives the routes.
struct TileService {
  const model::LayerCatalog& catalog;
  const query::Dataset& data;
  const style::StyleSet& styles;
  const render::MapRenderer& renderer;
  TileCache& cache;
  render::PngOptions png;
  access::AuditLog* audit = nullptr;  // where confidential-map tile requests are recorded
  // Cold tiles are drawn by metatile, and concurrent requests for one metatile share its draw
  // (server/tile_metatiles.hpp). Null, or a cache that keeps nothing: each tile drawn alone.
  std::shared_ptr<MetatileRenders> metatiles = std::make_shared<MetatileRenders>();
  // Where set, a metatile is drawn in bands on the requesting thread and the pool's idle workers
  // (render/metatile.hpp), so that one metatile keeps every core busy. Null: on the requesting thread.
  std::shared_ptr<render::DrawPool> draw_pool{};
};

void add_tile_routes(Router& router, TileService& service);

// The cache key of a tile: everything that changes its pixels.
std::string tile_cache_key(const TileService& service, const query::ScopedReader& reader,
                           const std::vector<std::string>& maps, geo::TileId tile, int scale);

}  // namespace minqing::server
