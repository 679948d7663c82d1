#include "server/caller_access.hpp"

#include "server/deferred_audit.hpp"

#include <chrono>

#include "base/error.hpp"
#include "server/http_error.hpp"

namespace minqing::server {

const access::Scope& caller_scope(const RequestContext& ctx) {
  // Fail closed: a handler reached without a caller resolver serves nothing.
  if (!ctx.scope) throw HttpError(http::status::internal_server_error, "internal error: no access scope");
  return *ctx.scope;
}

void require_maps_visible(const model::LayerCatalog& catalog, const access::Scope& scope,
                          const std::vector<std::string>& maps) {
  for (const auto& name : maps) {
    if (scope.may_see_map(name)) continue;
    const model::MapDef* map = catalog.find_map(name);
    if (!map || map->confidential) {
      throw HttpError(http::status::not_found, "no map named \"" + name.substr(0, 64) + "\"");
    }
    throw HttpError(http::status::forbidden, "map " + name + " is not granted to " +
                                                 (scope.is_public() ? std::string("anonymous callers; sign in")
                                                                    : "role " + scope.role()));
  }
}

const query::ClassView& visible_class(const query::ScopedReader& reader, std::string_view name) {
  const query::ClassView* view = reader.view(name);
  if (!view) throw HttpError(http::status::not_found, "no collection '" + std::string(name.substr(0, 64)) + "'");
  return *view;
}

void audit_confidential_read(access::AuditLog* audit, const RequestContext& ctx, const char* action,
                             nlohmann::json detail) {
  if (!audit) throw HttpError(http::status::internal_server_error, "internal error: no audit log");
  access::AuditRecord rec;
  rec.user = caller_scope(ctx).user();
  rec.address = std::string(ctx.peer);
  rec.action = action;
  rec.detail = std::move(detail);
  if (ctx.deferred_audits != nullptr) {  // the answer waits for it (server/deferred_audit.hpp)
    ctx.deferred_audits->push_back({audit, std::move(rec), ctx.now});
    return;
  }
  try {
    audit->append(rec, ctx.now);
  } catch (const StoreError&) {
    throw HttpError(http::status::internal_server_error, "the audit log cannot be written; confidential data is not served");
  }
}

}  // namespace minqing::server
