#include "server/history_endpoint.hpp"

#include <algorithm>
#include <charconv>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "query/crs.hpp"
#include "query/geojson_writer.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/etag.hpp"
#include "server/http_error.hpp"
#include "server/public_url.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

constexpr std::size_t kDefaultChanges = 100;
constexpr std::size_t kMaxChanges = 1000;

const query::Crs& crs_param(const RequestContext& ctx) {
  if (auto v = ctx.query("crs")) return query::parse_crs(*v, "crs");
  return query::crs84();
}

void only_params(const RequestContext& ctx, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end()) throw RequestError("unknown parameter '" + k + "'");
  }
}

// One state of a change in the caller's form: the feature, or null with `<name>_withheld` when the
// caller may not see it.
struct StateWriter {
  const query::ScopedReader& reader;
  const query::ClassView& view;
  const query::Crs& crs;
  int epsg;

  // Whether the caller sees the state (false too when it is null).
  bool put(json& entry, const char* name, const std::shared_ptr<const model::Feature>& state) const {
    entry[name] = nullptr;
    if (!state) return false;
    const auto admitted = reader.admit(view, edit::served_state(*state, epsg));
    if (!admitted) {
      entry[std::string(name) + "_withheld"] = true;
      return false;
    }
    entry[name] = query::feature_json(*admitted, view, crs);
    return true;
  }
};

std::string village_of(const model::FeatureClassDef& def, const std::shared_ptr<const model::Feature>& f) {
  const int k = def.field_index(def.village_key);
  if (!f || k < 0 || static_cast<std::size_t>(k) >= f->values.size()) return {};
  const auto* s = std::get_if<std::string>(&f->values[static_cast<std::size_t>(k)]);
  return s ? *s : std::string{};
}

Response history(const RequestContext& ctx, const EditService& s) {
  const query::ScopedReader reader = s.queries.reader(ctx);
  const query::ClassView& view = visible_class(reader, ctx.param("class"));
  only_params(ctx, {"crs", "f"});
  const query::Crs& crs = crs_param(ctx);
  const std::string_view id = ctx.param("id");
  std::int64_t fid = 0;
  const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), fid);
  const auto missing = HttpError(http::status::not_found, "no feature '" + std::string(id) + "' in collection '" + view.def->name + "'");
  if (ec != std::errc() || ptr != id.data() + id.size()) throw missing;
  const bool served = s.editor.holds(view.def->name, fid);
  const bool visible_now = static_cast<bool>(reader.find(view.def->name, fid));
  if (served && !visible_now) throw missing;

  const StateWriter states{reader, view, crs, s.editor.store_epsg()};
  const auto changes = s.editor.changes().of_feature(view.def->name, fid);
  json versions = json::array();
  bool seen_any = visible_now;
  if (!changes.empty() && changes.front()->version > edit::kBaseVersion) {
    json base = {{"version", edit::kBaseVersion}, {"op", "base"}};
    seen_any = states.put(base, "after", changes.front()->before) || seen_any;
    base["before"] = nullptr;
    versions.push_back(std::move(base));
  }
  const bool signed_in = !caller_scope(ctx).user().empty();
  for (const auto& c : changes) {
    json e = {{"version", c->version}, {"op", c->op}, {"time", c->time}, {"request_id", c->request_id}};
    if (signed_in) e["user"] = c->user;
    seen_any = states.put(e, "before", c->before) || seen_any;
    seen_any = states.put(e, "after", c->after) || seen_any;
    versions.push_back(std::move(e));
  }
  if (!seen_any) throw missing;
  if (view.confidential()) {
    audit_confidential_read(s.queries.audit, ctx, access::audit_action::key_persons_query,
                            {{"class", view.def->name}, {"ids", json::array({fid})}, {"history", true}});
  }
  const std::uint64_t current = s.editor.version(view.def->name, fid);
  const std::string base = base_url(ctx) + "/collections/" + percent_encode(view.def->name) + "/items/" + std::to_string(fid);
  json body = {{"collection", view.def->name},
               {"id", fid},
               {"current_version", current},
               {"deleted", !served},
               {"versions", std::move(versions)},
               {"links", json::array({{{"href", base + "/history"}, {"rel", "self"}, {"type", "application/json"}},
                                      {{"href", base}, {"rel", "item"}, {"type", "application/geo+json"}}})}};
  Response res = json_response(body);
  res.set(http::field::etag, strong_etag(current));
  set_no_store(res);
  return res;
}

// `since`: a seq (digits) or an ISO 8601 UTC date or date-time, as the seq before the first change
// made at or after it.
std::int64_t since_param(const RequestContext& ctx, const edit::ChangeLog& log) {
  const auto v = ctx.query("since");
  if (!v || v->empty()) return 0;
  if (v->find_first_not_of("0123456789") == std::string_view::npos && v->size() <= 18) {
    return std::stoll(std::string(*v));
  }
  static const std::regex iso(R"((\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?Z)?)");
  std::cmatch m;
  if (!std::regex_match(v->data(), v->data() + v->size(), m, iso)) {
    throw RequestError("parameter since: '" + std::string(*v) +
                       "' is neither a change number nor an ISO 8601 UTC time (2026-12-01 or 2026-12-01T08:00:00Z)");
  }
  std::string millis = m[3].matched ? m[3].str() : ".000";
  while (millis.size() < 4) millis += '0';
  const std::string normal = m[1].str() + "T" + (m[2].matched ? m[2].str() : "00:00:00") + millis + "Z";
  return log.first_seq_at(normal) - 1;
}

Response changes(const RequestContext& ctx, const EditService& s) {
  only_params(ctx, {"village", "since", "limit", "crs", "f"});
  const query::ScopedReader reader = s.queries.reader(ctx);
  const query::Crs& crs = crs_param(ctx);
  const std::size_t limit = limit_param(ctx, kDefaultChanges, kMaxChanges);
  const edit::ChangeLog& log = s.editor.changes();
  const std::int64_t since = since_param(ctx, log);
  std::string village;
  if (auto v = ctx.query("village")) {
    village = std::string(*v);
    if (village.size() != 12 || village.find_first_not_of("0123456789") != std::string::npos) {
      throw RequestError("parameter village: '" + village + "' is not a 12-digit village code");
    }
  }
  const bool signed_in = !caller_scope(ctx).user().empty();
  json out = json::array();
  std::int64_t last = since;
  bool more = false;
  bool confidential = false;
  json confidential_ids = json::array();
  log.scan(since, [&](const edit::ChangePtr& c) {
    if (out.size() == limit) {
      more = true;
      return false;
    }
    last = c->seq;
    const query::ClassView* view = reader.view(c->class_name);
    if (!view) return true;
    const model::FeatureClassDef& def = *view->def;
    const std::string code = village_of(def, c->after).empty() ? village_of(def, c->before) : village_of(def, c->after);
    if (!village.empty() && village_of(def, c->after) != village && village_of(def, c->before) != village) return true;
    const StateWriter states{reader, *view, crs, s.editor.store_epsg()};
    json e = {{"seq", c->seq}, {"collection", c->class_name}, {"id", c->fid}, {"version", c->version},
              {"op", c->op},   {"time", c->time}};
    if (signed_in) e["user"] = c->user;
    const bool saw_before = states.put(e, "before", c->before);
    const bool saw_after = states.put(e, "after", c->after);
    if (!saw_before && !saw_after) return true;
    e["village_code"] = code;
    if (view->confidential()) {
      confidential = true;
      confidential_ids.push_back(c->fid);
    }
    out.push_back(std::move(e));
    return true;
  });
  if (confidential) {
    audit_confidential_read(s.queries.audit, ctx, access::audit_action::key_persons_query,
                            {{"class", "key_persons"}, {"ids", std::move(confidential_ids)}, {"changes", true}});
  }
  std::string self = base_url(ctx) + "/api/changes?";
  std::string next = self;
  for (const auto& [k, v] : ctx.target.query.items()) {
    self += percent_encode(k) + "=" + percent_encode(v) + "&";
    if (k != "since") next += percent_encode(k) + "=" + percent_encode(v) + "&";
  }
  next += "since=" + std::to_string(last);
  json links = json::array({{{"href", self.substr(0, self.size() - 1)}, {"rel", "self"}, {"type", "application/json"}}});
  if (more) links.push_back({{"href", next}, {"rel", "next"}, {"type", "application/json"}});
  const std::size_t returned = out.size();
  const json body = {{"changes", std::move(out)},
                     {"numberReturned", returned},
                     {"since", since},
                     {"last_seq", last},
                     {"latest_seq", log.last_seq()},
                     {"links", std::move(links)}};
  Response res = json_response(body);
  set_no_store(res);
  return res;
}

}  // namespace

void add_history_routes(Router& router, const EditService& s) {
  router.get("/collections/{class}/items/{id}/history", [&s](const RequestContext& ctx) { return history(ctx, s); });
  router.get("/api/changes", [&s](const RequestContext& ctx) { return changes(ctx, s); });
}

}  // namespace minqing::server
