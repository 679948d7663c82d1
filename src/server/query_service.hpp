#pragma once
// What the map-data endpoints (OGC API – Features, identify, search, nearby, statistics) share;
// owned by the App, which outlives the routes. A handler reads map data only through the
// query::ScopedReader of its caller: `reader(ctx)`. The dataset offers no other way from here
// (its raw index needs a store/ header, which server/ may not include).

#include "access/audit_log.hpp"
#include "edit/change_log.hpp"
#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "query/scoped_reader.hpp"
#include "server/caller_access.hpp"
#include "server/router.hpp"

namespace minqing::server {

struct QueryService {
  const model::LayerCatalog& catalog;
  const query::Dataset& data;
  access::AuditLog* audit = nullptr;  // where reads of confidential maps are recorded
  // The features' versions (their ETags); null: every feature is at edit::kBaseVersion.
  const edit::ChangeLog* changes = nullptr;

  // The caller's reader, made once per request. @throws HttpError 500 without a resolved scope.
  query::ScopedReader reader(const RequestContext& ctx) const { return data.reader(caller_scope(ctx)); }
};

}  // namespace minqing::server
