#pragma once
// The signal that a request would hold a server io thread for long.
//
// Each io thread of the HTTP server runs its own connections (server/http_server.hpp): a handler
// that took tens of milliseconds there — a cold tile's metatile draw, a PDF sheet, an edit's
// fsync, a login's password hash — would stall every other connection of that thread. So the
// server calls RequestHandler::handle with RequestContext::may_block false on an io thread, and a
// request that would block is stopped there in one of two ways:
//   - a route not registered Pace::quick (server/router.hpp) is stopped by the request handler
//     itself, after matching and before the caller is resolved or the handler called: safe by
//     default, no handler can forget;
//   - a quick route whose handler is quick only sometimes (a tile: a cache hit is, a miss is
//     not) checks may_block before its slow part and throws WouldBlock.
// Either way RequestHandler::handle reports it (*would_block) and the server runs the same request
// again on its blocking pool, with may_block true, then writes the answer from the connection's
// own thread. The first call's side effects must be none or repeatable: for a slow route there are
// none; for a quick route the caller was resolved once already (repeatable: a session's last-seen
// time is only moved forward) and the audit entries it collected are dropped (the second call
// collects them again), and nothing else may have been written before the throw.
//
// Not derived from std::exception, so that no `catch (const std::exception&)` on the way turns it
// into a 500.

namespace minqing::server {

struct WouldBlock {};

}  // namespace minqing::server
