#pragma once
// The one in-process HTTP client of the server tests: requests handed straight to App::handle (no
// socket), signing in as a demo account (access/demo_accounts.hpp, password minqing-demo), GET and
// POST with a Bearer token or the session cookie, the status and the JSON body of an answer, and the
// App's audit log as lines. Every request carries Host: 127.0.0.1:8080, as curl against the
// default listen address would send it.
//
// Not thread-safe where it caches (DemoTokens); the free functions are.

#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/audit_log.hpp"
#include "access/demo_accounts.hpp"
#include "server/app.hpp"
#include "server/auth_endpoint.hpp"
#include "server/public_url.hpp"
#include "support/app_options.hpp"

namespace minqing::test {

inline constexpr const char* kDemoHost = "127.0.0.1:8080";
inline constexpr const char* kDemoPeer = "192.0.2.1";  // the client address App::handle is given

// Options for an App over the committed sample with the demo accounts (files in a scratch
// directory of their own: app_options.hpp).
inline server::AppOptions demo_app_options(const std::string& name) {
  server::AppOptions o = sample_app_options(name);
  o.demo_accounts = true;
  return o;
}

inline int status(const server::Response& r) { return static_cast<int>(r.result_int()); }

// The body as JSON. @throws nlohmann::json::parse_error when it is not.
inline nlohmann::json json_body(const server::Response& r) { return nlohmann::json::parse(r.body()); }

// `s` percent-encoded for a query string: letters, digits, '-', '.', '_' kept, every other byte %XX.
inline std::string enc(const std::string& s) { return server::percent_encode(s); }

// A bare request: HTTP/1.1, Host set, nothing else.
inline server::Request request(server::http::verb v, const std::string& target) {
  server::Request req{v, target, 11};
  req.set(server::http::field::host, kDemoHost);
  return req;
}

// How a request is authenticated: nothing (anonymous), a Bearer token, or the session cookie (a
// write by cookie also sends the CSRF header X-Requested-With: minqing).
struct Auth {
  std::string token;
  bool by_cookie = false;
  Auth() = default;
  Auth(std::string t) : token(std::move(t)) {}  // NOLINT: a token converts, as in get(app, target, token)
  Auth(const char* t) : token(t) {}             // NOLINT
  static Auth cookie(std::string t) {
    Auth a(std::move(t));
    a.by_cookie = true;
    return a;
  }
};

inline server::Response send(const server::App& app, server::Request req, const Auth& auth = {},
                             std::string_view peer = kDemoPeer) {
  if (!auth.token.empty()) {
    if (auth.by_cookie) {
      req.set(server::http::field::cookie, std::string(server::kSessionCookie) + "=" + auth.token);
      if (req.method() != server::http::verb::get && req.method() != server::http::verb::head)
        req.set("X-Requested-With", "minqing");
    } else {
      req.set(server::http::field::authorization, "Bearer " + auth.token);
    }
  }
  return app.handle(req, peer);
}

inline server::Response get(const server::App& app, const std::string& target, const Auth& auth = {},
                            std::string_view peer = kDemoPeer) {
  return send(app, request(server::http::verb::get, target), auth, peer);
}

// POST `body` with Content-Type `type` (none when null).
inline server::Response post(const server::App& app, const std::string& target, const std::string& body,
                             const Auth& auth = {}, std::string_view peer = kDemoPeer,
                             const char* type = "application/json") {
  server::Request req = request(server::http::verb::post, target);
  if (type) req.set(server::http::field::content_type, type);
  req.body() = body;
  req.prepare_payload();
  return send(app, std::move(req), auth, peer);
}

// POST /api/login with a username and password, as the web application sends it.
inline server::Response login(const server::App& app, const std::string& user, const std::string& password,
                              std::string_view peer = kDemoPeer) {
  return post(app, "/api/login", nlohmann::json{{"username", user}, {"password", password}}.dump(), {}, peer);
}

// Signs in as the demo account `user` and returns the session token; the login must answer 200.
inline std::string sign_in(const server::App& app, const std::string& user, std::string_view peer = kDemoPeer) {
  const server::Response r = login(app, user, access::kDemoPassword, peer);
  INFO("sign in as " << user << " → " << r.body());
  REQUIRE(status(r) == 200);
  return json_body(r).at("token").get<std::string>();
}

// One sign-in per demo user, remembered: "" (anonymous) gives "".
class DemoTokens {
 public:
  DemoTokens(const server::App& app, std::string peer) : m_app(app), m_peer(std::move(peer)) {}
  const std::string& operator()(const std::string& user) {
    if (user.empty()) return m_none;
    if (auto it = m_tokens.find(user); it != m_tokens.end()) return it->second;
    return m_tokens[user] = sign_in(m_app, user, m_peer);
  }

 private:
  const server::App& m_app;
  std::string m_peer;
  std::string m_none;
  std::map<std::string, std::string> m_tokens;
};

// Every complete line of the App's audit log, oldest first, across rotated files.
inline std::vector<std::string> audit_lines(const server::App& app) {
  std::vector<std::string> out;
  app.audit_log().scan(0, UINT64_MAX, [&](std::uint64_t, std::string_view line) { out.emplace_back(line); });
  return out;
}

inline std::vector<nlohmann::json> audit_entries(const server::App& app) {
  std::vector<nlohmann::json> out;
  for (const auto& l : audit_lines(app)) out.push_back(nlohmann::json::parse(l));
  return out;
}

}  // namespace minqing::test
