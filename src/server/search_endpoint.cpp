#include "server/search_endpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "query/class_view.hpp"
#include "query/crs.hpp"
#include "query/search_index.hpp"
#include "query/search_text.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/query_params.hpp"
#include "server/http_error.hpp"
#include "server/public_url.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

constexpr std::size_t kDefaultHits = 20;
constexpr std::size_t kMaxHits = 100;
// Web Mercator's latitude limit: a view box beyond it is clamped to it.
constexpr double kMaxMercatorLat = 85.0511287798;

// minLon,minLat,maxLon,maxLat in CRS84 → EPSG:3857, latitudes clamped to Web Mercator's range.
geo::BBox view_box(const geo::BBox& v) {
  const auto clamp_lat = [](double lat) { return std::clamp(lat, -kMaxMercatorLat, kMaxMercatorLat); };
  const geo::Coord a = query::to_mercator(query::crs84(), {v.min_x, clamp_lat(v.min_y)});
  const geo::Coord b = query::to_mercator(query::crs84(), {v.max_x, clamp_lat(v.max_y)});
  return {a.x, a.y, b.x, b.y};
}

double round7(double v) { return std::round(v * 1e7) / 1e7; }

json lonlat(geo::Coord m) {
  const geo::Coord c = query::from_mercator(query::crs84(), m);
  return json::array({round7(c.x), round7(c.y)});
}

json hit_json(const RequestContext& ctx, const model::LayerCatalog& catalog,
              const query::SearchHit& hit, bool with_view) {
  const model::FeatureClassDef& def = *hit.view->def;
  const model::MapDef* map = catalog.find_map(def.map);
  const model::FieldDef& field = def.fields[static_cast<std::size_t>(hit.field)];
  json fids = json::array();
  for (const auto& f : hit.features) fids.push_back(f->feature.fid);
  const std::int64_t fid = hit.features.front()->feature.fid;
  const json lo = lonlat({hit.bbox.min_x, hit.bbox.min_y});
  const json hi = lonlat({hit.bbox.max_x, hit.bbox.max_y});
  json j = {{"class", def.name},
            {"title", def.title.zh},
            {"map", def.map},
            {"mapTitle", map ? map->title.zh : std::string{}},
            {"fid", fid},
            {"fids", std::move(fids)},
            {"field", field.name},
            {"fieldTitle", field.title},
            {"text", hit.text},
            {"match", query::to_string(hit.match)},
            {"village_code", hit.village_code.empty() ? json(nullptr) : json(hit.village_code)},
            {"bbox", json::array({lo[0], lo[1], hi[0], hi[1]})},
            {"point", lonlat(hit.point)},
            {"href", base_url(ctx) + "/collections/" + percent_encode(def.name) + "/items/" +
                         std::to_string(fid)}};
  if (with_view) j["inView"] = hit.in_view;
  return j;
}

Response search(const RequestContext& ctx, const QueryService& s) {
  const query::ScopedReader reader = s.reader(ctx);
  check_query_params(ctx, {"q", "limit", "bbox"});
  const auto raw = ctx.query("q");
  if (!raw) throw RequestError("parameter q: missing; give the text to search for");
  query::SearchRequest request;
  request.text = query::parse_search_text(*raw, "q");
  request.limit = limit_param(ctx, kDefaultHits, kMaxHits);
  if (auto b = lonlat_bbox_param(ctx, "bbox")) request.view_bbox = view_box(*b);

  const std::vector<query::ClassView>& views = reader.views();
  const query::SearchAnswer answer = query::search(reader, request);

  // A search that matched anything confidential is a read of it: record it before answering.
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (!views[i].confidential() || answer.matched_per_view[i] == 0) continue;
    json ids = json::array();
    for (const auto& hit : answer.hits) {
      if (hit.view != &views[i]) continue;
      for (const auto& f : hit.features) ids.push_back(f->feature.fid);
    }
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_query,
                            {{"class", views[i].def->name},
                             {"q", request.text},
                             {"matched", answer.matched_per_view[i]},
                             {"ids", std::move(ids)}});
  }

  json hits = json::array();
  for (const auto& hit : answer.hits)
    hits.push_back(hit_json(ctx, s.catalog, hit, request.view_bbox.has_value()));
  const json body = {{"q", request.text},
                     {"numberMatched", answer.matched},
                     {"numberReturned", answer.hits.size()},
                     {"hits", std::move(hits)}};
  Response res = json_response(body);
  // Hits quote the matched text: a personal field (a household head's name) when one matched.
  bool personal = false;
  for (const auto& hit : answer.hits) {
    personal = personal || hit.view->confidential() ||
               hit.view->def->fields[static_cast<std::size_t>(hit.field)].personal;
  }
  set_cache_policy(res, reader.scope(), personal ? Holds::personal_data : Holds::map_data, kAnswerMaxAge);
  return res;
}

}  // namespace

void add_search_routes(Router& router, const QueryService& service) {
  router.get("/api/search", [&service](const RequestContext& ctx) { return search(ctx, service); });
}

}  // namespace minqing::server
