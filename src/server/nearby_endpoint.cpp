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

  json features = json::array();
  for (const auto& hit : result.hits) {
    json f = query::feature_json(*hit.feature, view, query::crs84());
    f["distance_m"] = round_cm(hit.distance_m);
    features.push_back(std::move(f));
  }
  const json body = {{"type", "FeatureCollection"},
                     {"features", std::move(features)},
                     {"numberMatched", result.matched},
                     {"numberReturned", result.hits.size()}};
  Response res = json_response(body);
  res.set(http::field::content_type, "application/geo+json");
  set_cache_policy(res, reader.scope(), holds_personal_data(view) ? Holds::personal_data : Holds::map_data,
                   kAnswerMaxAge);
  return res;
}

}  // namespace

void add_nearby_routes(Router& router, const QueryService& s) {
  router.get("/api/nearby", [&s](const RequestContext& ctx) { return nearby(ctx, s); });
}

}  // namespace minqing::server
