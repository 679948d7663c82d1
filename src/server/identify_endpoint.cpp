#include "server/identify_endpoint.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "query/class_view.hpp"
#include "query/crs.hpp"
#include "query/geojson_writer.hpp"
#include "query/identify.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

double round_cm(double metres) { return std::round(metres * 100) / 100; }

Response identify(const RequestContext& ctx, const QueryService& s) {
  check_query_params(ctx, {"lon", "lat", "zoom", "maps", "limit"});
  const PointParam point = point_param(ctx);
  const double zoom = required_number_param(ctx, "zoom", 0, query::kIdentifyMaxZoom);
  const std::size_t limit = limit_param(ctx, query::kIdentifyDefaultLimit, query::kIdentifyMaxLimit);
  const query::ScopedReader reader = s.reader(ctx);

  std::vector<std::string> maps;
  if (auto asked = name_list_param(ctx, "maps")) {
    require_maps_visible(s.catalog, reader.scope(), *asked);
    maps = std::move(*asked);
  } else {
    for (const auto* m : reader.maps()) maps.push_back(m->name);
  }
  // Classes granted outside their map (a planner's households) are identified with no map asked.
  std::vector<query::ClassView> views;
  for (const auto& view : reader.views()) {
    const bool own_map = std::find(maps.begin(), maps.end(), view.def->map) != maps.end();
    const bool asked = ctx.query("maps").has_value();
    if (own_map || (!asked && !reader.scope().may_see_map(view.def->map))) views.push_back(view);
  }

  const query::IdentifyResult result = query::identify(reader, views, point.mercator, zoom, limit);

  json confidential_ids = json::array();
  for (const auto& hit : result.hits) {
    if (hit.view->confidential()) confidential_ids.push_back(hit.feature->feature.fid);
  }
  if (!confidential_ids.empty()) {
    // Recorded before anything is answered: an unwritable log refuses the read.
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_identify,
                            {{"lon", point.lon}, {"lat", point.lat}, {"zoom", zoom}, {"ids", std::move(confidential_ids)}});
  }

  // Written as text straight from the features (the bytes a json object would dump to: keys in
  // sorted order); each feature gets its class, map, title and distance as extra members.
  std::string body;
  body.reserve(1024 + 1024 * result.hits.size());
  body += "{\"features\":[";
  for (std::size_t i = 0; i < result.hits.size(); ++i) {
    const auto& hit = result.hits[i];
    const auto& def = *hit.view->def;
    std::string distance;
    query::append_json_number(distance, round_cm(hit.distance_m));
    std::string cls, map, title;
    query::append_json_string(cls, def.name);
    query::append_json_string(map, def.map);
    query::append_json_string(title, def.title.zh);
    const query::JsonMember extra[] = {
        {"class", std::move(cls)}, {"distance_m", std::move(distance)}, {"map", std::move(map)}, {"title", std::move(title)}};
    if (i != 0) body += ',';
    query::FeatureWriter(*hit.view, query::crs84()).write(body, *hit.feature, extra);
  }
  body += "],\"numberMatched\":";
  query::append_json_number(body, result.matched);
  body += ",\"numberReturned\":";
  query::append_json_number(body, result.hits.size());
  body += ",\"tolerance_m\":";
  query::append_json_number(body, round_cm(result.tolerance_m));
  body += ",\"type\":\"FeatureCollection\"}";
  Response res = json_text_response(std::move(body));
  res.set(http::field::content_type, "application/geo+json");
  bool personal = false;
  for (const auto& hit : result.hits) personal = personal || holds_personal_data(*hit.view);
  set_cache_policy(res, reader.scope(), personal ? Holds::personal_data : Holds::map_data, kAnswerMaxAge);
  return res;
}

}  // namespace

void add_identify_routes(Router& router, const QueryService& s) {
  // Quick: an R-tree lookup around one point and at most kIdentifyMaxLimit (100) features written.
  // On the county store a z17 click takes 0.03-0.09 ms, the worst (z10, where the click's tolerance
  // is widest, limit 100) 0.5-1.0 ms (bench/route_pace_bench.cpp).
  router.get("/api/identify", [&s](const RequestContext& ctx) { return identify(ctx, s); }, Pace::quick);
}

}  // namespace minqing::server
