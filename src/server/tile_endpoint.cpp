#include "server/tile_endpoint.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "geo/tile.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/public_url.hpp"
#include "server/response.hpp"
#include "server/response_head.hpp"
#include "server/tile_invalidation.hpp"
#include "server/tile_request.hpp"
#include "server/tile_service_info.hpp"
#include "server/would_block.hpp"

namespace minqing::server {

namespace {

void append_tile_cache_key(std::string& key, const TileService& s, const query::ScopedReader& reader,
                           const std::vector<std::string>& maps, geo::TileId t, int scale);

TileLayerInfo layer_info(const TileService& s, const model::MapDef& map) {
  TileLayerInfo info{map.name, map.title.zh, map.title.en};
  if (const style::Style* st = s.styles.find(map.name)) {
    info.minzoom = st->minzoom;
    info.maxzoom = st->maxzoom;
  }
  return info;
}

// The bounds of what the caller sees of `maps`, in CRS84 (empty when nothing).
geo::BBox data_bounds_lonlat(const query::ScopedReader& reader, const std::vector<std::string>& maps) {
  const geo::BBox m = reader.extent(maps);
  if (m.empty()) return m;
  const geo::Coord a = geo::mercator_to_lonlat({m.min_x, m.min_y});
  const geo::Coord b = geo::mercator_to_lonlat({m.max_x, m.max_y});
  return {a.x, a.y, b.x, b.y};
}

// TileJSON's "version" (semver): the minor number counts the changes since load to the classes of
// `maps` the caller sees — an edit may move labels across tile edges, which TileJSON 3.0 calls a
// minor change. Edits the caller cannot see do not move it.
std::string tiles_version(const query::ScopedReader& reader, const std::vector<std::string>& maps) {
  std::uint64_t changes = 0;
  for (const auto& name : maps) {
    const model::MapDef* map = reader.catalog().find_map(name);
    if (map == nullptr) continue;
    for (const auto& cls : map->classes) {
      if (reader.view(cls) != nullptr) changes += reader.data_version(cls) - 1;
    }
  }
  return "1." + std::to_string(changes) + ".0";
}

// A tile the cache does not hold: drawn with its metatile, whose other tiles go into the cache
// (or taken from a draw of that metatile under way), or alone when the cache keeps nothing.
CachedTilePtr draw_tile(TileService& s, const query::ScopedReader& reader, const TileRequest& req, const std::string& key) {
  // Read before the data: a change landing while the tile is drawn has a later sequence, and the
  // cache does not keep a tile that such a change touches (server/tile_cache.hpp).
  const std::uint64_t drawn_at = s.data.change_sequence();
  const std::uint64_t classes = drawn_classes(s.catalog, s.styles, req.maps);
  if (!s.metatiles || s.cache.max_bytes() == 0) {
    auto fresh = std::make_shared<CachedTile>();
    fresh->body = s.cache.keep(render::render_tile_png(s.renderer, reader, req.maps, req.tile, req.scale, s.png));
    fresh->etag = make_etag(fresh->body);
    s.cache.put(key, TilePlace{req.tile, classes}, fresh, drawn_at);
    return fresh;
  }
  MetatileRenders::Request m;
  m.tile = req.tile;
  m.classes = classes;
  m.now = drawn_at;
  m.key_of = [&](geo::TileId t) { return t == req.tile ? key : tile_cache_key(s, reader, req.maps, t, req.scale); };
  m.draw = [&] {
    return render::render_metatile_pngs(s.renderer, reader, req.maps, req.tile, req.scale, s.png, s.draw_pool.get());
  };
  return s.metatiles->tile(s.cache, m);
}

Response tile(TileService& s, const RequestContext& ctx) {
  const TileRequest req = parse_tile_request(s.catalog, ctx.param("maps"), ctx.param("z"), ctx.param("x"), ctx.param("y"));
  const query::ScopedReader reader = s.data.reader(caller_scope(ctx));
  require_maps_visible(s.catalog, reader.scope(), req.maps);
  bool confidential = false;
  for (const auto& name : req.maps) {
    if (!s.catalog.find_map(name)->confidential) continue;
    confidential = true;
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
  // Written into this thread's buffer, which keeps its room: a string of its own was a malloc a
  // request (issue 12). Used only within this call, which nothing on this thread re-enters.
  thread_local std::string key_buffer;
  key_buffer.clear();
  append_tile_cache_key(key_buffer, s, reader, req.maps, req.tile, req.scale);
  const std::string& key = key_buffer;
  CachedTilePtr cached = s.cache.get(key, req.tile);
  if (!cached) {
    // A draw (or the wait for one under way) takes tens of ms: not on an io thread, which would
    // stall its other connections; the server asks again from its blocking pool.
    if (!ctx.may_block) throw WouldBlock{};
    cached = draw_tile(s, reader, req, key);
  }
  const auto if_none_match = find_field(ctx.request, http::field::if_none_match);
  // A plain request's answer is the same bytes every time: once prepared, sent whole from the
  // cache (server/tile_answer.hpp).
  const bool plain = ctx.whole_answers && ctx.request.method() == http::verb::get && ctx.request.version() == 11 &&
                     keeps_alive(ctx.request) && if_none_match == ctx.request.end();
  const unsigned variant = TileAnswer::variant(reader.scope().is_public(), confidential);
  if (plain) {
    if (const auto whole = cached->answer.get(cached->body, variant)) {
      Response res;
      res.result(http::status::ok);
      res.body().share_whole(cached, cached->body.view(), *whole);
      return res;
    }
  }
  Response res;
  if (if_none_match != ctx.request.end() && etag_matches(to_std(if_none_match->value()), cached->etag)) {
    res.result(http::status::not_modified);
  } else {
    res.result(http::status::ok);
    res.set(http::field::content_type, "image/png");
    res.body().share(cached, cached->body.view(), cached->body.file());  // not copied
  }
  res.set(http::field::etag, cached->etag);
  // Where the key persons live is personal data; other tiles are scoped map data.
  set_cache_policy(res, reader.scope(), confidential ? Holds::personal_data : Holds::map_data,
                   reader.scope().is_public() ? kTileMaxAge : kPrivateTileMaxAge);
  if (plain && cached->body.head_room() != 0 && !cached->answer.get(cached->body, variant)) {
    // The head this answer gets on the wire, kept for the next ones: finalised as the request
    // handler will finalise this one.
    Response final_form = res;
    finalize_response(final_form, 11, true, false);
    std::string head;
    append_response_head(head, final_form);
    cached->answer.prepare(cached->body, variant, head);
  }
  return res;
}

Response tilejson(TileService& s, const RequestContext& ctx) {
  const auto maps = parse_map_list(s.catalog, ctx.param("maps"));
  const query::ScopedReader reader = s.data.reader(caller_scope(ctx));
  require_maps_visible(s.catalog, reader.scope(), maps);
  std::vector<TileLayerInfo> layers;
  for (const auto& name : maps) layers.push_back(layer_info(s, *s.catalog.find_map(name)));
  nlohmann::json doc = make_tilejson(layers, data_bounds_lonlat(reader, maps), base_url(ctx));
  doc["version"] = tiles_version(reader, maps);
  Response res = json_response(doc);
  set_cache_policy(res, reader.scope(), Holds::map_data, kDocumentMaxAge);
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
  const query::ScopedReader reader = s.data.reader(caller_scope(ctx));
  std::vector<TileLayerInfo> layers;
  std::vector<std::string> names;
  for (const model::MapDef* map : reader.maps()) {
    layers.push_back(layer_info(s, *map));
    names.push_back(map->name);
  }
  Response res(http::status::ok, 11);
  res.set(http::field::content_type, "application/xml; charset=utf-8");
  set_cache_policy(res, reader.scope(), Holds::map_data, kDocumentMaxAge);
  res.body() = make_wmts_capabilities(layers, data_bounds_lonlat(reader, names), base_url(ctx));
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

namespace {

// tile_cache_key's text appended to `key`.
void append_tile_cache_key(std::string& key, const TileService& s, const query::ScopedReader& reader,
                           const std::vector<std::string>& maps, geo::TileId t, int scale) {
  // Numbers written with to_chars into one buffer: this runs for every tile request.
  char num[24];
  const auto append_number = [&](auto v) { key.append(num, std::to_chars(num, num + sizeof num, v).ptr); };
  // No data version: a change drops the tiles it touches from the cache instead (invalidation by
  // place, server/tile_invalidation.hpp), so one house edit does not re-key the whole county.
  for (const auto& name : maps) {
    key += name;
    key += '#';
    const style::Style* st = s.styles.find(name);
    append_number(st ? st->version : 0);
    key += '|';
  }
  key += reader.scope().cache_key();  // role, area, maps and policy fingerprint: whatever changes the pixels
  // "|z/x/y@scale" written in place: room for four numbers of at most 11 characters and their
  // separators, then cut to what was written (eight appends were ~300 instructions, issue 12).
  const std::size_t at = key.size();
  key.resize(at + 48);
  char* p = key.data() + at;
  char* const end = key.data() + key.size();
  const auto put = [&](char separator, auto v) {
    *p++ = separator;
    p = std::to_chars(p, end, v).ptr;
  };
  put('|', t.z);
  put('/', t.x);
  put('/', t.y);
  put('@', scale);
  key.resize(static_cast<std::size_t>(p - key.data()));
}

}  // namespace

std::string tile_cache_key(const TileService& s, const query::ScopedReader& reader, const std::vector<std::string>& maps,
                           geo::TileId t, int scale) {
  std::string key;
  key.reserve(192);
  append_tile_cache_key(key, s, reader, maps, t, scale);
  return key;
}

void add_tile_routes(Router& router, TileService& service) {
  // Quick: a cached tile is a cache lookup (~20 us); a miss throws WouldBlock itself before the
  // draw (tile() above), so the hits — nearly every request of a warm map — stay on the io thread.
  router.get("/tiles/{maps}/{z}/{x}/{y}.png", [&service](const RequestContext& ctx) { return tile(service, ctx); },
             Pace::quick);
  // Quick: documents built from the catalog, the styles and the cached extents: TileJSON 6-30 us,
  // WMTS capabilities 36-114 us on the county store (bench/route_pace_bench.cpp).
  router.get("/tiles/{maps}.json", [&service](const RequestContext& ctx) { return tilejson(service, ctx); },
             Pace::quick);
  router.get("/wmts", [&service](const RequestContext& ctx) { return wmts_kvp(service, ctx); }, Pace::quick);
  router.get("/wmts/1.0.0/WMTSCapabilities.xml",
             [&service](const RequestContext& ctx) { return wmts_capabilities(service, ctx); }, Pace::quick);
}

}  // namespace minqing::server
