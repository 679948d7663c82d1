#include "server/legend_endpoint.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "server/cache_policy.hpp"
#include "server/caller_access.hpp"
#include "server/http_error.hpp"
#include "server/response.hpp"
#include "style/legend.hpp"

namespace minqing::server {

void add_legend_routes(Router& router, const QueryService& service, const style::StyleSet& styles) {
  router.get("/api/legend/{map}", [&service, &styles](const RequestContext& ctx) {
    const std::string name(ctx.param("map"));
    const query::ScopedReader reader = service.reader(ctx);
    require_maps_visible(service.catalog, reader.scope(), {name});
    const model::MapDef* map = service.catalog.find_map(name);
    const style::Style* style = styles.find(name);
    if (!map || !style) throw HttpError(http::status::not_found, "no map named \"" + name.substr(0, 64) + "\"");
    nlohmann::json items = nlohmann::json::array();
    for (const style::LegendEntry& e : style::legend(*style)) {
      if (!reader.view(e.cls->name)) continue;
      nlohmann::json item = {{"class", e.cls->name},
                             {"class_title", e.cls->title.zh},
                             {"field", e.field},
                             {"value", e.value},
                             {"title", e.title},
                             {"kind", std::string(style::to_string(e.kind))},
                             {"color", style::to_css(e.color)}};
      if (e.stroke) item["stroke"] = style::to_css(*e.stroke);
      items.push_back(std::move(item));
    }
    Response res = json_response({{"map", map->name}, {"title", map->title.zh}, {"items", std::move(items)}});
    set_cache_policy(res, reader.scope(), map->confidential ? Holds::personal_data : Holds::map_data,
                     kDocumentMaxAge);
    return res;
  }, Pace::quick);  // one style's rules as JSON: no feature is read, nothing is drawn
}

}  // namespace minqing::server
