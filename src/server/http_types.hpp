#pragma once
// The HTTP message types every part of server/ speaks: one request and one response type. A
// request's body is a std::string; a response's is text it owns (JSON, XML) or bytes shared with
// the tile cache (server/response_body.hpp).
// Including this header means including Boost.Beast's HTTP headers; nothing outside server/ and
// cli/cmd_serve.cpp should need it.

#include <string_view>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include "server/response_body.hpp"

namespace minqing::server {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<ResponseBody>;

// Beast 1.74 speaks boost::string_view; the project speaks std::string_view.
inline std::string_view to_std(boost::beast::string_view s) noexcept {
  return {s.data(), s.size()};
}

// The media type of every JSON answer.
inline constexpr const char* kJsonContentType = "application/json; charset=utf-8";

}  // namespace minqing::server
