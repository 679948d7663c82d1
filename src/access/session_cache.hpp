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
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "access/auth_db.hpp"
#include "access/crypto.hpp"

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
  explicit SessionCache(std::chrono::seconds recheck = std::chrono::seconds(1),
                        std::size_t capacity = 4096) noexcept
      : m_recheck(recheck.count()), m_capacity(capacity) {}

  // The session cached for `token` if it may answer at `now` (see above), with its last-seen time
  // brought to `now`.
  std::optional<Session> find(std::string_view token, std::uint64_t commits, TimePoint now,
                              const AuthOptions& options) const;

  // Remembers a live session of `token` read from the database at `now`, when `commits` commits
  // had been made through the connection; `times.last_seen` is the value the database now holds.
  void put(std::string_view token, const Session& session, const SessionTimes& times,
           std::uint64_t commits, TimePoint now);

 private:
  struct Entry {
    Session session;
    SessionTimes times;
    std::uint64_t commits = 0;
    std::int64_t read_at = 0;
  };
  KeyedShortHash m_key_of;  // token → table key
  std::int64_t m_recheck;
  std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, Entry> m_entries;
};

}  // namespace minqing::access
