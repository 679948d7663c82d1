#pragma once
// The auth database: accounts, sessions and login attempts in one SQLite file, apart from the map
// store (ARCHITECTURE.md "Data"). Every statement is prepared from a literal and bound; no SQL is
// ever built from input text. The file is created readable by its owner only (0600).
//
// Passwords: Argon2id (access/password_hash.hpp). Sessions: random 256-bit tokens stored only as
// SHA-256 (access/session_token.hpp). Logins are throttled: after `max_account_failures` failures
// for one username, or `max_address_failures` from one address, within `failure_window`, further
// attempts are refused without checking the password until `lockout` has passed since the last
// failure. Unknown usernames are checked against a dummy hash and throttled like real ones, so
// neither timing nor lockout tells whether an account exists.
//
// Time is always passed in (`now`), so that tests need no sleeping.
//
// Thread-safety: one AuthDb may be shared by all threads; a mutex guards the connection, and
// password hashing runs outside it (at most four at once). Several processes may open the same
// file (the server and `minqing user …`): SQLite's WAL mode and a busy timeout serialise writes.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/assignment.hpp"
#include "access/password_hash.hpp"

namespace minqing::access {

class Scope;
class UserScopes;

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string role;
  Assignment assignment;
  bool disabled = false;
  TimePoint created_at;
  TimePoint updated_at;
};

struct Session {
  std::int64_t id = 0;  // the row id, for logs; never the token
  User user;
  TimePoint created_at;
  TimePoint expires_at;
  TimePoint last_seen_at;
};

struct LoginResult {
  enum class Status { ok, bad_credentials, locked, disabled };
  Status status = Status::bad_credentials;
  std::optional<User> user;             // set when ok
  std::chrono::seconds retry_after{0};  // set when locked
};

std::string_view to_string(LoginResult::Status s) noexcept;

struct AuthOptions {
  PasswordCost cost = PasswordCost::interactive();
  int max_account_failures = 5;
  int max_address_failures = 20;
  std::chrono::seconds failure_window = std::chrono::minutes(15);
  std::chrono::seconds lockout = std::chrono::minutes(15);
  std::chrono::seconds session_lifetime = std::chrono::hours(12);  // absolute
  std::chrono::seconds session_idle = std::chrono::hours(2);       // since last seen
};

class AuthDb {
 public:
  // Opens `path`, creating it (mode 0600) and its schema when absent and migrating an older schema.
  // @throws StoreError naming the file when it cannot be opened, is not an auth database, or was
  //         written by a newer version.
  static std::unique_ptr<AuthDb> open(const std::filesystem::path& path, AuthOptions options = {});

  ~AuthDb();
  AuthDb(const AuthDb&) = delete;
  AuthDb& operator=(const AuthDb&) = delete;

  const AuthOptions& options() const noexcept;
  const std::filesystem::path& path() const noexcept;

  // Creates an account. @throws DataError when the username is taken or malformed (empty, longer
  // than 64 bytes, control characters), the role is not one of known_roles(), the assignment is
  // malformed, or password_problem() refuses the password.
  User create_user(const std::string& username, std::string_view password, const std::string& role,
                   const Assignment& assignment, TimePoint now);

  // Sets a new password and ends every session of the account. @throws DataError for an unknown
  // user or a refused password.
  void set_password(const std::string& username, std::string_view password, TimePoint now);

  // Disables (or re-enables) an account; disabling ends its sessions. @throws DataError when
  // unknown.
  void set_disabled(const std::string& username, bool disabled, TimePoint now);
  void disable_user(const std::string& username, TimePoint now) {
    set_disabled(username, true, now);
  }

  // Every account, by username. Never holds a hash.
  std::vector<User> list_users() const;
  std::optional<User> find_user(const std::string& username) const;

  // Checks a login. Never throws for any input text; @throws StoreError when the database fails.
  LoginResult authenticate(const std::string& username, std::string_view password,
                           const std::string& client_address, TimePoint now);

  // A new session for `user`; returns the token, which is not stored and cannot be recovered.
  std::string create_session(const User& user, TimePoint now);

  // The live session a token names, with its user as now stored; nullopt for a token of the
  // wrong shape, an unknown, expired, idle, revoked token or a disabled user. A session found
  // expired or idle is deleted, so that a clock stepping back later cannot revive it.
  // Refreshes last seen, but writes it at most once a minute per session (a read-only lookup
  // otherwise): a session idle for `session_idle` therefore ends up to a minute early, never late.
  std::optional<Session> resolve_session(std::string_view token, TimePoint now);

  // The access scope of the session `token` names: `scopes.of(user)` for the session's user as
  // resolve_session(token, now) returns it, null when that returns nullopt. The scope is kept with
  // the session held in memory and answers as long as that session does — no longer (a logout, a
  // new password, a disable, an expiry, a re-read that sees a changed role or assignment) — so that
  // a signed-in request copies no session and builds no scope key (issue 12, warm cache).
  // @throws what UserScopes::of throws (ConfigError: an assignment that does not fit the role),
  // every time, as nothing is kept then. Thread-safe; `scopes` must outlive this database.
  std::shared_ptr<const Scope> resolve_session_scope(std::string_view token, TimePoint now, UserScopes& scopes);

  // Ends the session; false when the token named none.
  bool revoke_session(std::string_view token, TimePoint now);
  // Ends every session of the account; returns how many.
  int revoke_user_sessions(std::int64_t user_id, TimePoint now);

 private:
  struct Impl;
  explicit AuthDb(std::unique_ptr<Impl> impl);
  // resolve_session with the token's session-cache key (SessionCache::Key) computed; `*generation`,
  // when given, is set to the cache entry the session came from or went into.
  std::optional<Session> resolve_keyed(std::string_view token, const std::array<unsigned char, 16>& key,
                                       TimePoint now, std::uint64_t* generation);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace minqing::access
