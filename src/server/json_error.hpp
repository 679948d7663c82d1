#pragma once
// The one body shape of every 4xx/5xx answer:
//   {"error": "<code>", "detail": "<what is wrong, naming the parameter or path at fault>"}
// <code> is the status's reason phrase in snake case ("bad_request", "not_found",
// "method_not_allowed", "request_header_fields_too_large", "internal_server_error", …), so a
// client can switch on it without parsing the detail.

#include <string>
#include <string_view>

#include "server/http_types.hpp"

namespace minqing::server {

// The snake-case code of `status`, e.g. "not_found" for 404.
std::string error_code(http::status status);

// The JSON text {"error": error_code(status), "detail": detail}. Invalid UTF-8 in `detail`
// (it may quote a client's target) is replaced, never thrown on.
std::string error_body(http::status status, std::string_view detail);

// A response with `status` and the error body above, Content-Type JSON. Version, keep-alive and
// the common headers are set later by finalize_response (server/response.hpp).
Response json_error(http::status status, std::string_view detail);

}  // namespace minqing::server
