#include "server/features_endpoint.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "query/cql2_parser.hpp"
#include "query/crs.hpp"
#include "query/feature_query.hpp"
#include "query/geojson_writer.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/etag.hpp"
#include "server/query_params.hpp"
#include "server/http_error.hpp"
#include "server/public_url.hpp"
#include "server/response.hpp"
#include "server/web_assets.hpp"
#include "server/would_block.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

constexpr const char* kGeoJson = "application/geo+json";
constexpr const char* kJson = "application/json";
constexpr const char* kOpenApi = "application/vnd.oai.openapi+json;version=3.0";

const std::vector<std::string>& conformance_classes() {
  static const std::vector<std::string> classes = {
      "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
      "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
      "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
      "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
      "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
      "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
      "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
      "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
      "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
      "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
      "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
      "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
      "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
      "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
      "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
  };
  return classes;
}

json link(const std::string& href, const std::string& rel, const std::string& type, const std::string& title = {}) {
  json l = {{"href", href}, {"rel", rel}, {"type", type}};
  if (!title.empty()) l["title"] = title;
  return l;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Response json_answer(std::string body, const char* content_type, const RequestContext& ctx, Holds holds, int max_age) {
  Response res = json_text_response(std::move(body));
  res.set(http::field::content_type, content_type);
  set_cache_policy(res, caller_scope(ctx), holds, max_age);
  return res;
}

Response json_answer(const json& body, const char* content_type, const RequestContext& ctx, Holds holds, int max_age) {
  return json_answer(dump(body), content_type, ctx, holds, max_age);
}

void require_json_format(const RequestContext& ctx) {
  if (auto f = ctx.query("f")) {
    if (*f != "json" && *f != "geojson" && *f != "application/json" && *f != "application/geo+json") {
      throw RequestError("parameter f: unsupported format '" + std::string(*f) + "'; this server answers json");
    }
  }
}

double round7(double v) { return std::round(v * 1e7) / 1e7; }

std::string now_iso() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json crs_list() {
  json out = json::array();
  for (const auto& c : query::supported_crs()) out.push_back(c.uri);
  return out;
}

json collection_json(const RequestContext& ctx, const query::ClassView& view, const query::ScopedReader& reader) {
  const auto& def = *view.def;
  const std::string base = base_url(ctx) + "/collections/" + percent_encode(def.name);
  json c = {{"id", def.name},
            {"title", def.title.zh},
            {"description", def.title.en},
            {"itemType", "feature"},
            {"crs", crs_list()},
            // The CRS the server holds and evaluates features in (the serving index projects the
            // store's EPSG:4549 once at load): answers in it involve no further transformation.
            {"storageCrs", query::web_mercator().uri},
            {"links",
             {link(base, "self", kJson, def.title.en),
              link(base + "/items", "items", kGeoJson, def.title.en + " features"),
              link(base + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json",
                   "queryables")}}};
  const geo::BBox m = reader.extent(def.name);
  if (!m.empty()) {
    const geo::Coord a = query::from_mercator(query::crs84(), {m.min_x, m.min_y});
    const geo::Coord b = query::from_mercator(query::crs84(), {m.max_x, m.max_y});
    c["extent"] = {{"spatial",
                    {{"bbox", json::array({json::array({round7(a.x), round7(a.y), round7(b.x), round7(b.y)})})},
                     {"crs", query::crs84().uri}}}};
  }
  return c;
}

// The items URL with every parameter of this request but offset/limit, then those two.
std::string page_url(const RequestContext& ctx, const std::string& base, std::size_t limit, std::size_t offset) {
  std::string url = base + "?";
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (k == "offset" || k == "limit") continue;
    url += percent_encode(k) + "=" + percent_encode(v) + "&";
  }
  url += "limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  return url;
}

const query::Crs& crs_param(const RequestContext& ctx, std::string_view name) {
  if (auto v = ctx.query(name)) return query::parse_crs(*v, name);
  return query::crs84();
}

void check_known_params(const RequestContext& ctx, const query::ClassView& view, bool items) {
  static const std::vector<std::string_view> kCommon = {"f", "crs"};
  static const std::vector<std::string_view> kItems = {"bbox", "bbox-crs", "limit", "offset", "filter", "filter-lang", "filter-crs"};
  for (const auto& [k, v] : ctx.target.query.items()) {
    if (std::find(kCommon.begin(), kCommon.end(), k) != kCommon.end()) continue;
    if (items) {
      if (std::find(kItems.begin(), kItems.end(), k) != kItems.end()) continue;
      const int idx = view.def->field_index(k);
      if (idx >= 0 && view.is_queryable(idx)) continue;
      if (idx >= 0) throw RequestError("parameter " + k + ": property '" + k + "' is not queryable");
    }
    throw RequestError("unknown parameter '" + k + "'");
  }
}

// An items request answered on an io thread (its route is Pace::quick) must be bounded: a bbox
// that is a rectangle in EPSG:3857 (given in CRS84, EPSG:4326 or 3857; a box in another CRS is
// tested with GEOS) of at most kQuickItemsSpan metres a side there, at most kQuickItemsLimit
// features, and no CQL2 filter (up to 100 predicates, spatial ones through GEOS). Anything else —
// a whole class scanned, sorted and written, up to 10,000 features and megabytes of GeoJSON —
// takes 6-20 ms on the county store and goes to the blocking pool. Measured there
// (bench/route_pace_bench.cpp, buildings, limit 1000, boxes around 100 buildings): a z14-sized box
// (2.4 km) at most 0.14 ms, z13 0.35 ms, z12 0.55 ms, z11 1.2 ms; no bbox 6.4-20 ms. The bbox
// benchmark's requests (z16 boxes, limit 1000) are all bounded.
constexpr double kQuickItemsSpan = 2500;  // metres in EPSG:3857: about a z14 tile
constexpr std::size_t kQuickItemsLimit = 1000;

bool quick_items_query(const query::FeatureQuery& q) {
  if (!q.bbox || q.filter || q.limit > kQuickItemsLimit) return false;
  if (q.bbox_crs->epsg != 4326 && q.bbox_crs->epsg != 3857) return false;
  try {
    const geo::Coord a = query::to_mercator(*q.bbox_crs, {q.bbox->min_x, q.bbox->min_y});
    const geo::Coord b = query::to_mercator(*q.bbox_crs, {q.bbox->max_x, q.bbox->max_y});
    return std::abs(b.x - a.x) <= kQuickItemsSpan && std::abs(b.y - a.y) <= kQuickItemsSpan;
  } catch (const std::exception&) {
    return false;  // outside the CRS's domain: the query itself answers 400, wherever it runs
  }
}

Response items(const RequestContext& ctx, const QueryService& s) {
  const query::ScopedReader reader = s.reader(ctx);
  const query::ClassView& view = visible_class(reader, ctx.param("class"));
  require_json_format(ctx);
  check_known_params(ctx, view, true);

  query::FeatureQuery q;
  const query::Crs& crs = crs_param(ctx, "crs");
  q.bbox_crs = &crs_param(ctx, "bbox-crs");
  q.filter_crs = &crs_param(ctx, "filter-crs");
  q.bbox = bbox_param(ctx, "bbox");
  if (ctx.query("bbox-crs") && !q.bbox) throw RequestError("parameter bbox-crs: given without bbox");
  q.limit = limit_param(ctx, query::kDefaultLimit, query::kMaxLimit);
  q.offset = offset_param(ctx);
  if (auto lang = ctx.query("filter-lang"); lang && *lang != "cql2-text") {
    throw RequestError("parameter filter-lang: unsupported '" + std::string(*lang) + "'; use cql2-text");
  }
  if (auto filter = ctx.query("filter")) {
    q.filter = query::cql2::parse(*filter, *view.def, view.queryable);
  } else if (ctx.query("filter-crs")) {
    throw RequestError("parameter filter-crs: given without filter");
  }
  for (const auto& [k, v] : ctx.target.query.items()) {
    const int idx = view.def->field_index(k);
    if (idx >= 0 && view.is_queryable(idx)) {
      q.equals.emplace_back(idx, query::parse_field_value(view.def->fields[static_cast<std::size_t>(idx)], v));
    }
  }

  if (!ctx.may_block && !quick_items_query(q)) throw WouldBlock{};
  const query::FeaturePage page = query::run_feature_query(reader, view, q);
  if (view.confidential()) {
    json ids = json::array();
    for (const auto& f : page.features) ids.push_back(f->feature.fid);
    json asked = json::object();
    for (const auto& [k, v] : ctx.target.query.items()) asked[k] = v.substr(0, 512);
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_query,
                            {{"class", view.def->name}, {"parameters", std::move(asked)}, {"ids", std::move(ids)}});
  }

  const std::string base = base_url(ctx) + "/collections/" + percent_encode(view.def->name) + "/items";
  json links = json::array({link(page_url(ctx, base, q.limit, q.offset), "self", kGeoJson, "this page"),
                            link(base_url(ctx) + "/collections/" + percent_encode(view.def->name), "collection", kJson)});
  if (q.offset + page.features.size() < page.matched && !page.features.empty()) {
    links.push_back(link(page_url(ctx, base, q.limit, q.offset + q.limit), "next", kGeoJson, "next page"));
  }
  if (q.offset > 0) {
    links.push_back(link(page_url(ctx, base, q.limit, q.offset > q.limit ? q.offset - q.limit : 0), "prev", kGeoJson,
                         "previous page"));
  }
  // Written as text straight from the features (the same bytes a json object would dump to:
  // keys in sorted order), without building a JSON document of every feature first.
  std::string body;
  body.reserve(1024 + 768 * page.features.size());  // one allocation for a typical page
  body += "{\"features\":[";
  const query::FeatureWriter writer(view, crs);
  for (std::size_t i = 0; i < page.features.size(); ++i) {
    if (i != 0) body += ',';
    writer.write(body, *page.features[i]);
  }
  body += "],\"links\":";
  body += dump(links);
  body += ",\"numberMatched\":";
  query::append_json_number(body, page.matched);
  body += ",\"numberReturned\":";
  query::append_json_number(body, page.features.size());
  body += ",\"timeStamp\":";
  query::append_json_string(body, now_iso());
  body += ",\"type\":\"FeatureCollection\"}";
  Response res = json_answer(std::move(body), kGeoJson, ctx,
                             holds_personal_data(view) ? Holds::personal_data : Holds::map_data, kAnswerMaxAge);
  res.set("Content-Crs", "<" + crs.uri + ">");
  return res;
}

Response item(const RequestContext& ctx, const QueryService& s) {
  const query::ScopedReader reader = s.reader(ctx);
  const query::ClassView& view = visible_class(reader, ctx.param("class"));
  require_json_format(ctx);
  check_known_params(ctx, view, false);
  const query::Crs& crs = crs_param(ctx, "crs");
  const std::string_view id = ctx.param("id");
  std::int64_t fid = 0;
  const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), fid);
  const auto missing = [&] {
    return HttpError(http::status::not_found,
                     "no feature '" + std::string(id) + "' in collection '" + view.def->name + "'");
  };
  if (ec != std::errc() || ptr != id.data() + id.size()) throw missing();
  // A feature the caller may not see answers exactly as a missing one (no IDOR oracle).
  const store::ServedFeaturePtr f = reader.find(view.def->name, fid);
  if (!f) throw missing();
  if (view.confidential()) {
    audit_confidential_read(s.audit, ctx, access::audit_action::key_persons_query,
                            {{"class", view.def->name}, {"ids", json::array({fid})}});
  }
  const std::string base = base_url(ctx) + "/collections/" + percent_encode(view.def->name);
  const query::JsonMember links[] = {
      {"links", dump(json::array({link(base + "/items/" + std::to_string(fid), "self", kGeoJson),
                                  link(base, "collection", kJson)}))}};
  std::string body;
  query::FeatureWriter(view, crs).write(body, *f, links);
  Response res = json_answer(std::move(body), kGeoJson, ctx, holds_personal_data(view) ? Holds::personal_data : Holds::map_data,
                             kAnswerMaxAge);
  res.set("Content-Crs", "<" + crs.uri + ">");
  // The version, for If-Match on a later write (server/edit_endpoint.hpp).
  res.set(http::field::etag, strong_etag(s.changes ? s.changes->version(view.def->name, fid) : edit::kBaseVersion));
  return res;
}

json queryables_json(const RequestContext& ctx, const query::ClassView& view) {
  const auto& def = *view.def;
  json props = json::object();
  static constexpr const char* kGeometrySchema[] = {"https://geojson.org/schema/Point.json",
                                                    "https://geojson.org/schema/LineString.json",
                                                    "https://geojson.org/schema/Polygon.json"};
  const char* shape = def.geometry == geo::GeometryKind::point  ? kGeometrySchema[0]
                      : def.geometry == geo::GeometryKind::line ? kGeometrySchema[1]
                                                                : kGeometrySchema[2];
  props["geometry"] = {{"title", "geometry"}, {"$ref", shape}, {"x-ogc-role", "primary-geometry"}};
  for (int idx : view.queryable) {
    const auto& f = def.fields[static_cast<std::size_t>(idx)];
    json p = {{"title", f.title}};
    switch (f.type) {
      case model::FieldType::integer: p["type"] = "integer"; break;
      case model::FieldType::real: p["type"] = "number"; break;
      case model::FieldType::text: p["type"] = "string"; break;
      case model::FieldType::date:
        p["type"] = "string";
        p["format"] = "date";
        break;
      case model::FieldType::datetime:
        p["type"] = "string";
        p["format"] = "date-time";
        break;
    }
    if (!f.values.empty()) p["enum"] = f.values;
    if (f.min) p["minimum"] = *f.min;
    if (f.max) p["maximum"] = *f.max;
    props[f.name] = std::move(p);
  }
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"$id", base_url(ctx) + "/collections/" + percent_encode(def.name) + "/queryables"},
          {"type", "object"},
          {"title", def.title.zh},
          {"properties", std::move(props)},
          {"additionalProperties", false}};
}

// A minimal OpenAPI 3.0 description: the paths and the query parameters of each visible
// collection's items (clients such as GDAL read it to learn which attributes they may filter on
// server side).
// The answers an OpenAPI operation documents: {status, description} pairs.
json responses(std::initializer_list<std::pair<const char*, const char*>> list) {
  json out = json::object();
  for (const auto& [status, description] : list) out[status] = {{"description", description}};
  return out;
}

json header_param(const std::string& name, bool required, const std::string& description) {
  return {{"name", name}, {"in", "header"}, {"required", required}, {"schema", {{"type", "string"}}},
          {"description", description}};
}

json path_param(const std::string& name, const char* type) {
  return {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", type}}}};
}

// The writes, history and revert of one class (server/edit_endpoint.hpp, history_endpoint.hpp) under
// `base` ("/collections/{class}"). Writes need a signed-in caller whose role may edit the class.
void add_edit_paths(json& paths, const std::string& base) {
  const json feature_body = {
      {"required", true},
      {"content",
       {{"application/geo+json", {{"schema", {{"type", "object"}}}}}, {"application/json", {{"schema", {{"type", "object"}}}}}}}};
  json patch_body = feature_body;
  patch_body["content"]["application/merge-patch+json"] = {{"schema", {{"type", "object"}}}};
  const json content_crs = header_param("Content-Crs", false, "the CRS of the body's coordinates (default CRS84)");
  const json request_id = header_param("X-Request-Id", false, "kept in the history: up to 64 of [A-Za-z0-9._-]");
  const json if_match = header_param("If-Match", true, "the feature's ETag as last read (428 without it)");
  const json id = path_param("featureId", "integer");
  // `body`: the request carries a feature or patch (415 for another Content-Type).
  const auto refusals = [](json r, bool body) {
    r.update(responses({{"400", "malformed request or body"},
                        {"401", "not signed in"},
                        {"403", "the caller may not make this change (audited)"},
                        {"422", "invalid feature: the field or geometry at fault is named"},
                        {"503", "no writable store"}}));
    if (body) r.update(responses({{"415", "unsupported Content-Type"}}));
    return r;
  };
  const auto if_match_refusals = [&](json r, bool body) {
    r = refusals(std::move(r), body);
    r.update(responses({{"404", "no such feature, or not visible"},
                        {"412", "If-Match is stale: the body carries the current version and its ETag"},
                        {"428", "If-Match missing"}}));
    return r;
  };
  paths[base + "/items"]["post"] = {
      {"summary", "create a feature"},
      {"parameters", json::array({content_crs, request_id})},
      {"requestBody", feature_body},
      {"responses", refusals(responses({{"201", "created: the feature as the caller reads it, with Location and ETag"},
                                        {"404", "no such collection, or not visible"}}),
                             true)}};
  const std::string item = base + "/items/{featureId}";
  paths[item]["put"] = {{"summary", "replace a feature"},
                        {"parameters", json::array({id, if_match, content_crs, request_id})},
                        {"requestBody", feature_body},
                        {"responses", if_match_refusals(responses({{"200", "the feature as the caller reads it, with ETag"}}), true)}};
  paths[item]["patch"] = {{"summary", "update a feature (JSON merge patch, RFC 7396)"},
                          {"parameters", json::array({id, if_match, content_crs, request_id})},
                          {"requestBody", patch_body},
                          {"responses", if_match_refusals(responses({{"200", "the feature as the caller reads it, with ETag"}}), true)}};
  paths[item]["delete"] = {{"summary", "delete a feature"},
                           {"parameters", json::array({id, if_match, request_id})},
                           {"responses", if_match_refusals(responses({{"204", "deleted; ETag of the deletion"}}), false)}};
  paths[item]["delete"]["responses"].erase("422");  // nothing is validated: the feature goes
  paths[item + "/history"]["get"] = {
      {"summary", "the feature's versions, oldest first, in the caller's form"},
      {"parameters", json::array({id, json{{"name", "crs"}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}},
                                           {"description", "the CRS of the states' geometries"}}})},
      {"responses", responses({{"200", "the versions"}, {"400", "bad parameter"}, {"404", "no such feature, or never visible"}})}};
  paths[item + "/history/{version}/revert"]["post"] = {
      {"summary", "restore an earlier version"},
      {"parameters", json::array({id, path_param("version", "integer"), if_match, request_id})},
      {"responses", if_match_refusals(responses({{"200", "the restored feature, with ETag"},
                                                  {"204", "the version precedes the feature: it is deleted"}}),
                                       false)}};
}

// The change feed and the backups (server/history_endpoint.hpp, backup_endpoint.hpp).
void add_changes_and_backup_paths(json& paths) {
  const auto query_param = [](const std::string& name, json schema, const std::string& description) {
    return json{{"name", name}, {"in", "query"}, {"required", false}, {"schema", std::move(schema)}, {"description", description}};
  };
  paths["/api/changes"]["get"] = {
      {"summary", "changes after `since` that the caller may see, oldest first"},
      {"parameters",
       json::array({query_param("village", {{"type", "string"}, {"pattern", "^[0-9]{12}$"}}, "only this village's changes"),
                    query_param("since", {{"type", "string"}}, "a change number, or an ISO 8601 UTC date or date-time"),
                    query_param("limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"default", 100}},
                                "changes per page; larger values are clamped to the maximum"),
                    query_param("crs", {{"type", "string"}}, "the CRS of the states' geometries")})},
      {"responses", responses({{"200", "changes, latest_seq and a next link while more may follow"}, {"400", "bad parameter"}})}};
  const json admin_only = responses({{"401", "not signed in"}, {"403", "not a county administrator (audited)"}});
  json start = responses({{"202", "started: id, status running, Location /api/backups/{id}"},
                          {"409", "a backup is already running: its id"}});
  start.update(admin_only);
  json list = responses({{"200", "the backups, newest first, with keep and every_s"}});
  list.update(admin_only);
  json one = responses({{"200", "the backup"}, {"404", "no such backup"}});
  one.update(admin_only);
  paths["/api/backups"]["post"] = {{"summary", "start a backup of the store, auth database, audit log and DEMs"},
                                   {"responses", std::move(start)}};
  paths["/api/backups"]["get"] = {{"summary", "the backups"}, {"responses", std::move(list)}};
  paths["/api/backups/{id}"]["get"] = {{"summary", "one backup"},
                                       {"parameters", json::array({path_param("id", "string")})},
                                       {"responses", std::move(one)}};
}

json openapi_json(const RequestContext& ctx, const query::ScopedReader& reader) {
  auto param = [](const std::string& name, json schema, const std::string& description) {
    return json{{"name", name}, {"in", "query"}, {"required", false}, {"schema", std::move(schema)},
                {"description", description}, {"style", "form"}, {"explode", false}};
  };
  json crs_enum = json::array();
  for (const auto& c : query::supported_crs()) crs_enum.push_back(c.uri);
  const json common = json::array(
      {param("bbox", {{"type", "array"}, {"minItems", 4}, {"maxItems", 6}, {"items", {{"type", "number"}}}},
             "features intersecting this box, in bbox-crs axis order"),
       param("bbox-crs", {{"type", "string"}, {"enum", crs_enum}}, "the CRS of bbox"),
       param("crs", {{"type", "string"}, {"enum", crs_enum}}, "the CRS of the answer"),
       param("limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", query::kMaxLimit}, {"default", query::kDefaultLimit}},
             "page size; larger values are clamped to the maximum"),
       param("offset", {{"type", "integer"}, {"minimum", 0}, {"default", 0}}, "features to skip"),
       param("filter", {{"type", "string"}}, "a CQL2-text filter"),
       param("filter-lang", {{"type", "string"}, {"enum", {"cql2-text"}}, {"default", "cql2-text"}}, "filter language"),
       param("filter-crs", {{"type", "string"}, {"enum", crs_enum}}, "the CRS of the filter's geometries")});
  const json ok = {{"200", {{"description", "GeoJSON"}}}, {"400", {{"description", "bad parameter"}}},
                   {"404", {{"description", "no such collection"}}}};
  json paths = {{"/", {{"get", {{"summary", "landing page"}, {"responses", ok}}}}},
                {"/conformance", {{"get", {{"summary", "conformance classes"}, {"responses", ok}}}}},
                {"/collections", {{"get", {{"summary", "feature collections"}, {"responses", ok}}}}}};
  for (const auto& view : reader.views()) {
    json params = common;
    for (int idx : view.queryable) {
      const auto& f = view.def->fields[static_cast<std::size_t>(idx)];
      const char* type = f.type == model::FieldType::integer ? "integer" : f.type == model::FieldType::real ? "number" : "string";
      params.push_back(param(f.name, {{"type", type}}, "equality on " + f.name));
    }
    const std::string base = "/collections/" + view.def->name;
    paths[base] = {{"get", {{"summary", view.def->title.en}, {"responses", ok}}}};
    paths[base + "/items"] = {{"get", {{"summary", view.def->title.en + " features"}, {"parameters", std::move(params)}, {"responses", ok}}}};
    paths[base + "/items/{featureId}"] = {
        {"get", {{"parameters", json::array({{{"name", "featureId"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}}})},
                 {"responses", ok}}}};
    paths[base + "/queryables"] = {{"get", {{"responses", ok}}}};
    add_edit_paths(paths, base);
  }
  add_changes_and_backup_paths(paths);
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "民情地图 Minqing Map — OGC API – Features"}, {"version", MINQING_VERSION}}},
          {"servers", json::array({{{"url", base_url(ctx)}}})},
          {"paths", std::move(paths)}};
}

}  // namespace

void add_feature_routes(Router& router, const QueryService& s, Handler html_page) {
  router.get("/", [html_page = std::move(html_page)](const RequestContext& ctx) {
    if (html_page && wants_html(ctx)) return html_page(ctx);
    require_json_format(ctx);
    const std::string base = base_url(ctx);
    const json body = {
        {"title", "民情地图 Minqing Map"},
        {"description", "Village maps of the county: OGC API – Features (Parts 1, 2, 3)"},
        {"links",
         {link(base + "/", "self", kJson, "this document"),
          link(base + "/api", "service-desc", kOpenApi, "the API definition"),
          link(base + "/conformance", "conformance", kJson, "conformance classes"),
          link(base + "/conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance", kJson,
               "conformance classes"),
          link(base + "/collections", "data", kJson, "feature collections"),
          link(base + "/collections", "http://www.opengis.net/def/rel/ogc/1.0/data", kJson, "feature collections")}}};
    Response res = json_answer(body, kJson, ctx, Holds::map_data, kDocumentMaxAge);
    if (html_page) res.set(http::field::vary, "Accept, Authorization, Cookie");  // a browser gets the page here
    return res;
  }, Pace::quick);  // a constant document, or the page from memory (server/web_assets.hpp)
  router.get("/api", [&s](const RequestContext& ctx) {
    require_json_format(ctx);
    return json_answer(openapi_json(ctx, s.reader(ctx)), kOpenApi, ctx, Holds::map_data, kDocumentMaxAge);
  });  // slow: 1.6-2.0 ms and 184 KB for a county administrator (every class's queryables), rarely asked
  router.get("/conformance", [](const RequestContext& ctx) {
    require_json_format(ctx);
    return json_answer({{"conformsTo", conformance_classes()}}, kJson, ctx, Holds::map_data, kDocumentMaxAge);
  }, Pace::quick);
  router.get("/collections", [&s](const RequestContext& ctx) {
    require_json_format(ctx);
    const query::ScopedReader reader = s.reader(ctx);
    json list = json::array();
    for (const auto& view : reader.views()) list.push_back(collection_json(ctx, view, reader));
    const json body = {{"links", {link(base_url(ctx) + "/collections", "self", kJson)}},
                       {"crs", crs_list()},
                       {"collections", std::move(list)}};
    return json_answer(body, kJson, ctx, Holds::map_data, kDocumentMaxAge);
  }, Pace::quick);  // the catalog and the cached extents: no feature is read
  router.get("/collections/{class}", [&s](const RequestContext& ctx) {
    const query::ScopedReader reader = s.reader(ctx);
    const query::ClassView& view = visible_class(reader, ctx.param("class"));
    require_json_format(ctx);
    return json_answer(collection_json(ctx, view, reader), kJson, ctx, Holds::map_data, kDocumentMaxAge);
  }, Pace::quick);
  router.get("/collections/{class}/queryables", [&s](const RequestContext& ctx) {
    const query::ScopedReader reader = s.reader(ctx);
    const query::ClassView& view = visible_class(reader, ctx.param("class"));
    require_json_format(ctx);
    return json_answer(queryables_json(ctx, view), "application/schema+json", ctx, Holds::map_data, kDocumentMaxAge);
  }, Pace::quick);
  // Quick, like a tile: a bounded bbox query (the bbox benchmark's, 13-17k req/s) is answered on
  // the io thread; a request whose worst case is not bounded throws WouldBlock itself before the
  // query runs (items() above, quick_items_query).
  router.get("/collections/{class}/items", [&s](const RequestContext& ctx) {
    return items(ctx, s);
  }, Pace::quick);
  router.get("/collections/{class}/items/{id}", [&s](const RequestContext& ctx) {
    return item(ctx, s);
  }, Pace::quick);  // one feature by id
}

}  // namespace minqing::server
