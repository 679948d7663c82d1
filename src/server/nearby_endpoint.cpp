#include "server/nearby_endpoint.hpp"

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "query/crs.hpp"
#include "query/geojson_writer.hpp"
#include "query/nearby.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

double round_cm(double metres) { return std::round(metres * 100) / 100; }

Response nearby(const RequestContext& ctx, const QueryService& s) {
  check_query_params(ctx, {"lon", "lat", "radius_m", "class", "limit"});
  const auto name = name_param(ctx, "class");
  if (!name) throw RequestError("parameter class: required");
  const query::ScopedReader reader = s.reader(ctx);
  const query::ClassView& view = visible_class(reader, *name);
  const PointParam point = point_param(ctx);
  const double radius = required_number_param(ctx, "radius_m", 0, query::kNearbyMaxRadius);
  if (!(radius > 0)) throw RequestError("parameter radius_m: must be greater than 0");
  const std::size_t limit = limit_param(ctx, query::kNearbyDefaultLimit, query::kNearbyMaxLimit);

  const query::NearbyResult result = query::nearby(reader, view, point.mercator, radius, limit);
  if (view.confidential()) {
    json ids = json::array();
    for (const auto& hit : result.hits) ids.push_back(hit.feature->feature.fid);
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_query,
                            {{"class", view.def->name}, {"lon", point.lon}, {"lat", point.lat},
                             {"radius_m", radius}, {"ids", std::move(ids)}});
  }

  std::string body = "{\"features\":[";
  const query::FeatureWriter writer(view, query::crs84());
  for (std::size_t i = 0; i < result.hits.size(); ++i) {
    std::string distance;
    query::append_json_number(distance, round_cm(result.hits[i].distance_m));
    const query::JsonMember extra[] = {{"distance_m", std::move(distance)}};
    if (i != 0) body += ',';
    writer.write(body, *result.hits[i].feature, extra);
  }
  body += "],\"numberMatched\":";
  query::append_json_number(body, result.matched);
  body += ",\"numberReturned\":";
  query::append_json_number(body, result.hits.size());
  body += ",\"type\":\"FeatureCollection\"}";
  Response res = json_text_response(std::move(body));
  res.set(http::field::content_type, "application/geo+json");
  set_cache_policy(res, reader.scope(), holds_personal_data(view) ? Holds::personal_data : Holds::map_data,
                   kAnswerMaxAge);
  return res;
}

}  // namespace

void add_nearby_routes(Router& router, const QueryService& s) {
  // Quick: an R-tree lookup within kNearbyMaxRadius (5 km) and at most kNearbyMaxLimit (1,000)
  // features written. On the county store 500 m takes 0.03-0.1 ms, the worst (5 km, limit 1,000
  // households) 0.9-1.4 ms (bench/route_pace_bench.cpp).
  router.get("/api/nearby", [&s](const RequestContext& ctx) { return nearby(ctx, s); }, Pace::quick);
}

}  // namespace minqing::server
