#pragma once
// What every map-data handler does with the caller's access scope, in one place so that no
// handler builds or bends its own (ARCHITECTURE.md "One enforcement point"):
//   caller_scope(ctx)             the scope resolved by the request handler; fails closed (500)
//                                 when a handler was reached without one;
//   require_maps_visible(…)       403 for a map not granted, 404 — the answer an unknown map gets —
//                                 for a confidential one, so that its existence is not confirmed;
//   visible_class(…)              the caller's query::ClassView of a class, from its ScopedReader,
//                                 or 404 (missing or not granted);
//   audit_confidential_read(…)    appends one audit entry for a read of a confidential map
//                                 (key_persons); when the log cannot be written the read is
//                                 refused (500), never served unrecorded. In the server the
//                                 answer waits for the entry without holding a thread
//                                 (server/deferred_audit.hpp).

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/audit_log.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/scoped_reader.hpp"
#include "server/router.hpp"

namespace minqing::server {

const access::Scope& caller_scope(const RequestContext& ctx);

// @throws HttpError 403 / 404 for the first map of `maps` the scope may not see.
void require_maps_visible(const model::LayerCatalog& catalog, const access::Scope& scope,
                          const std::vector<std::string>& maps);

// @throws HttpError 404 "no collection 'name'" when the class does not exist or is not visible.
const query::ClassView& visible_class(const query::ScopedReader& reader, std::string_view name);

// Records that the caller of `ctx` read a confidential map. `action` is one of
// access::audit_action; `detail` says what was asked (map, class, bbox, feature ids, …).
// @throws HttpError 500 when `audit` is null or cannot be written.
void audit_confidential_read(access::AuditLog* audit, const RequestContext& ctx, const char* action,
                             nlohmann::json detail);

}  // namespace minqing::server
