#pragma once
// Editing over HTTP: OGC API – Features Part 4 (create, replace, update, delete), with strong
// ETags and If-Match, each feature's history and its revert, and a feed of changes.
//
//   POST   /collections/{class}/items              a GeoJSON Feature → 201, Location, ETag
//   PUT    /collections/{class}/items/{id}         the whole feature  → 200, ETag   (If-Match)
//   PATCH  /collections/{class}/items/{id}         a merge patch (RFC 7396) → 200, ETag (If-Match)
//   DELETE /collections/{class}/items/{id}         → 204, ETag of the deletion       (If-Match)
//   GET    /collections/{class}/items/{id}/history            the feature's versions, oldest first
//   POST   /collections/{class}/items/{id}/history/{v}/revert restore version v (If-Match)
//   GET    /api/changes?village=CODE&since=SEQ|ISO-time&limit=N  changes after `since`, scoped
//
// Request bodies are JSON (application/json, application/geo+json, application/merge-patch+json
// for PATCH); coordinates in the CRS of the Content-Crs header (any CRS of query/crs.hpp; default
// CRS84). A write answers with the feature as the caller reads it, in the same CRS.
// Refusals: 400 malformed, 401 not signed in, 403 not allowed (map, area, a masked or hidden
// field — audited as edit_refused), 404 missing or not visible, 412 stale If-Match (the body
// carries the current version and its ETag), 415 body type, 422 invalid (naming the field or the
// geometry fault), 428 If-Match missing, 503 no writable store. Nothing is changed by a refusal.
// Cookie-authenticated writes need the CSRF header (server/auth_endpoint.hpp). X-Request-Id, when
// sent (up to 64 of [A-Za-z0-9._-]), is kept in the history; else the server makes one. Both are
// answered in the X-Request-Id header.
//
// History and the feed are read as features are: classes and features the caller may not see are
// left out, values masked or hidden, states the caller may not see withheld.

#include "access/audit_log.hpp"
#include "edit/editor.hpp"
#include "server/query_service.hpp"
#include "server/router.hpp"

namespace minqing::server {

struct EditService {
  const QueryService& queries;
  edit::Editor& editor;
};

// Registers the routes above. `service` is borrowed and must outlive the router.
void add_edit_routes(Router& router, const EditService& service);

}  // namespace minqing::server
