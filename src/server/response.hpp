#pragma once
// Building answers: JSON bodies for handlers, and the one function that gives every answer the
// headers all responses carry (Content-Length, Server, X-Content-Type-Options, Connection).

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "server/http_types.hpp"

namespace minqing::server {

// "minqing/<MINQING_VERSION>", the Server header value.
const std::string& server_header();

// A `status` answer with `body` serialised compactly as application/json; charset=utf-8.
// Invalid UTF-8 in strings is replaced, never thrown on.
Response json_response(const nlohmann::json& body, http::status status = http::status::ok);
// The same for a body already written as JSON text.
Response json_text_response(std::string body, http::status status = http::status::ok);

// Completes `res` for sending as the answer to a request of HTTP `version` (10 or 11):
// sets the version, keep-alive (Connection) per `keep_alive`, Server, X-Content-Type-Options:
// nosniff and Content-Length. For a HEAD request (`head` true) the body is dropped while
// Content-Length keeps announcing the size the GET answer would have had. 1xx, 204 and 304
// answers carry neither a body nor Content-Length.
// Call it exactly once per response, last. A whole answer (ResponseBody::whole()) is left as it
// is. Never throws except std::bad_alloc.
void finalize_response(Response& res, unsigned version, bool keep_alive, bool head);

}  // namespace minqing::server
