#pragma once
// The HTTP message types every part of server/ speaks: one request and one response type. A
// request's body is a std::string; a response's is text it owns (JSON, XML) or bytes shared with
// the tile cache (server/response_body.hpp).
// Including this header means including Boost.Beast's HTTP headers; nothing outside server/ and
// cli/cmd_serve.cpp should need it.

#include <string_view>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/rfc7230.hpp>
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

// The first field `name` of `req`, as req.find(name), found by a walk over its few fields comparing
// their codes: Beast's find spells the name out and searches its set comparing text without case,
// ~200 instructions a call, several calls a request (issue 12). @pre name != field::unknown.
inline Request::const_iterator find_field(const Request& req, http::field name) noexcept {
  for (auto it = req.begin(); it != req.end(); ++it) {
    if (it->name() == name) return it;
  }
  return req.end();
}

// req.keep_alive(), by Beast's rules (basic_fields::get_keep_alive_impl), with find_field.
inline bool keeps_alive(const Request& req) {
  const auto it = find_field(req, http::field::connection);
  if (req.version() < 11) return it != req.end() && http::token_list{it->value()}.exists("keep-alive");
  return it == req.end() || !http::token_list{it->value()}.exists("close");
}

// The media type of every JSON answer.
inline constexpr const char* kJsonContentType = "application/json; charset=utf-8";

}  // namespace minqing::server
