#include "server/backup_endpoint.hpp"

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "access/scope.hpp"
#include "backup/backup.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/public_url.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

using nlohmann::json;

// 401 for anonymous callers, 403 (audited) for any role but an administrator's.
void require_admin(const RequestContext& ctx, access::AuditLog& audit, const char* what) {
  const access::Scope& scope = caller_scope(ctx);
  if (scope.is_public()) throw HttpError(http::status::unauthorized, "backups are for county administrators; sign in");
  if (scope.is_admin()) return;
  try {
    audit.append({scope.user(), std::string(ctx.peer), kBackupDeniedAction,
                  {{"role", scope.role()}, {"request", what}}},
                 ctx.now);
  } catch (const StoreError&) {
    // The refusal stands whether or not it could be recorded.
  }
  throw HttpError(http::status::forbidden,
                  "backups are for county administrators; role " + scope.role() + " may not " + what);
}

json self_link(const RequestContext& ctx, const std::string& id) {
  return json::array({{{"href", base_url(ctx) + "/api/backups/" + id}, {"rel", "self"}, {"type", "application/json"}}});
}

json describe_done(const RequestContext& ctx, const backup::Manifest& m) {
  json files = json::array();
  for (const auto& f : m.files) {
    files.push_back({{"path", f.path}, {"role", f.role}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  }
  std::int64_t features = 0;
  for (const auto& [_, n] : m.feature_counts) features += n;
  json out = {{"id", m.id},         {"status", "done"},       {"created", m.created},
              {"bytes", m.total_bytes()}, {"duration_ms", m.duration_ms}, {"features", features},
              {"files", std::move(files)}, {"links", self_link(ctx, m.id)}};
  if (m.has_audit) {
    out["audit_entries"] = m.audit_entries;
    out["audit_chain"] = m.audit_chain;
  }
  return out;
}

json describe_job(const RequestContext& ctx, const backup::BackupJob& j) {
  json out = {{"id", j.id}, {"status", j.status}, {"started", j.started}, {"links", self_link(ctx, j.id)}};
  if (!j.error.empty()) out["error"] = "the backup failed; the server's log and the audit log say why";
  return out;
}

// Newest first: running and failed jobs, then the complete backups.
json all_backups(const RequestContext& ctx, const backup::BackupJobs& jobs) {
  json out = json::array();
  auto pending = jobs.jobs();
  std::reverse(pending.begin(), pending.end());
  for (const auto& j : pending) out.push_back(describe_job(ctx, j));
  auto done = backup::list_backups(jobs.directory());
  std::reverse(done.begin(), done.end());
  for (const auto& b : done) out.push_back(describe_done(ctx, b.manifest));
  return out;
}

Response answer(json body, http::status status = http::status::ok) {
  Response res = json_response(body, status);
  set_no_store(res);
  return res;
}

}  // namespace

void add_backup_routes(Router& router, backup::BackupJobs& jobs, access::AuditLog& audit,
                       std::chrono::seconds every) {
  router.post("/api/backups", [&jobs, &audit](const RequestContext& ctx) {
    require_admin(ctx, audit, "start a backup");
    const access::Scope& scope = caller_scope(ctx);
    try {
      const std::string id = jobs.start(scope.user(), std::string(ctx.peer), ctx.now);
      Response res = answer({{"id", id}, {"status", "running"}, {"links", self_link(ctx, id)}},
                            http::status::accepted);
      res.set(http::field::location, "/api/backups/" + id);
      return res;
    } catch (const backup::BackupBusy& busy) {
      Response res = answer({{"error", "Conflict"}, {"detail", busy.what()}, {"id", busy.id}}, http::status::conflict);
      return res;
    } catch (const StoreError&) {
      throw HttpError(http::status::internal_server_error, "the backup directory cannot be written");
    }
  });
  router.get("/api/backups", [&jobs, &audit, every](const RequestContext& ctx) {
    require_admin(ctx, audit, "list backups");
    return answer({{"keep", jobs.keep()}, {"every_s", every.count()}, {"backups", all_backups(ctx, jobs)}});
  });
  router.get("/api/backups/{id}", [&jobs, &audit](const RequestContext& ctx) {
    require_admin(ctx, audit, "read a backup");
    const std::string id(ctx.param("id"));
    for (const auto& b : all_backups(ctx, jobs)) {
      if (b.at("id") == id) return answer(b);
    }
    throw HttpError(http::status::not_found, "no backup " + id.substr(0, 40));
  });
}

}  // namespace minqing::server
