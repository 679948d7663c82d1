#include "server/sheet_endpoint.hpp"

#include <string>
#include <vector>

#include "access/assignment.hpp"
#include "base/error.hpp"
#include "query/place.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

enum class Format { pdf, png };

std::string echo(std::string_view v) { return std::string(v.substr(0, 40)) + (v.size() > 40 ? "…" : ""); }

std::string village_param(const RequestContext& ctx) {
  const std::string_view code = ctx.param("village");
  if (!access::is_village_code(code)) {
    throw RequestError("village code '" + echo(code) + "' is not a 12-digit village code");
  }
  return std::string(code);
}

print::SheetOptions sheet_options(const RequestContext& ctx) {
  print::SheetOptions o;
  if (const auto paper = ctx.query("paper")) {
    o.paper = print::parse_paper(*paper);
    if (!o.paper) throw RequestError("parameter paper: '" + echo(*paper) + "' is not A4 or A3");
  }
  if (const auto orientation = ctx.query("orientation")) {
    o.orientation = print::parse_orientation(*orientation);
    if (!o.orientation) {
      throw RequestError("parameter orientation: '" + echo(*orientation) + "' is not portrait or landscape");
    }
  }
  if (const auto scale = number_param(ctx, "scale", 1, 1e7)) {
    if (*scale != static_cast<int>(*scale) || !print::is_round_scale(static_cast<int>(*scale))) {
      std::string round;
      for (const int n : print::kRoundScales) round += (round.empty() ? "" : ", ") + std::to_string(n);
      throw RequestError("parameter scale: " + echo(*ctx.query("scale")) + " is not a round scale (" + round + ")");
    }
    o.scale = static_cast<int>(*scale);
  }
  return o;
}

// 403 for a map only the role sees, asked for a village outside the role's area (as /api/stats).
void require_in_area(const access::Scope& scope, const query::Place& place, const std::string& map) {
  if (!query::may_count_map(scope, place, map)) {
    throw HttpError(http::status::forbidden, "map " + map + ": village " + place.code +
                                                 " is outside the area of this account; maps the public does not "
                                                 "see are printed for villages in it only");
  }
}

void require_village(const query::ScopedReader& reader, const std::string& code) {
  if (!print::village_exists(reader, code)) throw HttpError(http::status::not_found, "no village " + code);
}

void audit_sheets(const SheetService& s, const RequestContext& ctx, const std::vector<print::SheetPlan>& plans,
                  std::string_view format) {
  for (const auto& p : plans) {
    if (!p.personal_data) continue;
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_sheet,
                            {{"map", p.map->name},
                             {"village", p.village_code},
                             {"format", std::string(format)},
                             {"data_version", p.data_version}});
  }
}

Response sheet_response(std::string body, const char* type, const std::string& filename, const access::Scope& scope,
                        bool personal) {
  Response res(http::status::ok, 11);
  res.set(http::field::content_type, type);
  // An ASCII name for old clients, the Chinese one (RFC 5987) for the rest.
  res.set(http::field::content_disposition, "inline; filename=\"" + filename + "\"");
  res.body() = std::move(body);
  set_cache_policy(res, scope, personal ? Holds::personal_data : Holds::map_data, kAnswerMaxAge);
  return res;
}

Response one_sheet(const SheetService& s, const RequestContext& ctx, Format format) {
  if (format == Format::png) {
    check_query_params(ctx, {"paper", "orientation", "scale", "dpi"});
  } else {
    check_query_params(ctx, {"paper", "orientation", "scale"});
  }
  const std::string code = village_param(ctx);
  const std::string map(ctx.param("map"));
  const print::SheetOptions options = sheet_options(ctx);
  int dpi = 150;
  if (const auto d = format == Format::png ? number_param(ctx, "dpi", 36, 300) : std::nullopt) {
    if (*d != static_cast<int>(*d)) throw RequestError("parameter dpi: must be a whole number of dots per inch");
    dpi = static_cast<int>(*d);
  }
  const query::ScopedReader reader = s.data.reader(caller_scope(ctx));
  require_maps_visible(s.catalog, reader.scope(), {map});
  if (!s.catalog.find_map(map)) throw HttpError(http::status::not_found, "no map named \"" + echo(map) + "\"");
  require_in_area(reader.scope(), query::Place{query::Place::Kind::village, code}, map);
  require_village(reader, code);
  const print::SheetPlan plan = s.printer.plan(reader, code, map, options);
  audit_sheets(s, ctx, {plan}, format == Format::pdf ? "pdf" : "png");
  const auto stamp = print::SheetStamp::at(reader.scope().user(), ctx.now);
  const std::string name = code + "-" + map + (format == Format::pdf ? ".pdf" : ".png");
  if (format == Format::pdf) {
    return sheet_response(s.printer.pdf(reader, {plan}, stamp), "application/pdf", name, reader.scope(),
                          plan.personal_data);
  }
  return sheet_response(s.printer.png(reader, plan, stamp, dpi), "image/png", name, reader.scope(), plan.personal_data);
}

Response village_sheets(const SheetService& s, const RequestContext& ctx) {
  check_query_params(ctx, {"paper", "orientation", "scale", "maps"});
  const std::string code = village_param(ctx);
  const print::SheetOptions options = sheet_options(ctx);
  const auto asked = name_list_param(ctx, "maps");
  const query::ScopedReader reader = s.data.reader(caller_scope(ctx));
  const query::Place place{query::Place::Kind::village, code};
  std::vector<std::string> maps;
  if (asked) {
    if (asked->empty()) throw RequestError("parameter maps: names no map");
    try {
      require_maps_visible(s.catalog, reader.scope(), *asked);
    } catch (const HttpError& e) {
      throw HttpError(e.status(), std::string("parameter maps: ") + e.what());
    }
    for (const auto& m : *asked) {
      if (!s.catalog.find_map(m)) throw HttpError(http::status::not_found, "parameter maps: no map named \"" + m + "\"");
      require_in_area(reader.scope(), place, m);
    }
    maps = *asked;
  } else {
    for (const auto& m : s.printer.visible_maps(reader)) {
      if (query::may_count_map(reader.scope(), place, m)) maps.push_back(m);
    }
  }
  require_village(reader, code);
  std::vector<print::SheetPlan> plans;
  bool personal = false;
  for (const auto& m : maps) {
    plans.push_back(s.printer.plan(reader, code, m, options));
    personal = personal || plans.back().personal_data;
  }
  audit_sheets(s, ctx, plans, "pdf");
  const auto stamp = print::SheetStamp::at(reader.scope().user(), ctx.now);
  return sheet_response(s.printer.pdf(reader, plans, stamp), "application/pdf", code + ".pdf", reader.scope(), personal);
}

}  // namespace

void add_sheet_routes(Router& router, const SheetService& service) {
  router.get("/api/sheets/{village}/{map}.pdf",
             [&service](const RequestContext& ctx) { return one_sheet(service, ctx, Format::pdf); });
  router.get("/api/sheets/{village}/{map}.png",
             [&service](const RequestContext& ctx) { return one_sheet(service, ctx, Format::png); });
  router.get("/api/sheets/{village}.pdf", [&service](const RequestContext& ctx) { return village_sheets(service, ctx); });
}

}  // namespace minqing::server
