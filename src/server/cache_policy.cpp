#include "server/cache_policy.hpp"

#include <string>

namespace minqing::server {

void set_no_store(Response& res) {
  res.set(http::field::vary, "Authorization, Cookie");
  res.set(http::field::cache_control, "private, no-store");
  res.set(http::field::pragma, "no-cache");
}

void set_cache_policy(Response& res, const access::Scope& scope, Holds holds, int max_age_s) {
  if (holds == Holds::personal_data) {
    set_no_store(res);
    return;
  }
  res.set(http::field::vary, "Authorization, Cookie");
  const std::string freshness = max_age_s > 0 ? "max-age=" + std::to_string(max_age_s) : std::string("no-cache");
  res.set(http::field::cache_control, (scope.is_public() ? "public, " : "private, ") + freshness);
}

bool holds_personal_data(const query::ClassView& view) noexcept {
  if (view.confidential()) return true;
  for (int i : view.fields) {
    if (view.def->fields[static_cast<std::size_t>(i)].personal) return true;
  }
  return false;
}

}  // namespace minqing::server
