#include "access/auth_db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <semaphore>
#include <sstream>

#include <sqlite3.h>

#include "access/crypto.hpp"
#include "access/policy.hpp"
#include "access/session_cache.hpp"
#include "access/session_token.hpp"
#include "access/user_scopes.hpp"
#include "base/error.hpp"

namespace minqing::access {

std::string_view to_string(LoginResult::Status s) noexcept {
  switch (s) {
    case LoginResult::Status::ok:
      return "ok";
    case LoginResult::Status::bad_credentials:
      return "bad_credentials";
    case LoginResult::Status::locked:
      return "locked";
    case LoginResult::Status::disabled:
      return "disabled";
  }
  return "?";
}

namespace {

constexpr int kSchemaVersion = 1;

std::int64_t to_unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint from_unix(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

// A prepared statement over a literal; values are bound, never spliced.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql, const std::string& file) : m_db(db), m_file(file) {
    if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) fail("prepare");
  }
  // A statement of the per-request path, prepared once into `*cache` (owned by the caller, who
  // finalizes it) and reset for reuse when this object ends: parsing the SQL was a third of a
  // session lookup. The caller's mutex must be held for this object's whole life.
  Stmt(sqlite3* db, sqlite3_stmt** cache, const char* sql, const std::string& file)
      : m_db(db), m_file(file), m_cached(true) {
    if (!*cache && sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, cache, nullptr) != SQLITE_OK)
      fail("prepare");
    m_stmt = *cache;
  }
  ~Stmt() {
    if (!m_cached) {
      sqlite3_finalize(m_stmt);
    } else if (m_stmt) {
      sqlite3_reset(m_stmt);
      sqlite3_clear_bindings(m_stmt);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(m_stmt, i, v));
    return *this;
  }
  Stmt& bind(int i, std::string_view v) {
    check(sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  // True while a row is available; false when done.
  bool step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  void run() {
    while (step()) {
    }
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(m_stmt, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
             : std::string();
  }
  bool is_null(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail("bind");
  }
  [[noreturn]] void fail(const char* what) const {
    throw StoreError("auth database " + m_file + ": " + what + ": " + sqlite3_errmsg(m_db));
  }
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
  const std::string& m_file;
  bool m_cached = false;
};

std::string join_grids(const std::vector<std::string>& grids) {
  std::string out;
  for (const auto& g : grids) out += (out.empty() ? "" : " ") + g;
  return out;
}

std::vector<std::string> split_grids(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string g; in >> g;) out.push_back(g);
  return out;
}

std::optional<std::string> username_problem(const std::string& name) {
  if (name.empty()) return "the username is empty";
  if (name.size() > 64) return "the username is longer than 64 bytes";
  for (char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return "the username holds a control character";
  }
  return std::nullopt;
}

// The user columns every user query selects, in this order.
#define MINQING_USER_COLUMNS                                                                     \
  "u.id, u.username, u.role, u.township, u.village_code, u.grid_ids, u.disabled, u.created_at, " \
  "u.updated_at"

User read_user(const Stmt& s, int first) {
  User u;
  u.id = s.integer(first);
  u.username = s.text(first + 1);
  u.role = s.text(first + 2);
  u.assignment.township = s.text(first + 3);
  u.assignment.village_code = s.text(first + 4);
  u.assignment.grid_ids = split_grids(s.text(first + 5));
  u.disabled = s.integer(first + 6) != 0;
  u.created_at = from_unix(s.integer(first + 7));
  u.updated_at = from_unix(s.integer(first + 8));
  return u;
}

}  // namespace

struct AuthDb::Impl {
  std::filesystem::path path;
  std::string file;
  AuthOptions options;
  mutable std::mutex mutex;  // guards db
  sqlite3* db = nullptr;
  std::counting_semaphore<4> hashing{4};
  std::once_flag dummy_once;
  std::string dummy_hash;

  // Statements of resolve_session (run on every signed-in request), prepared once; guarded by mutex.
  sqlite3_stmt* resolve_stmt = nullptr;
  // Transactions committed through `db` (a commit hook counts them): any of them may have ended a
  // session or changed an account, so it makes every cached session stale.
  std::atomic<std::uint64_t> commits{0};
  SessionCache sessions;
  sqlite3_stmt* touch_stmt = nullptr;

  ~Impl() {
    sqlite3_finalize(resolve_stmt);
    sqlite3_finalize(touch_stmt);
    if (db) sqlite3_close_v2(db);
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw StoreError("auth database " + file + ": " + msg);
    }
  }

  void migrate() {
    Stmt v(db, "PRAGMA user_version", file);
    v.step();
    const auto version = v.integer(0);
    if (version > kSchemaVersion) {
      throw StoreError("auth database " + file + ": schema version " + std::to_string(version) +
                       " is newer than this program understands (" +
                       std::to_string(kSchemaVersion) + ")");
    }
    if (version == 0) {
      Stmt t(db,
             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
             file);
      t.step();
      if (t.integer(0) != 0)
        throw StoreError("auth database " + file +
                         ": the file holds other tables; not an auth database");
      exec(
          "BEGIN IMMEDIATE;"
          "CREATE TABLE users ("
          "  id INTEGER PRIMARY KEY,"
          "  username TEXT NOT NULL UNIQUE,"
          "  password_hash TEXT NOT NULL,"
          "  role TEXT NOT NULL,"
          "  township TEXT NOT NULL DEFAULT '',"
          "  village_code TEXT NOT NULL DEFAULT '',"
          "  grid_ids TEXT NOT NULL DEFAULT '',"
          "  disabled INTEGER NOT NULL DEFAULT 0,"
          "  created_at INTEGER NOT NULL,"
          "  updated_at INTEGER NOT NULL);"
          "CREATE TABLE sessions ("
          "  id INTEGER PRIMARY KEY,"
          "  token_hash TEXT NOT NULL UNIQUE,"
          "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
          "  created_at INTEGER NOT NULL,"
          "  expires_at INTEGER NOT NULL,"
          "  last_seen_at INTEGER NOT NULL,"
          "  revoked INTEGER NOT NULL DEFAULT 0);"
          "CREATE INDEX sessions_user ON sessions(user_id);"
          "CREATE TABLE login_attempts ("
          "  id INTEGER PRIMARY KEY,"
          "  username TEXT NOT NULL,"
          "  address TEXT NOT NULL,"
          "  at INTEGER NOT NULL,"
          "  outcome TEXT NOT NULL);"  // pending | ok | failed | locked | disabled
          "CREATE INDEX login_attempts_user ON login_attempts(username, at);"
          "CREATE INDEX login_attempts_address ON login_attempts(address, at);"
          "PRAGMA user_version = 1;"
          "COMMIT;");
    }
  }

  // Seconds until a new attempt is allowed; 0 when it is.
  std::int64_t locked_for(const std::string& username, const std::string& address,
                          std::int64_t now) {
    const std::int64_t window_start = now - options.failure_window.count();
    std::int64_t wait = 0;
    {
      // Failures for the account since the window opened and since its last good login.
      Stmt s(db,
             "SELECT count(*), max(at) FROM login_attempts WHERE username = ?1 AND outcome IN "
             "('failed', 'pending') "
             "AND at > ?2 AND at > coalesce((SELECT max(at) FROM login_attempts WHERE username = "
             "?1 AND outcome = 'ok'), -1)",
             file);
      s.bind(1, username).bind(2, window_start);
      s.step();
      if (s.integer(0) >= options.max_account_failures)
        wait = std::max(wait, s.integer(1) + options.lockout.count() - now);
    }
    if (!address.empty()) {
      Stmt s(db,
             "SELECT count(*), max(at) FROM login_attempts WHERE address = ?1 AND outcome IN "
             "('failed', 'pending') AND at > ?2",
             file);
      s.bind(1, address).bind(2, window_start);
      s.step();
      if (s.integer(0) >= options.max_address_failures)
        wait = std::max(wait, s.integer(1) + options.lockout.count() - now);
    }
    return std::max<std::int64_t>(wait, 0);
  }

  std::int64_t record_attempt(const std::string& username, const std::string& address,
                              std::int64_t now, const char* outcome) {
    Stmt s(db,
           "INSERT INTO login_attempts (username, address, at, outcome) VALUES (?1, ?2, ?3, ?4)",
           file);
    s.bind(1, username).bind(2, address).bind(3, now).bind(4, std::string_view(outcome));
    s.run();
    return sqlite3_last_insert_rowid(db);
  }

  void set_outcome(std::int64_t attempt, const char* outcome) {
    Stmt s(db, "UPDATE login_attempts SET outcome = ?2 WHERE id = ?1", file);
    s.bind(1, attempt).bind(2, std::string_view(outcome));
    s.run();
  }

  std::optional<User> find_user(const std::string& username) const {
    Stmt s(db, "SELECT " MINQING_USER_COLUMNS " FROM users u WHERE u.username = ?1", file);
    s.bind(1, username);
    if (!s.step()) return std::nullopt;
    return read_user(s, 0);
  }

  int revoke_user_sessions(std::int64_t user_id) {
    Stmt s(db, "UPDATE sessions SET revoked = 1 WHERE user_id = ?1 AND revoked = 0", file);
    s.bind(1, user_id);
    s.run();
    return sqlite3_changes(db);
  }

  const std::string& dummy() {
    std::call_once(dummy_once, [this] {
      dummy_hash = hash_password("minqing-dummy-password-for-timing", options.cost);
    });
    return dummy_hash;
  }
};

AuthDb::AuthDb(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
AuthDb::~AuthDb() = default;

const AuthOptions& AuthDb::options() const noexcept { return m_impl->options; }
const std::filesystem::path& AuthDb::path() const noexcept { return m_impl->path; }

std::unique_ptr<AuthDb> AuthDb::open(const std::filesystem::path& path, AuthOptions options) {
  ensure_sodium();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->file = path.string();
  impl->options = options;
  if (!std::filesystem::exists(path)) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
      throw StoreError("auth database " + impl->file + ": cannot create the file");
    if (fd >= 0) ::close(fd);
  }
  if (sqlite3_open_v2(impl->file.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string msg = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
    throw StoreError("auth database " + impl->file + ": cannot open: " + msg);
  }
  sqlite3_busy_timeout(impl->db, 5000);
  sqlite3_commit_hook(
      impl->db,
      [](void* counter) {
        static_cast<std::atomic<std::uint64_t>*>(counter)->fetch_add(1);
        return 0;  // let the commit proceed
      },
      &impl->commits);
  sqlite3_extended_result_codes(impl->db, 1);
  impl->exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;");
  impl->migrate();
  return std::unique_ptr<AuthDb>(new AuthDb(std::move(impl)));
}

User AuthDb::create_user(const std::string& username, std::string_view password,
                         const std::string& role, const Assignment& assignment, TimePoint now) {
  if (auto p = username_problem(username)) throw DataError("user " + username + ": " + *p);
  if (!is_known_role(role)) throw DataError("user " + username + ": unknown role \"" + role + "\"");
  if (role == kRolePublic)
    throw DataError("user " + username + ": the public role is for callers without an account");
  if (auto p = assignment_problem(AreaKind::county, assignment))
    throw DataError("user " + username + ": " + *p);
  if (auto p = password_problem(password)) throw DataError("user " + username + ": " + *p);
  const std::string hash = hash_password(password, m_impl->options.cost);
  std::lock_guard lock(m_impl->mutex);
  if (m_impl->find_user(username)) throw DataError("user " + username + " exists already");
  Stmt s(m_impl->db,
         "INSERT INTO users (username, password_hash, role, township, village_code, grid_ids, "
         "disabled, created_at, updated_at) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)",
         m_impl->file);
  s.bind(1, username)
      .bind(2, hash)
      .bind(3, role)
      .bind(4, assignment.township)
      .bind(5, assignment.village_code);
  s.bind(6, join_grids(assignment.grid_ids)).bind(7, to_unix(now));
  s.run();
  return *m_impl->find_user(username);
}

void AuthDb::set_password(const std::string& username, std::string_view password, TimePoint now) {
  if (auto p = password_problem(password)) throw DataError("user " + username + ": " + *p);
  const std::string hash = hash_password(password, m_impl->options.cost);
  std::lock_guard lock(m_impl->mutex);
  const auto user = m_impl->find_user(username);
  if (!user) throw DataError("no user " + username);
  Stmt s(m_impl->db, "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
         m_impl->file);
  s.bind(1, user->id).bind(2, hash).bind(3, to_unix(now));
  s.run();
  m_impl->revoke_user_sessions(user->id);
}

void AuthDb::set_disabled(const std::string& username, bool disabled, TimePoint now) {
  std::lock_guard lock(m_impl->mutex);
  const auto user = m_impl->find_user(username);
  if (!user) throw DataError("no user " + username);
  Stmt s(m_impl->db, "UPDATE users SET disabled = ?2, updated_at = ?3 WHERE id = ?1", m_impl->file);
  s.bind(1, user->id).bind(2, std::int64_t{disabled ? 1 : 0}).bind(3, to_unix(now));
  s.run();
  if (disabled) m_impl->revoke_user_sessions(user->id);
}

std::vector<User> AuthDb::list_users() const {
  std::lock_guard lock(m_impl->mutex);
  Stmt s(m_impl->db, "SELECT " MINQING_USER_COLUMNS " FROM users u ORDER BY u.username",
         m_impl->file);
  std::vector<User> out;
  while (s.step()) out.push_back(read_user(s, 0));
  return out;
}

std::optional<User> AuthDb::find_user(const std::string& username) const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->find_user(username);
}

LoginResult AuthDb::authenticate(const std::string& username, std::string_view password,
                                 const std::string& client_address, TimePoint now) {
  const std::int64_t t = to_unix(now);
  std::string hash;
  bool known = false;
  bool disabled = false;
  std::int64_t attempt = 0;
  {
    std::lock_guard lock(m_impl->mutex);
    {
      const std::int64_t keep =
          std::max(m_impl->options.failure_window, m_impl->options.lockout).count();
      Stmt prune(m_impl->db, "DELETE FROM login_attempts WHERE at < ?1", m_impl->file);
      prune.bind(1, t - std::max<std::int64_t>(keep, 24 * 3600));
      prune.run();
    }
    if (const std::int64_t wait = m_impl->locked_for(username, client_address, t); wait > 0) {
      m_impl->record_attempt(username, client_address, t, "locked");
      LoginResult r;
      r.status = LoginResult::Status::locked;
      r.retry_after = std::chrono::seconds(wait);
      return r;
    }
    Stmt s(m_impl->db, "SELECT password_hash, disabled FROM users WHERE username = ?1",
           m_impl->file);
    s.bind(1, username);
    if (s.step()) {
      known = true;
      hash = s.text(0);
      disabled = s.integer(1) != 0;
    }
    // Counted as a failure until proven otherwise, so that parallel guesses cannot pass the limit.
    attempt = m_impl->record_attempt(username, client_address, t, "pending");
  }
  bool good = false;
  {
    const std::string& against = known ? hash : m_impl->dummy();
    m_impl->hashing.acquire();
    good = verify_password(against, password) && known;
    m_impl->hashing.release();
  }
  std::optional<std::string> rehash;
  if (good && !disabled && needs_rehash(hash, m_impl->options.cost))
    rehash = hash_password(password, m_impl->options.cost);

  std::lock_guard lock(m_impl->mutex);
  LoginResult r;
  if (!good) {
    m_impl->set_outcome(attempt, "failed");
    r.status = LoginResult::Status::bad_credentials;
    return r;
  }
  if (disabled) {
    m_impl->set_outcome(attempt, "disabled");
    r.status = LoginResult::Status::disabled;
    return r;
  }
  m_impl->set_outcome(attempt, "ok");
  auto user = m_impl->find_user(username);
  if (!user || user->disabled) {  // changed while the password was checked
    r.status = user ? LoginResult::Status::disabled : LoginResult::Status::bad_credentials;
    return r;
  }
  if (rehash) {
    Stmt s(m_impl->db, "UPDATE users SET password_hash = ?2 WHERE id = ?1 AND password_hash = ?3",
           m_impl->file);
    s.bind(1, user->id).bind(2, *rehash).bind(3, hash);
    s.run();
  }
  r.status = LoginResult::Status::ok;
  r.user = std::move(user);
  return r;
}

std::string AuthDb::create_session(const User& user, TimePoint now) {
  const std::string token = new_session_token();
  const std::int64_t t = to_unix(now);
  std::lock_guard lock(m_impl->mutex);
  {
    Stmt prune(m_impl->db, "DELETE FROM sessions WHERE expires_at < ?1", m_impl->file);
    prune.bind(1, t - 24 * 3600);
    prune.run();
  }
  Stmt s(m_impl->db,
         "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, "
         "revoked) VALUES (?1, ?2, ?3, ?4, ?3, 0)",
         m_impl->file);
  s.bind(1, session_token_hash(token))
      .bind(2, user.id)
      .bind(3, t)
      .bind(4, t + m_impl->options.session_lifetime.count());
  s.run();
  return token;
}

std::optional<Session> AuthDb::resolve_session(std::string_view token, TimePoint now) {
  if (!looks_like_session_token(token)) return std::nullopt;
  return resolve_keyed(token, m_impl->sessions.key_of(token), now, nullptr);
}

std::shared_ptr<const Scope> AuthDb::resolve_session_scope(std::string_view token, TimePoint now,
                                                           UserScopes& scopes) {
  // The shape is checked on a miss only: an entry is found only by the keyed hash of a token that
  // was checked when the entry was made (a forgery would need a SipHash-128 collision under a key it
  // cannot know), so the check found nothing new on a hit and cost ~220 instructions (issue 12).
  const SessionCache::Key key = m_impl->sessions.key_of(token);
  if (auto scope = m_impl->sessions.find_scope(key, m_impl->commits.load(), now, m_impl->options, &scopes)) {
    return scope;
  }
  if (!looks_like_session_token(token)) return nullptr;
  std::uint64_t generation = 0;
  const std::optional<Session> session = resolve_keyed(token, key, now, &generation);
  if (!session) return nullptr;
  const User& u = session->user;
  auto scope = scopes.of(u.username, u.role, u.assignment);
  // Kept only on the entry this session came from: a newer read (another state of the account)
  // has another generation and gets its own scope.
  m_impl->sessions.attach_scope(key, generation, &scopes, scope);
  return scope;
}

std::optional<Session> AuthDb::resolve_keyed(std::string_view token, const std::array<unsigned char, 16>& key,
                                             TimePoint now, std::uint64_t* generation) {
  const std::int64_t t = to_unix(now);
  if (auto cached = m_impl->sessions.find(key, m_impl->commits.load(), now, m_impl->options, generation)) {
    return cached;
  }
  const std::string hash = session_token_hash(token);
  std::lock_guard lock(m_impl->mutex);
  Session session;
  std::int64_t last_seen = 0;
  bool revoked = false;
  {
    // Read, then let the statement go (ending its read transaction) before any write below.
    Stmt s(m_impl->db, &m_impl->resolve_stmt,
           "SELECT s.id, s.created_at, s.expires_at, s.last_seen_at, s.revoked, " MINQING_USER_COLUMNS
           " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
           m_impl->file);
    s.bind(1, hash);
    if (!s.step()) return std::nullopt;
    session.id = s.integer(0);
    session.created_at = from_unix(s.integer(1));
    session.expires_at = from_unix(s.integer(2));
    last_seen = s.integer(3);
    revoked = s.integer(4) != 0;
    session.user = read_user(s, 5);
  }
  SessionTimes times{to_unix(session.created_at), to_unix(session.expires_at), last_seen};
  if (session_expired(times, t, m_impl->options)) {
    // Gone for good: a clock that later steps back (NTP, a VM resumed) must not revive it.
    Stmt d(m_impl->db, "DELETE FROM sessions WHERE id = ?1", m_impl->file);
    d.bind(1, session.id);
    d.run();
    return std::nullopt;
  }
  if (revoked || session.user.disabled || session_too_early(times, t)) return std::nullopt;
  session.last_seen_at = from_unix(std::max(last_seen, t));
  if (t - last_seen >= kSessionTouchInterval) {  // one write a minute per session at most
    Stmt u(m_impl->db, &m_impl->touch_stmt, "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1",
           m_impl->file);
    u.bind(1, session.id).bind(2, t);
    u.run();
    times.last_seen = t;
  }
  // Read under the mutex: a commit after this read makes the entry stale at once.
  const std::uint64_t put_as = m_impl->sessions.put(key, session, times, m_impl->commits.load(), now);
  if (generation) *generation = put_as;
  return session;
}

bool AuthDb::revoke_session(std::string_view token, TimePoint /*now*/) {
  if (!looks_like_session_token(token)) return false;
  std::lock_guard lock(m_impl->mutex);
  Stmt s(m_impl->db, "UPDATE sessions SET revoked = 1 WHERE token_hash = ?1 AND revoked = 0",
         m_impl->file);
  s.bind(1, session_token_hash(token));
  s.run();
  return sqlite3_changes(m_impl->db) > 0;
}

int AuthDb::revoke_user_sessions(std::int64_t user_id, TimePoint /*now*/) {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->revoke_user_sessions(user_id);
}

}  // namespace minqing::access
