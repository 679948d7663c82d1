#pragma once
// The socket-free heart of the server: one complete request in, one complete response out.
// It validates the target, routes, calls the handler, and turns every failure into a JSON error
// (server/json_error.hpp). This is the ONE place where handler exceptions are caught:
//   RequestError            → 400, detail = its message
//   HttpError               → its status, detail = its message
//   anything else           → 500 with a generic detail, and one line on stderr
// A unit test calls handle() directly; HttpServer calls it for every request it reads.

#include "server/http_types.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Thread-safe when the router's handlers are (handle() itself keeps no state).
class RequestHandler {
 public:
  // `router` is borrowed and must outlive the handler; it must not change while serving.
  explicit RequestHandler(const Router& router) noexcept : m_router(&router) {}

  // The complete answer to `req`, with status, Content-Type, Content-Length, Server,
  // X-Content-Type-Options and Connection set (finalize_response). HEAD requests get the GET
  // answer's headers without a body. Unknown paths → 404, known path with another method →
  // 405 with an Allow header; a target not starting with '/', holding a NUL or a "."/".."
  // segment → 400. Never throws (std::bad_alloc aside, which terminates).
  Response handle(const Request& req) const noexcept;

 private:
  Response dispatch(const Request& req) const;
  const Router* m_router;
};

}  // namespace minqing::server
