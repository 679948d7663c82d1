#pragma once
// The signal a handler gives when it would hold a server io thread for long.
//
// Each io thread of the HTTP server runs its own connections (server/http_server.hpp): a handler
// that took tens of milliseconds there — a cold tile's metatile draw — would stall every other
// connection of that thread. So a handler called with RequestContext::may_block false checks, before
// slow work, and throws WouldBlock instead of doing it; RequestHandler::handle reports it
// (HandleResult::would_block) and the server calls the handler again, for the same request, on its
// blocking pool, then writes the answer from the connection's own thread. The first call's side
// effects must be none or repeatable: the audit entries it collected are dropped (the second call
// collects them again), and nothing else may have been written.
//
// Not derived from std::exception, so that no `catch (const std::exception&)` on the way turns it
// into a 500.

namespace minqing::server {

struct WouldBlock {};

}  // namespace minqing::server
