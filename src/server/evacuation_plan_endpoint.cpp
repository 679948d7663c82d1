#include "server/evacuation_plan_endpoint.hpp"

#include <charconv>
#include <cstdio>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "access/assignment.hpp"
#include "base/error.hpp"
#include "geo/tile.hpp"
#include "query/place.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"
#include "server/route_params.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

// Household fields a plan row carries when the caller's view has them, in this order.
constexpr const char* kHouseholdFields[] = {"household_id", "head_name", "members", "vulnerable_members"};

std::string echo(std::string_view s) { return std::string(s.substr(0, 64)); }

double number(const std::optional<std::string>& text, std::string_view name, double fallback, double min, double max) {
  if (!text) return fallback;
  double v = 0;
  const char* end = text->data() + text->size();
  const auto [p, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v) || v < min || v > max) {
    throw RequestError("parameter " + std::string(name) + ": '" + echo(*text) + "' is not a number from " +
                       std::to_string(static_cast<long>(min)) + " to " + std::to_string(static_cast<long>(max)));
  }
  return v;
}

route::PlanScope scope_param(const std::optional<std::string>& text) {
  if (!text || *text == "at_risk") return route::PlanScope::at_risk;
  if (*text == "all") return route::PlanScope::all;
  throw RequestError("parameter scope: '" + echo(*text) + "' is not at_risk or all");
}

// One household row of the answer, in the caller's form; null when the caller may not see it.
struct Row {
  std::size_t index;  // into the plan's households
  store::ServedFeaturePtr feature;
};

std::vector<Row> visible_rows(const query::ScopedReader& reader, const PlanReport& r) {
  std::vector<Row> rows;
  if (!reader.view("households")) return rows;
  for (std::size_t h = 0; h < r.evacuees.households.size(); ++h) {
    if (auto f = reader.find("households", r.evacuees.households[h].fid)) rows.push_back({h, std::move(f)});
  }
  return rows;
}

// The household fields of the caller's view, in kHouseholdFields order.
std::vector<const char*> visible_household_fields(const query::ScopedReader& reader) {
  std::vector<const char*> out;
  const query::ClassView* view = reader.view("households");
  if (!view) return out;
  for (const char* name : kHouseholdFields) {
    const int i = view->def->field_index(name);
    if (i >= 0 && view->has_field(i)) out.push_back(name);
  }
  return out;
}

// Each shelter in the caller's form (null when the caller may not see it: then it is named by fid).
std::vector<store::ServedFeaturePtr> shelter_features(const query::ScopedReader& reader, const PlanReport& r) {
  std::vector<store::ServedFeaturePtr> out;
  for (const auto& s : r.evacuees.shelters) out.push_back(reader.find("shelters", s.fid));
  return out;
}

json shelter_id(const query::ScopedReader& reader, const std::vector<store::ServedFeaturePtr>& shelters,
                std::optional<std::size_t> s) {
  if (!s || !shelters[*s]) return nullptr;
  return value_json(field_of(*reader.view("shelters"), *shelters[*s], "shelter_id"));
}

json summary_json(const route::PlanSummary& s) {
  return {{"households_placed", s.households_placed},
          {"people_placed", s.people_placed},
          {"person_minutes", round_to(s.person_seconds / 60, 10)},
          {"mean_minutes", s.people_placed ? round_to(s.person_seconds / 60 / s.people_placed, 100) : 0.0}};
}

std::string csv_field(std::string s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_value(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_field(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

}  // namespace

PlanReport evacuation_plan(const query::ScopedReader& reader, route::NetworkCache& networks, const PlanParams& params) {
  if (!access::is_village_code(params.village)) {
    throw RequestError("parameter village: '" + echo(params.village) + "' is not a 12-digit village code");
  }
  PlanReport r;
  r.village = params.village;
  r.scope = scope_param(params.scope);
  r.distance_m = number(params.distance, "distance", route::kRiskDistance_m, 0, 1000);
  r.options.max_minutes = number(params.max_minutes, "max_minutes", 15, 1, 240);
  r.options.mode = mode_param(params.mode);
  r.options.avoid = avoid_param(params.avoid);
  r.options.closed = closed_param(params.closed);

  const access::Scope& scope = reader.scope();
  require_maps_visible(reader.catalog(), scope, {"disaster"});
  visible_class(reader, "shelters");
  const query::Place place{query::Place::Kind::village, r.village};
  if (!query::may_count_map(scope, place, "disaster")) {
    throw HttpError(http::status::forbidden,
                    "village " + r.village + " is outside the area of this account (" + scope.role() + ")");
  }
  if (!route::village_exists(reader.dataset(), r.village)) {
    throw HttpError(http::status::not_found, "no village '" + r.village + "'");
  }
  r.network = networks.current();
  r.evacuees = route::village_evacuees(reader.dataset(), *r.network, r.village, r.scope, r.distance_m);
  r.plan = route::plan_evacuation(*r.network, r.evacuees.households, r.evacuees.shelters, r.options);
  return r;
}

nlohmann::json plan_geojson(const query::ScopedReader& reader, const PlanReport& r) {
  const auto rows = visible_rows(reader, r);
  const auto fields = visible_household_fields(reader);
  const auto shelters = shelter_features(reader, r);
  const query::ClassView* shelter_view = reader.view("shelters");
  const auto& plan = r.plan;

  json features = json::array();
  for (std::size_t s = 0; s < r.evacuees.shelters.size(); ++s) {
    const auto& in = r.evacuees.shelters[s];
    const auto& out = plan.shelters[s];
    json props = {{"kind", "shelter"},       {"fid", in.fid},
                  {"capacity", in.capacity}, {"load", out.load},
                  {"households", out.households}, {"demand", out.demand},
                  {"overloaded_if_nearest", out.demand > in.capacity},
                  {"greedy_load", out.greedy_load}, {"on_road", out.on_road}};
    if (shelters[s] && shelter_view) {
      for (const char* name : {"shelter_id", "name", "type"}) props[name] = value_json(field_of(*shelter_view, *shelters[s], name));
    }
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Point"}, {"coordinates", lonlat_json(in.at)}}},
                        {"properties", std::move(props)}});
  }
  const query::ClassView* hh_view = reader.view("households");
  for (const Row& row : rows) {
    const auto& in = r.evacuees.households[row.index];
    const auto& out = plan.households[row.index];
    json props = {{"kind", "household"}, {"fid", in.fid}};
    for (const char* name : fields) props[name] = value_json(field_of(*hh_view, *row.feature, name));
    props["people"] = std::max(1, in.members);
    props["shelter_fid"] = out.shelter ? json(r.evacuees.shelters[*out.shelter].fid) : json(nullptr);
    props["shelter_id"] = shelter_id(reader, shelters, out.shelter);
    props["time_s"] = out.shelter ? json(round_to(out.time_s, 10)) : json(nullptr);
    props["length_m"] = out.shelter ? json(round_to(out.length_m, 10)) : json(nullptr);
    props["nearest_s"] = out.nearest_s >= 0 ? json(round_to(out.nearest_s, 10)) : json(nullptr);
    props["beyond_max_minutes"] = out.beyond_max;
    props["not_placed"] = out.shelter ? json(nullptr) : json(std::string(route::to_string(out.reason)));
    props["greedy_shelter_id"] = shelter_id(reader, shelters, out.greedy_shelter);
    json geometry;
    if (out.shelter) {
      json coords = json::array({lonlat_json(in.at)});
      for (const auto& c : out.line) coords.push_back(lonlat_json(c));
      coords.push_back(lonlat_json(r.evacuees.shelters[*out.shelter].at));
      geometry = {{"type", "LineString"}, {"coordinates", std::move(coords)}};
    } else {
      geometry = {{"type", "Point"}, {"coordinates", lonlat_json(in.at)}};
    }
    features.push_back({{"type", "Feature"}, {"geometry", std::move(geometry)}, {"properties", std::move(props)}});
  }

  std::size_t no_road = 0, unreachable = 0, no_room = 0;
  int people = 0;
  for (std::size_t h = 0; h < plan.households.size(); ++h) {
    people += std::max(1, r.evacuees.households[h].members);
    if (plan.households[h].shelter) continue;
    switch (plan.households[h].reason) {
      case route::NotPlaced::no_road: ++no_road; break;
      case route::NotPlaced::no_reachable_shelter: ++unreachable; break;
      default: ++no_room; break;
    }
  }
  int capacity = 0;
  for (const auto& s : r.evacuees.shelters) capacity += s.capacity;
  json summary = {
      {"village", r.village},
      {"scope", r.scope == route::PlanScope::all ? "all" : "at_risk"},
      {"distance_m", r.distance_m},
      {"max_minutes", r.options.max_minutes},
      {"mode", std::string(route::to_string(r.options.mode))},
      {"avoid", avoid_json(r.options.avoid)},
      {"households_in_village", r.evacuees.households_in_village},
      {"households", plan.households.size()},
      {"people", people},
      {"shelters", r.evacuees.shelters.size()},
      {"capacity", capacity},
      {"not_placed",
       {{"households", plan.not_placed}, {"no_road", no_road}, {"no_reachable_shelter", unreachable}, {"capacity_exhausted", no_room}}},
      {"beyond_max_minutes", plan.beyond_max},
      {"optimal", summary_json(plan.optimal)},
      {"greedy", summary_json(plan.greedy)},
      {"proven_optimal", plan.proven_optimal},
      {"gap_person_minutes", round_to(plan.gap_person_seconds / 60, 10)},
      {"households_not_shown", plan.households.size() - rows.size()}};
  return {{"type", "FeatureCollection"}, {"plan", std::move(summary)}, {"features", std::move(features)}};
}

std::string plan_csv(const query::ScopedReader& reader, const PlanReport& r) {
  const auto rows = visible_rows(reader, r);
  const auto fields = visible_household_fields(reader);
  const auto shelters = shelter_features(reader, r);
  const query::ClassView* hh_view = reader.view("households");
  const query::ClassView* shelter_view = reader.view("shelters");
  std::ostringstream out;
  out << "fid";
  for (const char* name : fields) out << ',' << name;
  out << ",people,lon,lat,shelter_id,shelter_name,time_min,length_m,beyond_max_minutes,not_placed,greedy_shelter_id\r\n";
  for (const Row& row : rows) {
    const auto& in = r.evacuees.households[row.index];
    const auto& p = r.plan.households[row.index];
    out << in.fid;
    for (const char* name : fields) out << ',' << csv_value(value_json(field_of(*hh_view, *row.feature, name)));
    const geo::Coord ll = geo::mercator_to_lonlat(in.at);
    char lonlat[64];
    std::snprintf(lonlat, sizeof lonlat, "%.7f,%.7f", ll.x, ll.y);
    out << ',' << std::max(1, in.members) << ',' << lonlat << ',' << csv_value(shelter_id(reader, shelters, p.shelter)) << ',';
    if (p.shelter && shelters[*p.shelter] && shelter_view) {
      out << csv_value(value_json(field_of(*shelter_view, *shelters[*p.shelter], "name")));
    }
    out << ',';
    if (p.shelter) out << round_to(p.time_s / 60, 100);
    out << ',';
    if (p.shelter) out << round_to(p.length_m, 10);
    out << ',' << (p.beyond_max ? "true" : "false") << ',' << (p.shelter ? "" : std::string(route::to_string(p.reason)))
        << ',' << csv_value(shelter_id(reader, shelters, p.greedy_shelter)) << "\r\n";
  }
  return out.str();
}

namespace {

Response plan_answer(const RequestContext& ctx, const QueryService& s, route::NetworkCache& networks, bool csv) {
  check_query_params(ctx, {"village", "scope", "distance", "max_minutes", "mode", "avoid", "closed"});
  PlanParams params;
  const auto village = ctx.query("village");
  if (!village) throw RequestError("parameter village: required (a 12-digit village code)");
  params.village = std::string(*village);
  auto opt = [&](std::string_view name, std::optional<std::string>& to) {
    if (const auto v = ctx.query(name)) to = std::string(*v);
  };
  opt("scope", params.scope);
  opt("distance", params.distance);
  opt("max_minutes", params.max_minutes);
  opt("mode", params.mode);
  opt("avoid", params.avoid);
  opt("closed", params.closed);
  csv = csv || to_std(ctx.request[http::field::accept]).find("text/csv") != std::string_view::npos;
  const query::ScopedReader reader = s.reader(ctx);
  const PlanReport report = evacuation_plan(reader, networks, params);
  Response res;
  if (csv) {
    res.result(http::status::ok);
    res.body() = plan_csv(reader, report);
    res.set(http::field::content_type, "text/csv; charset=utf-8");
    res.set(http::field::content_disposition, "attachment; filename=\"evacuation-plan-" + report.village + ".csv\"");
  } else {
    res = json_response(plan_geojson(reader, report));
    res.set(http::field::content_type, "application/geo+json");
  }
  // Household rows may carry names in the caller's form: never stored by a shared cache.
  set_cache_policy(res, reader.scope(), Holds::personal_data, kAnswerMaxAge);
  res.set(http::field::vary, "Accept, Authorization, Cookie");
  return res;
}

}  // namespace

void add_evacuation_plan_routes(Router& router, const QueryService& s, route::NetworkCache& networks) {
  router.get("/api/evacuation-plan",
             [&s, &networks](const RequestContext& ctx) { return plan_answer(ctx, s, networks, false); });
  router.get("/api/evacuation-plan.csv",
             [&s, &networks](const RequestContext& ctx) { return plan_answer(ctx, s, networks, true); });
}

}  // namespace minqing::server
