#pragma once
// An error a handler throws to answer with a specific 4xx/5xx status and a JSON error body.
// RequestError (base/error.hpp) already means 400; throw HttpError for the other statuses a
// handler decides on (404 for an unknown map in a path, 403 for a forbidden map, 413, …).
// RequestHandler::handle is the one place that catches both.

#include <string>
#include <utility>

#include "base/error.hpp"
#include "server/http_types.hpp"

namespace minqing::server {

class HttpError : public Error {
 public:
  // `detail` is shown to the client: it names the parameter or resource at fault and never
  // carries internal state (file paths, SQL, stack).
  HttpError(http::status status, const std::string& detail) : Error(detail), m_status(status) {}

  http::status status() const noexcept { return m_status; }

 private:
  http::status m_status;
};

}  // namespace minqing::server
