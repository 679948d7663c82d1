#include "server/edit_endpoint.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "access/scope.hpp"
#include "edit/edit_error.hpp"
#include "query/crs.hpp"
#include "query/geojson_writer.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/etag.hpp"
#include "server/history_endpoint.hpp"
#include "server/http_error.hpp"
#include "server/json_error.hpp"
#include "server/public_url.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

// A request header's value, nullopt when absent.
template <class Name>
std::optional<std::string_view> header(const RequestContext& ctx, Name name) {
  auto it = ctx.request.find(name);
  if (it == ctx.request.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

bool safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::string request_id(const RequestContext& ctx) {
  if (auto id = header(ctx, "X-Request-Id"); id && safe_request_id(*id)) return std::string(*id);
  thread_local std::mt19937_64 random{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(random()));
  return buf;
}

// The signed-in caller of a write; 401 for an anonymous one (the public edits nothing).
const access::Scope& writer_scope(const RequestContext& ctx) {
  const access::Scope& scope = caller_scope(ctx);
  if (scope.user().empty()) throw HttpError(http::status::unauthorized, "sign in to edit (POST /api/login)");
  return scope;
}

json body_json(const RequestContext& ctx, bool merge_patch) {
  std::string type;
  if (auto v = header(ctx, http::field::content_type)) {
    type = std::string(v->substr(0, v->find(';')));
    while (!type.empty() && type.back() == ' ') type.pop_back();
  }
  const bool ok = type == "application/json" || type == "application/geo+json" ||
                  (merge_patch && type == "application/merge-patch+json");
  if (!ok) {
    throw HttpError(http::status::unsupported_media_type,
                    std::string("Content-Type: send application/geo+json or application/json") +
                        (merge_patch ? " (or application/merge-patch+json)" : ""));
  }
  try {
    return json::parse(ctx.request.body());
  } catch (const json::parse_error& e) {
    throw RequestError(std::string("body: not JSON (") + e.what() + ")");
  }
}

const query::Crs& content_crs(const RequestContext& ctx) {
  auto given = header(ctx, "Content-Crs");
  if (!given) return query::crs84();
  std::string_view v = *given;
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
  return query::parse_crs(v, "Content-Crs");
}

std::int64_t fid_param(const RequestContext& ctx) {
  const std::string_view id = ctx.param("id");
  std::int64_t fid = 0;
  const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), fid);
  if (ec != std::errc() || ptr != id.data() + id.size() || fid <= 0) {
    throw HttpError(http::status::not_found,
                    "no feature '" + std::string(id) + "' in collection '" + std::string(ctx.param("class")) + "'");
  }
  return fid;
}

edit::IfMatch if_match(const RequestContext& ctx) {
  auto given = header(ctx, http::field::if_match);
  if (!given) {
    throw HttpError(http::status::precondition_required,
                    "If-Match required: read the feature (GET) and send its ETag, so that no change made since is "
                    "overwritten");
  }
  return parse_if_match(*given);
}

// Runs one write; an EditError becomes its status, a refusal (403) is audited first, a stale
// If-Match answers with the current version a client can show.
template <class Fn>
Response guarded(const RequestContext& ctx, const EditService& s, const char* method, Fn&& fn) {
  try {
    return fn();
  } catch (const edit::EditError& e) {
    const auto status = static_cast<http::status>(e.status());
    if (e.kind() == edit::EditError::Kind::forbidden) {
      if (!s.queries.audit) throw HttpError(http::status::internal_server_error, "internal error: no audit log");
      access::AuditRecord rec{caller_scope(ctx).user(), std::string(ctx.peer), access::audit_action::edit_refused, {}};
      rec.detail = {{"method", method}, {"class", std::string(ctx.param("class"))}, {"reason", e.what()}};
      if (auto id = ctx.params.find("id")) rec.detail["id"] = std::string(*id);
      try {
        s.queries.audit->append(rec, ctx.now);
      } catch (const StoreError&) {
        // The write is refused all the same; the refusal's record is what could not be kept.
      }
    }
    if (e.kind() == edit::EditError::Kind::precondition_failed) {
      const std::uint64_t current = s.editor.version(ctx.param("class"), fid_param(ctx));
      Response res = json_error(status, e.what());
      json body = json::parse(res.body());
      body["current_version"] = current;
      body["etag"] = strong_etag(current);
      res.body() = body.dump();
      res.set(http::field::etag, strong_etag(current));
      set_no_store(res);
      return res;
    }
    throw HttpError(status, e.what());
  }
}

// The answer to a write: the feature as the caller now reads it, its ETag, no caching.
Response written(const RequestContext& ctx, const EditService& s, const edit::EditResult& r, const query::Crs& crs,
                 http::status status, const std::string& rid) {
  const std::string cls(ctx.param("class"));
  Response res;
  if (r.deleted) {
    res.result(http::status::no_content);
  } else {
    const query::ScopedReader reader = s.queries.reader(ctx);
    const query::ClassView& view = visible_class(reader, cls);
    json body = nullptr;
    if (const auto f = reader.find(cls, r.fid)) body = query::feature_json(*f, view, crs);
    if (view.confidential()) {
      audit_confidential_read(s.queries.audit, ctx, access::audit_action::key_persons_edit,
                              {{"class", cls}, {"ids", json::array({r.fid})}, {"version", r.version}});
    }
    res = json_response(body);
    res.result(status);
    res.set(http::field::content_type, "application/geo+json");
    res.set("Content-Crs", "<" + crs.uri + ">");
    res.set(http::field::location, base_url(ctx) + "/collections/" + percent_encode(cls) + "/items/" + std::to_string(r.fid));
  }
  res.set(http::field::etag, strong_etag(r.version));
  res.set("X-Request-Id", rid);
  set_no_store(res);
  return res;
}

// PUT (the whole feature) or PATCH (a merge patch) of one feature.
Response change(const RequestContext& ctx, const EditService& s, bool merge) {
  return guarded(ctx, s, merge ? "PATCH" : "PUT", [&] {
    const access::Scope& scope = writer_scope(ctx);
    const std::int64_t fid = fid_param(ctx);
    const edit::IfMatch match = if_match(ctx);
    const query::Crs& crs = content_crs(ctx);
    const json body = body_json(ctx, merge);
    const std::string rid = request_id(ctx);
    const edit::Author who{scope, rid, ctx.now};
    const auto r = merge ? s.editor.patch(who, ctx.param("class"), fid, body, crs, match)
                         : s.editor.replace(who, ctx.param("class"), fid, body, crs, match);
    return written(ctx, s, r, crs, http::status::ok, rid);
  });
}

}  // namespace

void add_edit_routes(Router& router, const EditService& s) {
  router.post("/collections/{class}/items", [&s](const RequestContext& ctx) {
    return guarded(ctx, s, "POST", [&] {
      const access::Scope& scope = writer_scope(ctx);
      const query::Crs& crs = content_crs(ctx);
      const json body = body_json(ctx, false);
      const std::string rid = request_id(ctx);
      const auto r = s.editor.create({scope, rid, ctx.now}, ctx.param("class"), body, crs);
      return written(ctx, s, r, crs, http::status::created, rid);
    });
  });
  router.add(http::verb::put, "/collections/{class}/items/{id}",
             [&s](const RequestContext& ctx) { return change(ctx, s, false); });
  router.add(http::verb::patch, "/collections/{class}/items/{id}",
             [&s](const RequestContext& ctx) { return change(ctx, s, true); });
  router.add(http::verb::delete_, "/collections/{class}/items/{id}", [&s](const RequestContext& ctx) {
    return guarded(ctx, s, "DELETE", [&] {
      const access::Scope& scope = writer_scope(ctx);
      const std::int64_t fid = fid_param(ctx);
      const edit::IfMatch match = if_match(ctx);
      const std::string rid = request_id(ctx);
      const auto r = s.editor.remove({scope, rid, ctx.now}, ctx.param("class"), fid, match);
      return written(ctx, s, r, query::crs84(), http::status::no_content, rid);
    });
  });
  router.post("/collections/{class}/items/{id}/history/{version}/revert", [&s](const RequestContext& ctx) {
    return guarded(ctx, s, "POST revert", [&] {
      const access::Scope& scope = writer_scope(ctx);
      const std::int64_t fid = fid_param(ctx);
      const std::string_view v = ctx.param("version");
      std::uint64_t version = 0;
      const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
      if (ec != std::errc() || ptr != v.data() + v.size() || version == 0) {
        throw HttpError(http::status::not_found, "no version '" + std::string(v) + "'");
      }
      const edit::IfMatch match = if_match(ctx);
      const std::string rid = request_id(ctx);
      const auto r = s.editor.revert({scope, rid, ctx.now}, ctx.param("class"), fid, version, match);
      return written(ctx, s, r, query::crs84(), http::status::ok, rid);
    });
  });
  add_history_routes(router, s);
}

}  // namespace minqing::server
