#include "server/auth_endpoint.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "access/scope_description.hpp"
#include "base/error.hpp"
#include "server/cache_policy.hpp"
#include "server/http_error.hpp"
#include "server/json_error.hpp"
#include "server/response.hpp"

namespace minqing::server {

namespace {

constexpr std::size_t kMaxLoginBody = 4096;
constexpr std::size_t kMaxAuditUsername = 64;
constexpr const char* kBadCredentials = "wrong username or password";

// ASCII letters without case, as HTTP compares auth schemes and media types (std::tolower was a
// libc call a character, on every signed-in request: issue 12).
bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of the session cookie among all Cookie headers, if any: a view into the request.
std::optional<std::string_view> session_cookie(const Request& req) {
  const std::string_view name = kSessionCookie;
  for (auto it = req.find(http::field::cookie); it != req.end() && it->name() == http::field::cookie; ++it) {
    std::string_view header = to_std(it->value());
    while (!header.empty()) {
      const auto semi = header.find(';');
      const std::string_view pair = trim(header.substr(0, semi));
      header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (trim(pair.substr(0, eq)) == name) return trim(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

bool state_changing(http::verb v) {
  return v == http::verb::post || v == http::verb::put || v == http::verb::patch || v == http::verb::delete_;
}

std::string_view request_path(const Request& req) {
  std::string_view t = to_std(req.target());
  return t.substr(0, t.find('?'));
}

std::string cookie_header(const std::string& value, long long max_age) {
  // No `Secure`: the server speaks plain HTTP; a TLS front end should add it.
  return std::string(kSessionCookie) + "=" + value + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" +
         std::to_string(max_age);
}

// Sessions and accounts are personal: no cache anywhere keeps them (server/cache_policy.hpp).
void no_store(Response& res) { set_no_store(res); }

const access::Scope& scope_of(const RequestContext& ctx) {
  if (!ctx.scope) throw HttpError(http::status::internal_server_error, "internal error: no access scope");
  return *ctx.scope;
}

void audit(AuthService& s, const RequestContext& ctx, const std::string& user, const char* action,
           nlohmann::json detail) {
  access::AuditRecord rec;
  rec.user = user;
  rec.address = std::string(ctx.peer);
  rec.action = action;
  rec.detail = std::move(detail);
  s.audit.append(rec, ctx.now);
}

Response login(AuthService& s, const RequestContext& ctx) {
  const auto type = to_std(ctx.request[http::field::content_type]);
  const auto semi = type.find(';');
  if (!iequals(trim(type.substr(0, semi)), "application/json")) {
    throw HttpError(http::status::unsupported_media_type, "send the login as application/json");
  }
  const std::string& body = ctx.request.body();
  if (body.size() > kMaxLoginBody) throw RequestError("the login body is too large");
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw RequestError("the login body must be a JSON object");
  const auto u = doc.find("username");
  const auto p = doc.find("password");
  if (u == doc.end() || !u->is_string() || p == doc.end() || !p->is_string()) {
    throw RequestError("username and password are required, as strings");
  }
  const std::string username = u->get<std::string>();
  const std::string password = p->get<std::string>();
  if (username.empty() || password.empty()) throw RequestError("username and password are required, as strings");

  const auto now = ctx.now;
  const std::string peer(ctx.peer.empty() ? "-" : ctx.peer);
  const access::LoginResult r = s.db.authenticate(username, password, peer, now);
  std::string audit_name = username.substr(0, kMaxAuditUsername);
  if (r.status == access::LoginResult::Status::locked) {
    audit(s, ctx, audit_name, access::audit_action::login_failed, {{"reason", "locked"}});
    const long long retry = std::max<long long>(1, r.retry_after.count());
    Response res = json_error(http::status::too_many_requests,
                              "too many failed logins; try again in " + std::to_string(retry) + " s");
    res.set(http::field::retry_after, std::to_string(retry));
    no_store(res);
    return res;
  }
  if (r.status != access::LoginResult::Status::ok || !r.user) {
    // One answer for an unknown user, a wrong password and a disabled account; the audit log
    // keeps the reason.
    audit(s, ctx, audit_name, access::audit_action::login_failed,
          {{"reason", std::string(access::to_string(r.status))}});
    Response res = json_error(http::status::unauthorized, kBadCredentials);
    no_store(res);
    return res;
  }
  // Audit first: when the log cannot be written, no session is opened.
  audit(s, ctx, r.user->username, access::audit_action::login, {{"role", r.user->role}});
  const std::string token = s.db.create_session(*r.user, now);
  const auto lifetime = s.db.options().session_lifetime;
  Response res = json_response({{"token", token},
                                {"user", r.user->username},
                                {"role", r.user->role},
                                {"expires", access::iso8601_utc(now + lifetime)}});
  res.set(http::field::set_cookie, cookie_header(token, static_cast<long long>(lifetime.count())));
  no_store(res);
  return res;
}

Response logout(AuthService& s, const RequestContext& ctx) {
  const access::Scope& scope = scope_of(ctx);
  if (!ctx.session_token.empty()) {
    s.db.revoke_session(ctx.session_token, ctx.now);
    audit(s, ctx, scope.user(), access::audit_action::logout, nlohmann::json::object());
  }
  Response res(http::status::no_content, 11);
  res.set(http::field::set_cookie, cookie_header("", 0));
  no_store(res);
  return res;
}

Response me(AuthService& s, const RequestContext& ctx) {
  Response res = json_response(access::describe(scope_of(ctx), s.catalog));
  no_store(res);
  return res;
}

}  // namespace

Caller resolve_caller(AuthService& s, const Request& req, access::TimePoint now) {
  Caller caller;
  std::optional<std::string_view> token;  // a view into the request's headers
  bool bearer = false;
  if (const auto it = find_field(req, http::field::authorization); it != req.end()) {
    const std::string_view value = trim(to_std(it->value()));
    const auto space = value.find(' ');
    if (space == std::string_view::npos || !iequals(value.substr(0, space), "Bearer")) {
      throw HttpError(http::status::unauthorized, "use Authorization: Bearer <token> from POST /api/login");
    }
    token = trim(value.substr(space + 1));
    bearer = true;
  } else {
    token = session_cookie(req);
  }
  if (token && !token->empty()) {
    std::shared_ptr<const access::Scope> scope;
    try {
      if (s.user_scopes) {
        // Kept with the session in memory and dropped with it (AuthDb::resolve_session_scope).
        scope = s.db.resolve_session_scope(*token, now, *s.user_scopes);
      } else if (auto session = s.db.resolve_session(*token, now)) {
        const access::User& u = session->user;
        scope = std::make_shared<const access::Scope>(
            access::Scope::for_user(s.policy, u.username, u.role, u.assignment));
      }
    } catch (const ConfigError&) {
      throw HttpError(http::status::forbidden,
                      "this account's assignment does not fit its role; ask an administrator");
    }
    if (scope) {
      caller.scope = std::move(scope);
      caller.token = *token;
      caller.via_cookie = !bearer;
    } else if (bearer) {
      throw HttpError(http::status::unauthorized, "the session token is invalid or has expired; sign in again");
    }
  } else if (bearer) {
    throw HttpError(http::status::unauthorized, "the session token is invalid or has expired; sign in again");
  }
  if (!caller.scope) caller.scope = s.anonymous;
  if (caller.via_cookie && state_changing(req.method()) && request_path(req) != "/api/login") {
    const auto it = req.find(kCsrfHeader);
    if (it == req.end() || to_std(it->value()) != kCsrfValue) {
      throw HttpError(http::status::forbidden, std::string("a change made with the session cookie needs the header ") +
                                                   kCsrfHeader + ": " + kCsrfValue);
    }
  }
  return caller;
}

CallerResolver make_caller_resolver(AuthService& service) {
  return [&service](const Request& req, std::string_view, access::TimePoint now) {
    return resolve_caller(service, req, now);
  };
}

void add_auth_routes(Router& router, AuthService& service) {
  router.post("/api/login", [&service](const RequestContext& ctx) { return login(service, ctx); });
  router.post("/api/logout", [&service](const RequestContext& ctx) { return logout(service, ctx); });
  // Quick: the caller's scope described from the catalog (16 us at most as a county administrator on
  // the county store); the web map asks it on every load. Login and logout write (a password hash,
  // a session row): slow.
  router.get("/api/me", [&service](const RequestContext& ctx) { return me(service, ctx); }, Pace::quick);
}

}  // namespace minqing::server
