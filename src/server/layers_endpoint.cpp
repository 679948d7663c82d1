#include "server/layers_endpoint.hpp"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/geometry.hpp"
#include "server/http_error.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

nlohmann::json title_json(const model::Title& t) { return {{"zh", t.zh}, {"en", t.en}}; }

std::size_t feature_count(const model::FeatureClassDef& def, const store::ServingIndex& index,
                          const access::Scope* scope) {
  if (!scope || scope->area_kind() == access::AreaKind::county) return index.size(def.name);
  std::vector<store::ServedFeaturePtr> all;
  index.query(def.name, index.extent(), all);
  return static_cast<std::size_t>(std::count_if(
      all.begin(), all.end(), [&](const store::ServedFeaturePtr& f) { return scope->visible(def, f->feature); }));
}

nlohmann::json class_json(const model::FeatureClassDef& def, const store::ServingIndex& index,
                          const access::Scope* scope) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : def.fields) {
    fields.push_back({{"name", f.name},
                      {"type", std::string(model::to_string(f.type))},
                      {"title", f.title},
                      {"personal", f.personal}});
  }
  return {{"name", def.name},
          {"title", title_json(def.title)},
          {"geometry", std::string(geo::to_string(def.geometry))},
          {"features", feature_count(def, index, scope)},
          {"fields", std::move(fields)}};
}

}  // namespace

nlohmann::json layers_document(const model::LayerCatalog& catalog,
                               const store::ServingIndex& index, const access::Scope* scope) {
  nlohmann::json maps = nlohmann::json::array();
  for (const auto& map : catalog.maps()) {
    if (scope && !scope->may_see_map(map.name)) continue;
    nlohmann::json classes = nlohmann::json::array();
    for (const auto& name : map.classes) {
      if (const auto* def = catalog.find_class(name)) classes.push_back(class_json(*def, index, scope));
    }
    maps.push_back({{"name", map.name},
                    {"title", title_json(map.title)},
                    {"confidential", map.confidential},
                    {"classes", std::move(classes)}});
  }
  return {{"maps", std::move(maps)}};
}

void add_layers_routes(Router& router, const model::LayerCatalog& catalog,
                       const store::ServingIndex& index) {
  router.get("/api/layers", [&catalog, &index](const RequestContext& ctx) {
    // Fail closed: without a resolved scope, list nothing rather than everything.
    if (!ctx.scope) throw HttpError(http::status::internal_server_error, "internal error: no access scope");
    Response res = json_response(layers_document(catalog, index, ctx.scope.get()));
    res.set(http::field::cache_control, ctx.scope->is_public() ? "no-cache" : "private, no-cache");
    return res;
  });
}

}  // namespace minqing::server
