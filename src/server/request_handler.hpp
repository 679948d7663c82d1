#pragma once
// The socket-free heart of the server: one complete request in, one complete response out.
// It validates the target, routes, calls the handler, and turns every failure into a JSON error
// (server/json_error.hpp). This is the ONE place where handler exceptions are caught:
//   RequestError            → 400, detail = its message
//   HttpError               → its status, detail = its message
//   anything else           → 500 with a generic detail, and one line on stderr
// A unit test calls handle() directly; HttpServer calls it for every request it reads.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_types.hpp"
#include "server/router.hpp"

namespace minqing::server {

// Who is calling: resolved once per request, before routing, and handed to the handler in its
// RequestContext.
struct Caller {
  std::shared_ptr<const access::Scope> scope;
  // The live session token presented, "" when anonymous: a view into the request's headers (not a
  // copy, a malloc per signed-in request), valid while the request is.
  std::string_view token;
  bool via_cookie = false;  // the session came from the cookie (not a Bearer header)
};

// Resolves the caller of a request (server/auth_endpoint.hpp make_caller_resolver) at time `now`
// (the request's time, RequestContext::now). May throw HttpError (401 for a presented-but-invalid
// Bearer token, 403 for a CSRF failure), answered like a handler's error.
using CallerResolver = std::function<Caller(const Request& req, std::string_view peer,
                                            std::chrono::system_clock::time_point now)>;

// The server's wall clock: what "now" is for session expiry, lockout and audit entries. Read once
// per request. Production uses std::chrono::system_clock::now; tests substitute a clock they move
// (AppOptions::clock), so that expiry and lockout can be tested over HTTP without sleeping.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

// Thread-safe when the router's handlers are (handle() itself keeps no state).
class RequestHandler {
 public:
  // `router` is borrowed and must outlive the handler; it must not change while serving.
  explicit RequestHandler(const Router& router) noexcept : m_router(&router) {}
  // With a resolver, every request's caller (scope, session) is resolved before routing. `clock`
  // gives each request its time; empty means std::chrono::system_clock::now.
  RequestHandler(const Router& router, CallerResolver resolver, WallClock clock = {}) noexcept
      : m_router(&router), m_resolver(std::move(resolver)), m_clock(std::move(clock)) {}

  // The complete answer to `req`, with status, Content-Type, Content-Length, Server,
  // X-Content-Type-Options and Connection set (finalize_response). HEAD requests get the GET
  // answer's headers without a body. Unknown paths → 404, known path with another method →
  // 405 with an Allow header; a target not starting with '/', holding a NUL or a "."/".."
  // segment → 400. Never throws (std::bad_alloc aside, which terminates).
  // `peer` is the client's IP address (no port), "" when unknown. A 401 carries
  // WWW-Authenticate: Bearer.
  Response handle(const Request& req, std::string_view peer = {}) const noexcept;

  // The same answer for the server, which must not hold a thread while a confidential read's audit
  // entries reach the disk: when the answer needs none it is returned; otherwise the entries are
  // queued (AuditLog::append_async), nothing is returned, and `later` gets the answer once they are
  // durable — or a 500 in its place when one could not be written, so that nothing confidential is
  // served unrecorded. `later` runs on the audit log's writer thread: it must only hand the answer
  // to its connection.
  //
  // On a server io thread, `may_block` is false: a route not registered Pace::quick is not run
  // at all — neither its caller resolved nor its handler called — and a quick route's handler
  // that would hold the thread for long (a cold tile draw, server/would_block.hpp) stops instead;
  // then nothing is returned, nothing is queued, `later` is never called and `*would_block` is
  // set — call handle() again for the same request, with may_block true, on a thread that may
  // block. Without `would_block` to report it, a request that would block is answered 500 (a
  // caller's bug, never a dereferenced null).
  //
  // `whole_answers`: the caller writes answers to a socket itself and takes a cached tile's whole
  // answer — its head kept formatted in front of its bytes (server/tile_answer.hpp) — as a
  // Response whose body says whole() and which has no fields. The server's sessions do; a test
  // that reads an answer's fields does not.
  using Later = std::function<void(Response)>;
  // `later` is copied only when the answer waits for audit entries (a copy is a malloc).
  std::optional<Response> handle(const Request& req, std::string_view peer, const Later& later, bool may_block = true,
                                 bool* would_block = nullptr, bool whole_answers = false) const noexcept;
  // The same, with `later` made by `make_later` only when the answer waits for audit entries: the
  // server's `later` holds its connection (a shared_ptr, too big for std::function's own room), and
  // making one for every request was a malloc a request (issue 12). `make_later` is called at most
  // once, before handle() returns.
  using MakeLater = std::function<Later()>;
  std::optional<Response> handle(const Request& req, std::string_view peer, const MakeLater& make_later,
                                 bool may_block = true, bool* would_block = nullptr,
                                 bool whole_answers = false) const noexcept;

 private:
  Response dispatch(const Request& req, std::string_view peer, std::vector<DeferredAudit>* deferred, bool may_block,
                    bool whole_answers) const;
  Response answer(const Request& req, std::string_view peer, std::vector<DeferredAudit>* deferred, bool may_block = true,
                  bool* would_block = nullptr, bool whole_answers = false) const noexcept;
  const Router* m_router;
  CallerResolver m_resolver;
  WallClock m_clock;
};

}  // namespace minqing::server
