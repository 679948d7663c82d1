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
#include "server/caller_access.hpp"
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

void check_params(const RequestContext& ctx) {
  static const std::vector<std::string_view> kKnown = {"q", "limit", "bbox"};
  std::vector<std::string_view> seen;
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), k) == kKnown.end()) {
      throw RequestError("unknown parameter '" + k.substr(0, 64) + "'");
    }
    if (std::find(seen.begin(), seen.end(), k) != seen.end())
      throw RequestError("parameter " + k + ": given twice");
    seen.push_back(k);
  }
}

std::size_t parse_limit(std::string_view text) {
  std::size_t v = 0;
  const bool digits =
      !text.empty() && text.size() <= 20 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto [ptr, ec] = digits ? std::from_chars(text.data(), text.data() + text.size(), v)
                                : std::from_chars_result{text.data(), std::errc::invalid_argument};
  if (digits && ec == std::errc::result_out_of_range) return kMaxHits;
  if (!digits || ec != std::errc() || v < 1) {
    throw RequestError("parameter limit: '" + std::string(text.substr(0, 64)) +
                       "' is not an integer >= 1");
  }
  return std::min(v, kMaxHits);
}

// minLon,minLat,maxLon,maxLat in CRS84 → EPSG:3857.
geo::BBox parse_view_bbox(std::string_view text) {
  double v[4];
  std::size_t n = 0, pos = 0;
  while (true) {
    const std::size_t comma = text.find(',', pos);
    const std::string_view part =
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (n == 4)
      throw RequestError(
          "parameter bbox: needs 4 comma-separated numbers (minLon,minLat,maxLon,maxLat)");
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v[n]);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() ||
        !std::isfinite(v[n])) {
      throw RequestError("parameter bbox: '" + std::string(part.substr(0, 64)) +
                         "' is not a number");
    }
    ++n;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (n != 4)
    throw RequestError(
        "parameter bbox: needs 4 comma-separated numbers (minLon,minLat,maxLon,maxLat)");
  if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90) {
    throw RequestError("parameter bbox: outside -180,-90,180,90 (CRS84 longitude, latitude)");
  }
  if (v[0] > v[2] || v[1] > v[3]) {
    throw RequestError(
        "parameter bbox: lower corner above upper corner (antimeridian boxes are not supported)");
  }
  const auto clamp_lat = [](double lat) {
    return std::clamp(lat, -kMaxMercatorLat, kMaxMercatorLat);
  };
  const geo::Coord a = query::to_mercator(query::crs84(), {v[0], clamp_lat(v[1])});
  const geo::Coord b = query::to_mercator(query::crs84(), {v[2], clamp_lat(v[3])});
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
  if (!s.search)
    throw HttpError(http::status::service_unavailable, "search is not available on this server");
  const access::Scope& scope = caller_scope(ctx);
  check_params(ctx);
  const auto raw = ctx.query("q");
  if (!raw) throw RequestError("parameter q: missing; give the text to search for");
  query::SearchRequest request;
  request.text = query::parse_search_text(*raw, "q");
  request.limit = kDefaultHits;
  if (auto l = ctx.query("limit")) request.limit = parse_limit(*l);
  if (auto b = ctx.query("bbox")) request.view_bbox = parse_view_bbox(*b);

  const std::vector<query::ClassView> views = query::class_views(s.catalog, scope);
  const query::SearchAnswer answer = s.search->search(request, views);

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
  res.set(http::field::cache_control, "no-store");
  return res;
}

}  // namespace

void add_search_routes(Router& router, const QueryService& service) {
  router.get("/api/search", [&service](const RequestContext& ctx) { return search(ctx, service); });
}

}  // namespace minqing::server
