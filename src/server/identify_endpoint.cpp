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

  json features = json::array();
  for (const auto& hit : result.hits) {
    json f = query::feature_json(*hit.feature, *hit.view, query::crs84());
    f["class"] = hit.view->def->name;
    f["map"] = hit.view->def->map;
    f["title"] = hit.view->def->title.zh;
    f["distance_m"] = round_cm(hit.distance_m);
    features.push_back(std::move(f));
  }
  const json body = {{"type", "FeatureCollection"},
                     {"features", std::move(features)},
                     {"numberMatched", result.matched},
                     {"numberReturned", result.hits.size()},
                     {"tolerance_m", round_cm(result.tolerance_m)}};
  Response res = json_response(body);
  res.set(http::field::content_type, "application/geo+json");
  bool personal = false;
  for (const auto& hit : result.hits) personal = personal || holds_personal_data(*hit.view);
  set_cache_policy(res, reader.scope(), personal ? Holds::personal_data : Holds::map_data, kAnswerMaxAge);
  return res;
}

}  // namespace

void add_identify_routes(Router& router, const QueryService& s) {
  router.get("/api/identify", [&s](const RequestContext& ctx) { return identify(ctx, s); });
}

}  // namespace minqing::server
