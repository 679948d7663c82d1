#include "server/layers_endpoint.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/geometry.hpp"
#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

nlohmann::json title_json(const model::Title& t) { return {{"zh", t.zh}, {"en", t.en}}; }

nlohmann::json class_json(const query::ScopedReader& reader, const query::ClassView& view) {
  const model::FeatureClassDef& def = *view.def;
  nlohmann::json fields = nlohmann::json::array();
  for (std::size_t k = 0; k < view.fields.size(); ++k) {
    const model::FieldDef& f = def.fields[static_cast<std::size_t>(view.fields[k])];
    nlohmann::json field = {{"name", f.name},
                            {"type", std::string(model::to_string(f.type))},
                            {"title", f.title},
                            {"personal", f.personal},
                            {"access", std::string(access::to_string(view.access[k]))}};
    // What an edit form needs to know: which fields the server fills in itself (derived ones are
    // refused when changed) and which must have a value.
    if (f.derived) field["derived"] = true;
    if (f.required) field["required"] = true;
    // The Chinese title of each category code, for clients that show a value to a person.
    if (!f.value_titles.empty()) {
      nlohmann::json titles = nlohmann::json::object();
      for (const auto& value : f.values) titles[value] = std::string(f.value_title(value));
      field["value_titles"] = std::move(titles);
    }
    fields.push_back(std::move(field));
  }
  return {{"name", def.name},
          {"title", title_json(def.title)},
          {"geometry", std::string(geo::to_string(def.geometry))},
          {"features", reader.count(def.name)},
          {"fields", std::move(fields)}};
}

}  // namespace

nlohmann::json layers_document(const query::ScopedReader& reader) {
  nlohmann::json maps = nlohmann::json::array();
  for (const auto& map : reader.catalog().maps()) {
    nlohmann::json classes = nlohmann::json::array();
    for (const auto& name : map.classes) {
      if (const query::ClassView* view = reader.view(name)) classes.push_back(class_json(reader, *view));
    }
    if (classes.empty()) continue;
    nlohmann::json m = {{"name", map.name},
                        {"title", title_json(map.title)},
                        {"confidential", map.confidential},
                        {"classes", std::move(classes)}};
    if (!reader.scope().may_see_map(map.name)) m["granted"] = "class";
    maps.push_back(std::move(m));
  }
  return {{"maps", std::move(maps)}};
}

void add_layers_routes(Router& router, const query::Dataset& data) {
  router.get("/api/layers", [&data](const RequestContext& ctx) {
    const query::ScopedReader reader = data.reader(caller_scope(ctx));
    Response res = json_response(layers_document(reader));
    set_cache_policy(res, reader.scope(), Holds::map_data, kDocumentMaxAge);
    return res;
  }, Pace::quick);  // the catalog as the caller sees it: no feature is read
}

}  // namespace minqing::server
