#include "server/stats_endpoint.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/assignment.hpp"
#include "base/error.hpp"
#include "query/statistics.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

constexpr std::size_t kEcho = 40;  // at most this many characters of a bad value are echoed

std::string echo(std::string_view v) {
  return std::string(v.substr(0, kEcho)) + (v.size() > kEcho ? "…" : "");
}

void check_parameters(const RequestContext& ctx) {
  static constexpr std::string_view kKnown[] = {"village", "township", "map"};
  std::vector<std::string_view> seen;
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) {
      throw RequestError("unknown parameter '" + echo(k) + "'; /api/stats takes village or township, and map");
    }
    if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
      throw RequestError("parameter " + k + ": given more than once");
    }
    seen.push_back(k);
  }
}

query::Place parse_place(const RequestContext& ctx) {
  const auto village = ctx.query("village");
  const auto township = ctx.query("township");
  if (village && township) throw RequestError("parameters village and township: give one of them, not both");
  if (!village && !township) {
    throw RequestError("parameter village or township: missing; give a 12-digit village code or a 9-digit township code");
  }
  query::Place p;
  if (village) {
    if (!access::is_village_code(*village)) {
      throw RequestError("parameter village: '" + echo(*village) + "' is not a 12-digit village code");
    }
    p.kind = query::Place::Kind::village;
    p.code = std::string(*village);
  } else {
    if (!access::is_township_code(*township)) {
      throw RequestError("parameter township: '" + echo(*township) + "' is not a 9-digit township code");
    }
    p.kind = query::Place::Kind::township;
    p.code = std::string(*township);
  }
  return p;
}

// The maps asked for, in the order given; nullopt when `map` is absent.
std::optional<std::vector<std::string>> parse_maps(const RequestContext& ctx) {
  const auto text = ctx.query("map");
  if (!text) return std::nullopt;
  std::vector<std::string> maps;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = text->find(',', pos);
    const std::string_view name = text->substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    const bool well_formed = !name.empty() && name.size() <= 32 &&
                             std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    if (!well_formed) {
      throw RequestError("parameter map: '" + echo(name) + "' is not a map name (lower-case letters and '_', "
                         "several joined by commas)");
    }
    if (std::find(maps.begin(), maps.end(), name) != maps.end()) {
      throw RequestError("parameter map: '" + std::string(name) + "' is given twice");
    }
    if (maps.size() == 16) throw RequestError("parameter map: too many maps");
    maps.emplace_back(name);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return maps;
}

std::string area_description(const access::Scope& scope) {
  const auto& a = scope.assignment();
  switch (scope.area_kind()) {
    case access::AreaKind::county: return "the county";
    case access::AreaKind::township:
      return "township " + (a.township.empty() ? a.village_code.substr(0, 9) : a.township);
    case access::AreaKind::village: return "village " + a.village_code;
    case access::AreaKind::grid: return a.grid_ids.size() == 1 ? "grid " + a.grid_ids.front() : "its grids";
  }
  return "its area";
}

Response stats(const RequestContext& ctx, const QueryService& s) {
  const query::ScopedReader reader = s.reader(ctx);
  const access::Scope& scope = reader.scope();
  check_parameters(ctx);
  const query::Place place = parse_place(ctx);
  std::vector<std::string> maps;
  const auto outside = [&](const std::string& what) {
    return HttpError(http::status::forbidden,
                     what + ": " + std::string(place.kind_name()) + " " + place.code +
                         " is outside the area of this account (" + scope.role() + " of " + area_description(scope) +
                         "); maps the public does not see are counted for places in it only" +
                         (place.kind == query::Place::Kind::township && scope.area_kind() != access::AreaKind::county
                              ? ", and a township only for county or township accounts"
                              : ""));
  };
  if (auto asked = parse_maps(ctx)) {
    // The same 403 / 404 as tiles: key_persons not granted answers exactly as an unknown map.
    try {
      require_maps_visible(s.catalog, scope, *asked);
    } catch (const HttpError& e) {
      throw HttpError(e.status(), std::string("parameter map: ") + e.what());
    }
    for (const auto& m : *asked) {
      if (!query::may_count_map(scope, place, m)) throw outside("map " + m);
    }
    maps = std::move(*asked);
  } else {
    // Every map the caller may count here: the public's anywhere, the role's own in its area.
    for (const auto* m : reader.maps()) {
      if (query::may_count_map(scope, place, m->name)) maps.push_back(m->name);
    }
    if (maps.empty()) throw outside("statistics");
  }
  if (!query::place_exists(reader, place)) {
    throw HttpError(http::status::not_found, "no " + std::string(place.kind_name()) + " " + place.code);
  }
  bool confidential = false;
  for (const auto& name : maps) {
    const model::MapDef* map = s.catalog.find_map(name);
    if (!map || !map->confidential) continue;
    confidential = true;
    // Recorded before anything is computed: a read that cannot be audited is not served.
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_query,
                            {{"endpoint", "/api/stats"},
                             {"place", {{std::string(place.kind_name()), place.code}}},
                             {"map", map->name}});
  }
  Response res = json_response(query::statistics(reader, place, maps));
  // Counts, never personal values; a confidential map's counts are still personal data.
  set_cache_policy(res, scope, confidential ? Holds::personal_data : Holds::map_data, kAnswerMaxAge);
  return res;
}

}  // namespace

void add_stats_routes(Router& router, const QueryService& service) {
  router.get("/api/stats", [&service](const RequestContext& ctx) { return stats(ctx, service); });
}

}  // namespace minqing::server
