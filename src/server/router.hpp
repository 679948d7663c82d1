#pragma once
// Routing: (method, path pattern) → handler, with named path parameters.
//
// Pattern syntax, one rule per '/'-separated segment:
//   "layers"          a literal segment
//   "{z}"             a parameter: any non-empty segment
//   "{y}.png"         a parameter with a literal prefix and/or suffix ("{y}.png" matches
//   "27012.png"
//                     with y = "27012"; "v{n}" matches "v2"); one parameter per segment
//   "{rest*}"         last segment only: the remaining zero or more segments, joined with '/'
// Segments are matched after percent-decoding, so a parameter value may contain any character
// but '/' (and "." / ".." segments never reach the router: parse_target refuses them).
// A trailing slash is significant: "/api/layers/" does not match "/api/layers".
//
// Routes are tried in registration order; register a more specific pattern before a general
// one that overlaps it. A GET route answers HEAD too (the body is dropped by the request handler).
//
// Every route has a Pace (below): slow unless registered Pace::quick. On a server io thread the
// request handler sends a slow route's request to the server's blocking pool before its caller is
// resolved or its handler runs (server/would_block.hpp), so that no handler can forget to.
//
// Thread safety: add() during set-up only; once serving, match() and routes() may be called
// concurrently.

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http_types.hpp"
#include "server/target.hpp"

namespace minqing::access {
class Scope;
}

namespace minqing::server {

struct DeferredAudit;

// The values of a route's path parameters, decoded: views into the path segments that were
// matched (Router::match) and the route's pattern — no copies, as every request has some (issue 12)
// — except a {rest*} value, which joins segments and is held here. Valid while those segments and
// the router are, and `items` only until the next add().
class PathParams {
 public:
  static constexpr std::size_t kMaxParams = 8;  // in one pattern (Router::add refuses more)

  // The value of parameter `name`.
  // @throws std::out_of_range when the route's pattern has no such parameter (a programming error,
  // answered with 500).
  std::string_view at(std::string_view name) const;
  std::optional<std::string_view> find(std::string_view name) const noexcept;
  // Adds a parameter whose name and value outlive this object. @pre fewer than kMaxParams so far.
  void add(std::string_view name, std::string_view value) noexcept { m_items[m_count++] = {name, value}; }
  // Adds the {rest*} parameter, its value kept here.
  void add_rest(std::string_view name, std::string value) {
    m_rest = std::move(value);
    m_rest_index = m_count;
    m_items[m_count++] = {name, {}};
  }

 private:
  std::array<std::pair<std::string_view, std::string_view>, kMaxParams> m_items{};
  std::size_t m_count = 0;
  std::size_t m_rest_index = kMaxParams;  // none
  std::string m_rest;  // not viewed from m_items: a short string moves with this object
};

// Everything a handler gets about one request. References are valid for the handler call only.
// New per-request facts (the caller's access scope, the peer address) are added here as members,
// so that handler signatures never change.
struct RequestContext {
  const Request& request;
  const Target& target;
  const PathParams& params;
  // The caller's access scope, resolved once per request by the RequestHandler before routing
  // (server/auth_endpoint.hpp resolve_caller). Handlers never build their own; null only when the
  // handler was built without a resolver (router unit tests) — a handler that reads map data
  // refuses then (fail closed).
  std::shared_ptr<const access::Scope> scope = nullptr;
  // The client's IP address (no port), "" when unknown (a unit test calling handle()).
  std::string_view peer = {};
  // The session token the caller presented and that resolved to a live session; "" when
  // anonymous. For logout only: never log or echo it.
  std::string_view session_token = {};
  // The request's time by the server's clock (AppOptions::clock), read once by the RequestHandler:
  // session expiry, lockout and audit entries use it, never their own clock reading.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  // Where audit entries for confidential reads are collected for the answer to wait on
  // (server/deferred_audit.hpp); null when they are appended at once (unit tests calling handle()).
  std::vector<DeferredAudit>* deferred_audits = nullptr;
  // False on a server io thread, which serves many connections and must never be held for long.
  // Only a Pace::quick route's handler ever sees false (a slow route's request has already been
  // handed to the blocking pool); one that is quick only sometimes throws WouldBlock before its
  // slow part (a cold tile draw), and the server runs the request again on a thread that may
  // block (server/would_block.hpp). True elsewhere.
  bool may_block = true;
  // True when the server writes the answer to a socket itself and takes a cached tile's whole
  // answer, head and body prepared as one run of bytes (server/tile_answer.hpp). False for a
  // caller that reads the answer's fields (unit tests calling handle()).
  bool whole_answers = false;

  std::string_view param(std::string_view name) const { return params.at(name); }
  std::optional<std::string_view> query(std::string_view name) const noexcept {
    return target.query.get(name);
  }
};

// Where a route's handler may run in the server (server/would_block.hpp).
enum class Pace {
  // The default, for anything that may take long or has not been measured: a PDF, a route, a
  // write with its fsync, a password hash, a history read. On an io thread (RequestContext::
  // may_block false) the request is handed to the blocking pool before the caller is resolved
  // and before the handler runs; the handler is then called once, with may_block true.
  slow,
  // Measured to answer in well under a millisecond even at its worst, or checking may_block
  // itself and throwing WouldBlock before its slow part (a tile on a cache miss): runs on the io
  // thread, which saves the hand-over to the pool and back (~two thread wake-ups) per request.
  // Register a route quick only with a measurement behind it (tests/server/route_pace_test.cpp
  // lists them).
  quick,
};

// A handler answers one request. It may throw RequestError (→ 400), HttpError (→ its status) or
// anything else (→ 500, logged); status line version, keep-alive and the common headers are set
// by the request handler afterwards. Handlers are called concurrently from several threads.
using Handler = std::function<Response(const RequestContext&)>;

class Router {
 public:
  // Registers `handler` for `method` and `pattern` (syntax above), slow unless `pace` says quick.
  // @throws std::invalid_argument on a malformed pattern or a duplicate (method, pattern).
  void add(http::verb method, std::string_view pattern, Handler handler, Pace pace = Pace::slow);
  void get(std::string_view pattern, Handler handler, Pace pace = Pace::slow) {
    add(http::verb::get, pattern, std::move(handler), pace);
  }
  void post(std::string_view pattern, Handler handler, Pace pace = Pace::slow) {
    add(http::verb::post, pattern, std::move(handler), pace);
  }

  struct Match {
    const Handler* handler = nullptr;  // null: no route for this method (see below)
    Pace pace = Pace::slow;            // the chosen route's (HEAD: its GET route's)
    PathParams params;                // views into `segments` (PathParams above)
    bool path_known = false;          // some route matches the path (for another method: 405)
    // Without a handler only (the 405's Allow header): the methods the path answers, HEAD included
    // for GET. Not gathered when a route was found: a vector was a malloc on every request.
    std::vector<http::verb> allowed;
  };

  // The route for `method` on `segments` (from parse_target). HEAD falls back to the GET route.
  // The match's params view `segments`, which must outlive it.
  Match match(http::verb method, const std::vector<std::string>& segments) const;

  // Every route registered, in registration order: for tests that each was given its pace
  // deliberately.
  struct RouteInfo {
    http::verb method;
    std::string pattern;
    Pace pace;
  };
  std::vector<RouteInfo> routes() const;

  // "GET, HEAD, POST": the Allow header value for `methods`.
  static std::string allow_header(const std::vector<http::verb>& methods);

 private:
  struct Segment {
    enum class Kind { literal, param, rest } kind = Kind::literal;
    std::string text;  // the literal, or the parameter's name
    std::string prefix;
    std::string suffix;
  };
  struct Route {
    http::verb method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    Pace pace;
  };

  static std::vector<Segment> parse_pattern(std::string_view pattern);
  static bool match_route(const Route& route, const std::vector<std::string>& segments,
                          PathParams* params);

  std::vector<Route> m_routes;
  // The routes to try for a path, by its first segment: those whose pattern starts with that
  // literal, and those that start with a parameter (m_open_first) — indices into m_routes, in
  // registration order. Trying all ~45 routes was an eighth of a cached tile's user-space
  // instructions (issue 12, session 11).
  std::vector<std::pair<std::string, std::vector<std::size_t>>> m_by_first_literal;
  std::vector<std::size_t> m_open_first;
};

}  // namespace minqing::server
