#include "server/tile_endpoint.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "geo/tile.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/public_url.hpp"
#include "server/response.hpp"
#include "server/tile_request.hpp"
#include "server/tile_service_info.hpp"

namespace minqing::server {

namespace {

// Tiles of public maps may be cached by browsers and proxies for a short while; the ETag lets
// them revalidate cheaply after an edit.
constexpr const char* kPublicTileCacheControl = "public, max-age=300";
// Tiles drawn for a signed-in scope: never in a shared cache.
constexpr const char* kPrivateTileCacheControl = "private, max-age=60";

// True when the request's If-None-Match names `etag` (or is "*"), weak or strong.
bool not_modified(const RequestContext& ctx, const std::string& etag) {
  const auto header = to_std(ctx.request[http::field::if_none_match]);
  if (header.empty()) return false;
  if (header == "*") return true;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    auto tag = header.substr(pos, end - pos);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == etag) return true;
    pos = end + 1;
  }
  return false;
}

TileLayerInfo layer_info(const TileService& s, const model::MapDef& map) {
  TileLayerInfo info{map.name, map.title.zh, map.title.en};
  if (const style::Style* st = s.styles.find(map.name)) {
    info.minzoom = st->minzoom;
    info.maxzoom = st->maxzoom;
  }
  return info;
}

geo::BBox data_bounds_lonlat(const TileService& s) {
  const geo::BBox m = s.index.extent();
  if (m.empty()) return m;
  const geo::Coord a = geo::mercator_to_lonlat({m.min_x, m.min_y});
  const geo::Coord b = geo::mercator_to_lonlat({m.max_x, m.max_y});
  return {a.x, a.y, b.x, b.y};
}

Response tile(TileService& s, const RequestContext& ctx) {
  const TileRequest req = parse_tile_request(s.catalog, ctx.param("maps"), ctx.param("z"), ctx.param("x"), ctx.param("y"));
  const access::Scope& scope = caller_scope(ctx);
  require_maps_visible(s.catalog, scope, req.maps);
  for (const auto& name : req.maps) {
    if (!s.catalog.find_map(name)->confidential) continue;
    // Every request for a confidential map is recorded, cache hits and 304s included; when the
    // log cannot be written the tile is not served (500).
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_tile,
                            {{"map", name}, {"z", req.tile.z}, {"x", req.tile.x}, {"y", req.tile.y}, {"scale", req.scale}});
  }
  for (const auto& name : req.maps) {
    const style::Style* st = s.styles.find(name);
    if (!st) throw HttpError(http::status::not_found, "map " + name + " has no style");
    if (req.tile.z > st->maxzoom) {
      throw HttpError(http::status::not_found, "map " + name + " has no tiles above zoom " + std::to_string(st->maxzoom));
    }
  }
  const std::string key = tile_cache_key(s, scope, req.maps, req.tile, req.scale);
  CachedTilePtr cached = s.cache.get(key);
  if (!cached) {
    const model::LayerCatalog& catalog = s.catalog;
    const render::FeatureFilter filter = [&catalog, &scope](const std::string& cls, const store::ServedFeature& f) {
      const model::FeatureClassDef* def = catalog.find_class(cls);
      return def != nullptr && scope.visible(*def, f.feature);
    };
    auto fresh = std::make_shared<CachedTile>();
    fresh->body = render::render_tile_png(s.renderer, req.maps, req.tile, req.scale, s.png, filter);
    fresh->etag = make_etag(fresh->body);
    s.cache.put(key, fresh);
    cached = std::move(fresh);
  }
  Response res;
  if (not_modified(ctx, cached->etag)) {
    res.result(http::status::not_modified);
  } else {
    res.result(http::status::ok);
    res.set(http::field::content_type, "image/png");
    res.body() = cached->body;
  }
  res.set(http::field::etag, cached->etag);
  res.set(http::field::cache_control, scope.is_public() ? kPublicTileCacheControl : kPrivateTileCacheControl);
  if (!scope.is_public()) res.set(http::field::vary, "Authorization, Cookie");
  return res;
}

Response tilejson(TileService& s, const RequestContext& ctx) {
  const auto maps = parse_map_list(s.catalog, ctx.param("maps"));
  require_maps_visible(s.catalog, caller_scope(ctx), maps);
  std::vector<TileLayerInfo> layers;
  for (const auto& name : maps) layers.push_back(layer_info(s, *s.catalog.find_map(name)));
  Response res = json_response(make_tilejson(layers, data_bounds_lonlat(s), base_url(ctx)));
  res.set(http::field::cache_control, caller_scope(ctx).is_public() ? "no-cache" : "private, no-cache");
  res.set(http::field::access_control_allow_origin, "*");
  return res;
}

// Query parameter names are case-insensitive in OGC KVP requests.
std::string kvp(const RequestContext& ctx, std::string_view name) {
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

Response wmts_capabilities(TileService& s, const RequestContext& ctx) {
  std::vector<TileLayerInfo> layers;
  for (const model::MapDef* map : visible_maps(s.catalog, caller_scope(ctx))) layers.push_back(layer_info(s, *map));
  Response res(http::status::ok, 11);
  res.set(http::field::content_type, "application/xml; charset=utf-8");
  res.set(http::field::cache_control, caller_scope(ctx).is_public() ? "no-cache" : "private, no-cache");
  res.body() = make_wmts_capabilities(layers, data_bounds_lonlat(s), base_url(ctx));
  return res;
}

Response wmts_kvp(TileService& s, const RequestContext& ctx) {
  const std::string service = kvp(ctx, "service");
  const std::string request = kvp(ctx, "request");
  if (!service.empty() && service != "WMTS") throw RequestError("SERVICE must be WMTS, got \"" + service.substr(0, 32) + "\"");
  if (request.empty()) throw RequestError("REQUEST is required (GetCapabilities)");
  if (request != "GetCapabilities") {
    throw RequestError("REQUEST " + request.substr(0, 32) + " is not supported; use GetCapabilities and the RESTful tile URLs");
  }
  return wmts_capabilities(s, ctx);
}

}  // namespace

std::string tile_cache_key(const TileService& s, const access::Scope& scope, const std::vector<std::string>& maps,
                           geo::TileId t, int scale) {
  std::string key;
  key.reserve(128);
  for (const auto& name : maps) {
    key += name;
    key += '#';
    key += std::to_string(s.styles.find(name) ? s.styles.find(name)->version : 0);
    for (const auto& cls : s.catalog.find_map(name)->classes) {
      key += ':';
      key += std::to_string(s.index.data_version(cls));
    }
    key += '|';
  }
  key += scope.cache_key();  // role, area, maps and policy fingerprint: whatever changes the pixels
  key += '|';
  key += std::to_string(t.z) + '/' + std::to_string(t.x) + '/' + std::to_string(t.y) + '@' + std::to_string(scale);
  return key;
}

void add_tile_routes(Router& router, TileService& service) {
  router.get("/tiles/{maps}/{z}/{x}/{y}.png", [&service](const RequestContext& ctx) { return tile(service, ctx); });
  router.get("/tiles/{maps}.json", [&service](const RequestContext& ctx) { return tilejson(service, ctx); });
  router.get("/wmts", [&service](const RequestContext& ctx) { return wmts_kvp(service, ctx); });
  router.get("/wmts/1.0.0/WMTSCapabilities.xml",
             [&service](const RequestContext& ctx) { return wmts_capabilities(service, ctx); });
}

}  // namespace minqing::server
