#include "server/route_endpoint.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "geo/tile.hpp"
#include "query/cql2_parser.hpp"
#include "route/route_planner.hpp"
#include "route/route_steps.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

constexpr std::string_view kShelterPrefix = "shelter:";
constexpr std::string_view kNearestShelter = "nearest-shelter";

// `v` rounded to 1/scale (divided last, so that 14.2 prints as 14.2).
double round_to(double v, double scale) { return std::round(v * scale) / scale; }

const model::Value* field(const query::ClassView& view, const store::ServedFeature& f, std::string_view name) {
  const int i = view.def->field_index(name);
  if (i < 0 || !view.has_field(i) || static_cast<std::size_t>(i) >= f.feature.values.size()) return nullptr;
  return &f.feature.values[static_cast<std::size_t>(i)];
}

json value_json(const model::Value* v) {
  if (!v) return nullptr;
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
  if (const auto* d = std::get_if<double>(v)) return *d;
  return nullptr;
}

std::string text(const model::Value* v) {
  const auto* s = v ? std::get_if<std::string>(v) : nullptr;
  return s ? *s : std::string{};
}

route::Mode mode_param(const std::optional<std::string>& t) {
  if (!t) return route::Mode::walk;
  if (auto m = route::parse_mode(*t)) return *m;
  throw RequestError("parameter mode: '" + std::string(t->substr(0, 64)) + "' is not walk or drive");
}

route::RiskSet avoid_param(const std::optional<std::string>& t) {
  if (!t) return route::kRiskHigh;
  if (*t == "none") return 0;
  route::RiskSet set = 0;
  std::string_view rest(*t);
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const route::RiskSet bit = route::parse_risk(item);
    if (!bit) {
      throw RequestError("parameter avoid: '" + std::string(item.substr(0, 64)) +
                         "' is not high, medium or low (or avoid=none)");
    }
    set |= bit;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return set;
}

// `closed` as EPSG:3857 geometry (empty when absent).
geo::Geometry closed_param(const std::optional<std::string>& t) {
  if (!t) return {};
  geo::Geometry g = query::cql2::parse_wkt(*t, "parameter closed");
  for (auto& c : g.coords) {
    if (c.x < -180 || c.x > 180 || c.y < -85.0511 || c.y > 85.0511) {
      throw RequestError("parameter closed: coordinates outside CRS84 longitude, latitude");
    }
    c = geo::lonlat_to_mercator(c);
  }
  return g;
}

json lonlat_json(geo::Coord m) {
  const geo::Coord ll = geo::mercator_to_lonlat(m);
  return json::array({round_to(ll.x, 1e7), round_to(ll.y, 1e7)});
}

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
      if (!nearest && text(field(*shelter_view, *f, "shelter_id")) != id) continue;
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
  json avoid = json::array();
  for (const char* level : {"high", "medium", "low"}) {
    if (request.avoid & route::parse_risk(level)) avoid.push_back(level);
  }
  props["avoid"] = std::move(avoid);
  props["snap"] = {{"from_m", round_to(r.snap_from_m, 10)}, {"to_m", round_to(r.snap_to_m, 10)}};
  std::string destination = "终点";
  if (shelter_view) {
    const store::ServedFeature& f = *shelters[r.path.target];
    destination = text(field(*shelter_view, f, "name"));
    props["shelter"] = {{"id", value_json(field(*shelter_view, f, "shelter_id"))},
                        {"fid", f.feature.fid},
                        {"name", value_json(field(*shelter_view, f, "name"))},
                        {"capacity", value_json(field(*shelter_view, f, "capacity"))},
                        {"type", value_json(field(*shelter_view, f, "type"))}};
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
