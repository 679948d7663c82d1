#pragma once
// What the query endpoints (OGC API – Features, identify, search, nearby, statistics) share; owned
// by the App, which outlives the routes. Every handler reads features only through the
// query::ClassView of the caller's scope (server/caller_access.hpp).

#include "access/audit_log.hpp"
#include "model/layer_catalog.hpp"
#include "query/search_index.hpp"
#include "store/serving_index.hpp"

namespace minqing::server {

struct QueryService {
  const model::LayerCatalog& catalog;
  const store::ServingIndex& index;
  access::AuditLog* audit = nullptr;  // where reads of confidential maps are recorded
  const query::SearchIndex* search = nullptr;  // GET /api/search; built once at load
};

}  // namespace minqing::server
