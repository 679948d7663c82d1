#pragma once
// Building links back to this server: the base URL as the client addressed it, and
// percent-encoding of path segments and query values.

#include <string>
#include <string_view>

#include "server/router.hpp"

namespace minqing::server {

// "http://host:port" as the client addressed us when Host is a plain host[:port], else the
// loopback default, so that no header can inject anything into links or documents.
std::string base_url(const RequestContext& ctx);

// RFC 3986 unreserved characters kept, every other byte %XX.
std::string percent_encode(std::string_view s);

}  // namespace minqing::server
