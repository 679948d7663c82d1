#include "server/layers_endpoint.hpp"

#include <nlohmann/json.hpp>

#include "geo/geometry.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

nlohmann::json title_json(const model::Title& t) { return {{"zh", t.zh}, {"en", t.en}}; }

nlohmann::json class_json(const model::FeatureClassDef& def, const store::ServingIndex& index) {
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
          {"features", index.size(def.name)},
          {"fields", std::move(fields)}};
}

}  // namespace

nlohmann::json layers_document(const model::LayerCatalog& catalog,
                               const store::ServingIndex& index) {
  nlohmann::json maps = nlohmann::json::array();
  for (const auto& map : catalog.maps()) {
    nlohmann::json classes = nlohmann::json::array();
    for (const auto& name : map.classes) {
      if (const auto* def = catalog.find_class(name)) classes.push_back(class_json(*def, index));
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
  router.get("/api/layers", [&catalog, &index](const RequestContext&) {
    Response res = json_response(layers_document(catalog, index));
    res.set(http::field::cache_control, "no-cache");
    return res;
  });
}

}  // namespace minqing::server
