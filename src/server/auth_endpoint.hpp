#pragma once
// Sessions over HTTP (issue 4), and the one place a request's caller is resolved.
//   POST /api/login   JSON {"username","password"} → 200 {"token","user","role","expires"} and
//                     Set-Cookie minqing_session=<token>; HttpOnly; SameSite=Strict; Path=/;
//                     Max-Age=<session lifetime>. `Secure` is not set: the server speaks plain
//                     HTTP (put TLS in front of it and add Secure there). 401 with one identical
//                     body for an unknown user, a wrong password or a disabled account; 429 with
//                     Retry-After while locked out; 400 for a body that is not a small JSON object
//                     with string username and password; 415 when not sent as application/json
//                     (a cross-site HTML form cannot send that without a CORS preflight).
//   POST /api/logout  ends the caller's session (if any), expires the cookie → 204.
//   GET  /api/me      who the caller is and what it may see (access/scope_description.hpp).
// Every login and failed login, and every logout, is appended to the audit log. Time (expiry,
// lockout, audit stamps) is the request's RequestContext::now, from the App's clock.
//
// Resolving the caller (resolve_caller, run by the RequestHandler before routing):
//   - `Authorization: Bearer <token>` when present, else the `minqing_session` cookie;
//   - a live session → Scope::for_user; none → Scope::anonymous (the policy's `public` role);
//   - a Bearer token that is presented but invalid, expired, revoked or forged → 401 (an API
//     client that believes it is signed in must learn that it is not, rather than silently get
//     the public view); an Authorization header of any other scheme → 401 too;
//   - an invalid cookie → anonymous (a browser with a stale cookie simply sees the public map);
//   - an account whose assignment cannot define its role's area → 403, never a wider scope;
//   - CSRF: a POST/PUT/PATCH/DELETE authenticated by the cookie must carry
//     `X-Requested-With: minqing`, else 403. /api/login is exempt (it has no session yet and
//     requires application/json). Bearer requests are exempt: browsers never add that header.
//
// Thread-safety: the handlers and the resolver may run concurrently (AuthDb and AuditLog are).

#include <memory>
#include <string>

#include "access/audit_log.hpp"
#include "access/auth_db.hpp"
#include "access/policy.hpp"
#include "access/scope.hpp"
#include "access/user_scopes.hpp"
#include "model/layer_catalog.hpp"
#include "server/request_handler.hpp"
#include "server/router.hpp"

namespace minqing::server {

inline constexpr const char* kSessionCookie = "minqing_session";
inline constexpr const char* kCsrfHeader = "X-Requested-With";
inline constexpr const char* kCsrfValue = "minqing";

// What the auth endpoints and the resolver use; owned by the App, which outlives the routes.
struct AuthService {
  const access::Policy& policy;
  const model::LayerCatalog& catalog;
  access::AuthDb& db;
  access::AuditLog& audit;
  std::shared_ptr<const access::Scope> anonymous;  // Scope::anonymous(policy), built once
  // Signed-in callers' scopes, built once per account state; null: built per request.
  std::shared_ptr<access::UserScopes> user_scopes = nullptr;
};

// The caller of `req` at time `now` (rules above). @throws HttpError 401 / 403 as above.
Caller resolve_caller(AuthService& service, const Request& req, access::TimePoint now);

CallerResolver make_caller_resolver(AuthService& service);

void add_auth_routes(Router& router, AuthService& service);

}  // namespace minqing::server
