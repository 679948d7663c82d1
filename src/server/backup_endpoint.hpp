#pragma once
// Backups over HTTP (issue 15, 备用), for county administrators only (Scope::is_admin(),
// county_admin in the shipped policy):
//
//   POST /api/backups        starts a backup of the store, the auth database, the audit log and
//                            the DEMs in the background (backup/backup_jobs.hpp) →
//                            202 {"id","status":"running","links":[self]} with Location
//                            /api/backups/{id}; 409 {"id": the running one} while one is under way.
//   GET  /api/backups        the backups, newest first: complete ones from their manifests
//                            ({"id","status":"done","created","bytes","duration_ms","files":[{path,role,
//                            bytes,sha256}],"features","audit_entries"}) and those this server
//                            started that are running or failed ({"id","status","started","error"}),
//                            with "keep" (rotation) and "every_s" (schedule, 0: none).
//   GET  /api/backups/{id}   one of them; 404 when unknown.
//
// Anonymous → 401; any other role → 403, and the refusal is audited ("backup_denied"). The start is
// audited by BackupJobs ("backup_started", then "backup_finished"/"backup_failed"). Answers are
// `private, no-store`: a backup holds every personal record of the county. Paths on the server's
// disk are never shown.
//
// Thread-safety: handlers may run concurrently (BackupJobs is thread-safe).

#include <chrono>

#include "access/audit_log.hpp"
#include "backup/backup_jobs.hpp"
#include "server/router.hpp"

namespace minqing::server {

inline constexpr const char* kBackupDeniedAction = "backup_denied";

// Registers the routes. `jobs` and `audit` are borrowed and must outlive the router; `every` is
// the schedule reported by GET (0: none).
void add_backup_routes(Router& router, backup::BackupJobs& jobs, access::AuditLog& audit,
                       std::chrono::seconds every);

}  // namespace minqing::server
