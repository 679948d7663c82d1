#pragma once
// GET /healthz → 200 {"status":"ok"}: the liveness probe of load balancers and `minqing serve`
// scripts. It answers as soon as the server listens, which is after the store is loaded.

#include "server/router.hpp"

namespace minqing::server {

void add_health_routes(Router& router);

}  // namespace minqing::server
