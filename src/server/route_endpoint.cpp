#include "server/route_endpoint.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "route/route_planner.hpp"
#include "route/route_steps.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"
#include "server/route_params.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;


constexpr std::string_view kShelterPrefix = "shelter:";
constexpr std::string_view kNearestShelter = "nearest-shelter";

}  // namespace

nlohmann::json route_feature(const query::ScopedReader& reader, route::NetworkCache& networks, const RouteParams& params) {
  const PointParam from = parse_lonlat(params.from, "from");
  const std::string_view to(params.to);
  route::RouteRequest request;
  request.from = from.mercator;
  request.mode = mode_param(params.mode);
  request.avoid = avoid_param(params.avoid);
  request.closed = closed_param(params.closed);
  const query::ClassView* shelter_view = nullptr;
  std::vector<store::ServedFeaturePtr> shelters;
  if (to == kNearestShelter || to.starts_with(kShelterPrefix)) {
    shelter_view = &visible_class(reader, "shelters");
    request.to_shelter = true;
    const bool nearest = to == kNearestShelter;
    const std::string id(nearest ? std::string_view{} : to.substr(kShelterPrefix.size()));
    if (!nearest && id.empty()) throw RequestError("parameter to: 'shelter:' needs a shelter_id");
    for (auto& f : reader.all("shelters")) {
      if (f->feature.geometry.empty()) continue;
      if (!nearest && text_of(field_of(*shelter_view, *f, "shelter_id")) != id) continue;
      request.targets.push_back(f->feature.geometry.coords.front());
      shelters.push_back(std::move(f));
    }
    if (shelters.empty()) {
      if (!nearest) throw HttpError(http::status::not_found, "no shelter '" + id.substr(0, 64) + "'");
      throw HttpError(http::status::unprocessable_entity, "no route: there is no shelter to go to");
    }
  } else {
    request.targets.push_back(parse_lonlat(to, "to").mercator);
  }

  const auto network = networks.current();
  route::Route r;
  try {
    r = route::plan_route(*network, request);
  } catch (const route::NoRoute& e) {
    throw HttpError(http::status::unprocessable_entity, e.what());
  }

  json props;
  props["length_m"] = round_to(r.path.length_m, 10);
  props["time_s"] = round_to(r.path.time_s, 10);
  props["mode"] = std::string(route::to_string(request.mode));
  props["avoid"] = avoid_json(request.avoid);
  props["snap"] = {{"from_m", round_to(r.snap_from_m, 10)}, {"to_m", round_to(r.snap_to_m, 10)}};
  std::string destination = "终点";
  if (shelter_view) {
    const store::ServedFeature& f = *shelters[r.path.target];
    destination = text_of(field_of(*shelter_view, f, "name"));
    props["shelter"] = {{"id", value_json(field_of(*shelter_view, f, "shelter_id"))},
                        {"fid", f.feature.fid},
                        {"name", value_json(field_of(*shelter_view, f, "name"))},
                        {"capacity", value_json(field_of(*shelter_view, f, "capacity"))},
                        {"type", value_json(field_of(*shelter_view, f, "type"))}};
  }
  // Zones are named only to a caller who may see them (each one checked, as a feature is).
  if (reader.view("hazard_zones")) {
    auto named = [&](const std::vector<std::uint32_t>& zones) {
      json ids = json::array();
      for (std::uint32_t z : zones) {
        const auto& zone = network->zones()[z];
        if (reader.find("hazard_zones", zone.fid)) ids.push_back(zone.zone_id);
      }
      return ids;
    };
    props["hazard_zones_avoided"] = named(r.path.zones_avoided);
    props["start_hazard_zones"] = named(r.start_zones);
  }
  json steps = json::array();
  for (const auto& step : route::route_steps(*network, request.mode, r.path, destination)) {
    json j = {{"text", step.text}};
    if (!step.road.empty()) {
      j["road"] = step.road;
      j["direction"] = step.direction;
      j["length_m"] = round_to(step.length_m, 10);
      j["time_s"] = round_to(step.time_s, 10);
    }
    steps.push_back(std::move(j));
  }
  props["steps"] = std::move(steps);

  json coords = json::array();
  for (const auto& c : r.line) coords.push_back(lonlat_json(c));
  return {{"type", "Feature"},
          {"geometry", {{"type", "LineString"}, {"coordinates", std::move(coords)}}},
          {"properties", std::move(props)}};
}

namespace {

Response route_answer(const RequestContext& ctx, const QueryService& s, route::NetworkCache& networks) {
  check_query_params(ctx, {"from", "to", "mode", "avoid", "closed"});
  RouteParams params;
  const auto from = ctx.query("from");
  if (!from) throw RequestError("parameter from: required");
  const auto to = ctx.query("to");
  if (!to) throw RequestError("parameter to: required");
  params.from = std::string(*from);
  params.to = std::string(*to);
  if (const auto v = ctx.query("mode")) params.mode = std::string(*v);
  if (const auto v = ctx.query("avoid")) params.avoid = std::string(*v);
  if (const auto v = ctx.query("closed")) params.closed = std::string(*v);
  const query::ScopedReader reader = s.reader(ctx);
  Response res = json_response(route_feature(reader, networks, params));
  res.set(http::field::content_type, "application/geo+json");
  set_cache_policy(res, reader.scope(), Holds::map_data, kAnswerMaxAge);
  return res;
}

}  // namespace

void add_route_routes(Router& router, const QueryService& s, route::NetworkCache& networks) {
  router.get("/api/route", [&s, &networks](const RequestContext& ctx) { return route_answer(ctx, s, networks); });
}

}  // namespace minqing::server
