#pragma once
// Sessions recently read from the auth database, so that a signed-in request does not run a SQLite
// join under the database's one mutex (and its file locks): on a cached tile that lookup was a
// third of the request's CPU (issue 12, warm cache).
//
// A cached session answers only while all of these hold, else the database is asked again:
//   - nothing has been committed through this process's connection since it was read (logout,
//     disable, new password, a deleted or touched session: `commits` changes, every entry is stale);
//   - it was read from the database less than `recheck` ago (default 1 s): a change made by another
//     process on the same file — `minqing user disable` beside a running server — is honoured
//     within that bound;
//   - it is still live by the rules of AuthDb::resolve_session at the asking time (lifetime, idle
//     time, a clock not far before its creation), and its last-seen time is less than a minute old,
//     so the once-a-minute last-seen write still happens through the database.
// Entries are keyed by a keyed hash of the token (SipHash-128 under a random key of this cache,
// access/crypto.hpp), never by the token: the table holds nothing a memory dump could sign in
// with. Not by its SHA-256 as the database is: that hash was a sixth of a cached tile's user-space
// instructions (issue 12, session 11); the database is asked, and SHA-256 computed, on a miss only.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "access/auth_db.hpp"
#include "access/crypto.hpp"
#include "access/scope.hpp"

namespace minqing::access {

// Whether a session read from the database is live at `t` (unix seconds), by AuthDb's rules.
struct SessionTimes {
  std::int64_t created = 0, expires = 0, last_seen = 0;  // unix seconds, last_seen as stored
};
bool session_expired(const SessionTimes& s, std::int64_t t, const AuthOptions& o) noexcept;
bool session_too_early(const SessionTimes& s, std::int64_t t) noexcept;  // clock far before creation
constexpr std::int64_t kSessionTouchInterval = 60;  // seconds between last-seen writes

class SessionCache {
 public:
  using Key = KeyedShortHash::Value;

  explicit SessionCache(std::chrono::seconds recheck = std::chrono::seconds(1),
                        std::size_t capacity = 4096) noexcept
      : m_recheck(recheck.count()), m_capacity(capacity) {}

  // The table key of `token` (a keyed hash, above): computed once per request and used for every
  // call below.
  Key key_of(std::string_view token) const noexcept { return m_key_of(token); }

  // The session cached under `key` if it may answer at `now` (see above), with its last-seen time
  // brought to `now`; `*generation`, when given, is set to the put() it came from.
  std::optional<Session> find(const Key& key, std::uint64_t commits, TimePoint now,
                              const AuthOptions& options, std::uint64_t* generation = nullptr) const;

  // Remembers a live session read from the database at `now`, when `commits` commits had been made
  // through the connection; `times.last_seen` is the value the database now holds. Returns the
  // entry's generation (for attach_scope), unique to this put.
  std::uint64_t put(const Key& key, const Session& session, const SessionTimes& times,
                    std::uint64_t commits, TimePoint now);

  // The caller's access scope kept with a cached session, so that a signed-in request neither
  // copies the session's strings nor looks its scope up again (issue 12). A scope is built from
  // nothing but the session's user as read from the database (and the policy, fixed for `maker`),
  // so it lives exactly as long as the entry it is attached to: a logout, password change, disable
  // or any other commit here, an expiry, and a re-read after `recheck` (which sees a role or
  // assignment changed by another process) each leave it unanswered, as they leave the session.
  //
  // The scope `maker` (the UserScopes that built it, compared by address) attached to the session
  // cached under `key`, when that session may answer at `now` by the rules of find(); else null.
  std::shared_ptr<const Scope> find_scope(const Key& key, std::uint64_t commits, TimePoint now,
                                          const AuthOptions& options, const void* maker) const;
  // Attaches `scope`, built by `maker` from the session put as `generation`, to that entry; nothing
  // when the entry has been replaced or dropped since (a newer read may hold another user state).
  void attach_scope(const Key& key, std::uint64_t generation, const void* maker,
                    std::shared_ptr<const Scope> scope);

 private:
  struct Entry {
    Session session;
    SessionTimes times;
    std::uint64_t commits = 0;
    std::int64_t read_at = 0;
    std::uint64_t generation = 0;
    const void* scope_maker = nullptr;
    std::shared_ptr<const Scope> scope;  // null until attach_scope
  };
  // The key is already a keyed random hash: its first bytes are a good table hash as they are.
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      std::size_t h;
      std::memcpy(&h, k.data(), sizeof h);
      return h;
    }
  };
  // Whether `e` may answer at unix time `t` (the rules above).
  bool answers(const Entry& e, std::uint64_t commits, std::int64_t t, const AuthOptions& options) const noexcept;

  KeyedShortHash m_key_of;  // token → table key
  std::int64_t m_recheck;
  std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::uint64_t m_generations = 0;  // puts so far; guarded by m_mutex
  std::unordered_map<Key, Entry, KeyHash> m_entries;
};

}  // namespace minqing::access
