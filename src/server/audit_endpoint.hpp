#pragma once
// GET /api/audit — the audit log (access/audit_log.hpp) for county administrators (issue 4).
//
//   anonymous caller          → 401 (sign in); a signed-in caller whose role is not an admin role
//                               (Scope::is_admin(), county_admin in the shipped policy) → 403, and
//                               the refusal is itself audited ("audit_read_denied").
//   parameters (any other one → 400 naming it; a bad value → 400 naming the parameter):
//     order=newest|oldest   newest (default): the latest entry first, as an administrator reading
//                           "what just happened" expects; oldest: in log order
//     offset=N              0… (default 0): entries to skip, in the chosen order
//     limit=N               1…1000 (default 100); more than 1000 → 400
//     as_of=N               the listing covers the log's first N entries only. A first page leaves
//                           it out and gets the log's length at that moment; the next/prev links
//                           carry it, so that entries appended meanwhile (each page read is one)
//                           do not shift newest-first pages
//     user=NAME             only entries of that username ("" = anonymous callers); ≤ 64 bytes
//     action=NAME           only entries of that action (login, login_failed, key_persons_tile,
//                           audit_read, …); ≤ 64 bytes
//   200 {"order","as_of","total","offset","limit","entries":[…],"links":[self, next?, prev?]}
//     total   entries in the listing (the first as_of entries, filtered)
//     entries the log's entries as written (seq, time, user, address, action, detail, prev_hash,
//             hash); a line that is not JSON is shown as {"damaged_line": N} — run
//             `minqing audit verify` to check the chain, which this endpoint does not do
//   Cache-Control: no-store. Entries never hold passwords or tokens (AuditLog scrubs them).
//
// Every successful read is recorded BEFORE the log is read ("audit_read", with the parameters),
// so a reader sees their own read at the top of the newest-first listing; when that entry cannot
// be written the log is not served (500).
//
// Cost: an unfiltered page reads only its own lines, through AuditLog's index of line starts
// (newest-first or oldest, at any offset, across rotated files); a filtered one scans the first
// as_of entries, parses only lines that contain the filtered value, and reads the page's entries
// by index — O(log size) per filtered request.
//
// Thread-safety: the handler may run concurrently (AuditLog is thread-safe).

#include "access/audit_log.hpp"
#include "server/router.hpp"

namespace minqing::server {

// The audit actions this endpoint writes (free text in the log; see access::audit_action).
inline constexpr const char* kAuditReadAction = "audit_read";
inline constexpr const char* kAuditReadDeniedAction = "audit_read_denied";

// Registers GET /api/audit. `audit` is borrowed and must outlive the router.
void add_audit_routes(Router& router, access::AuditLog& audit);

}  // namespace minqing::server
