#include "server/health_endpoint.hpp"

#include <nlohmann/json.hpp>

#include "server/response.hpp"

namespace minqing::server {

void add_health_routes(Router& router) {
  router.get("/healthz", [](const RequestContext&) {
    Response res = json_response({{"status", "ok"}});
    res.set(http::field::cache_control, "no-store");
    return res;
  }, Pace::quick);  // a constant answer; load balancers must reach it even while the pool is busy
}

}  // namespace minqing::server
