#pragma once
// The socket-free heart of the server: one complete request in, one complete response out.
// It validates the target, routes, calls the handler, and turns every failure into a JSON error
// (server/json_error.hpp). This is the ONE place where handler exceptions are caught:
//   RequestError            → 400, detail = its message
//   HttpError               → its status, detail = its message
//   anything else           → 500 with a generic detail, and one line on stderr
// A unit test calls handle() directly; HttpServer calls it for every request it reads.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/http_types.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Who is calling: resolved once per request, before routing, and handed to the handler in its
// RequestContext.
struct Caller {
  std::shared_ptr<const access::Scope> scope;
  std::string token;        // the live session token presented, "" when anonymous
  bool via_cookie = false;  // the session came from the cookie (not a Bearer header)
};

// Resolves the caller of a request (server/auth_endpoint.hpp make_caller_resolver). May throw
// HttpError (401 for a presented-but-invalid Bearer token, 403 for a CSRF failure), answered like
// a handler's error.
using CallerResolver = std::function<Caller(const Request& req, std::string_view peer)>;

// Thread-safe when the router's handlers are (handle() itself keeps no state).
class RequestHandler {
 public:
  // `router` is borrowed and must outlive the handler; it must not change while serving.
  explicit RequestHandler(const Router& router) noexcept : m_router(&router) {}
  // With a resolver, every request's caller (scope, session) is resolved before routing.
  RequestHandler(const Router& router, CallerResolver resolver) noexcept
      : m_router(&router), m_resolver(std::move(resolver)) {}

  // The complete answer to `req`, with status, Content-Type, Content-Length, Server,
  // X-Content-Type-Options and Connection set (finalize_response). HEAD requests get the GET
  // answer's headers without a body. Unknown paths → 404, known path with another method →
  // 405 with an Allow header; a target not starting with '/', holding a NUL or a "."/".."
  // segment → 400. Never throws (std::bad_alloc aside, which terminates).
  // `peer` is the client's IP address (no port), "" when unknown. A 401 carries
  // WWW-Authenticate: Bearer.
  Response handle(const Request& req, std::string_view peer = {}) const noexcept;

 private:
  Response dispatch(const Request& req, std::string_view peer) const;
  const Router* m_router;
  CallerResolver m_resolver;
};

}  // namespace minqing::server
