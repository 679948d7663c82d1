#include "access/session_cache.hpp"

#include <algorithm>

namespace minqing::access {

namespace {

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

bool session_expired(const SessionTimes& s, std::int64_t t, const AuthOptions& o) noexcept {
  return t >= s.expires || t >= s.last_seen + o.session_idle.count();
}

bool session_too_early(const SessionTimes& s, std::int64_t t) noexcept {
  return t < s.created - 300;
}

std::optional<Session> SessionCache::find(std::string_view token, std::uint64_t commits,
                                          TimePoint now, const AuthOptions& options) const {
  const std::int64_t t = unix_seconds(now);
  const std::string key = m_key_of(token);
  std::lock_guard lock(m_mutex);
  const auto it = m_entries.find(key);
  if (it == m_entries.end()) return std::nullopt;
  const Entry& e = it->second;
  if (e.commits != commits || t < e.read_at || t >= e.read_at + m_recheck) return std::nullopt;
  if (session_expired(e.times, t, options) || session_too_early(e.times, t)) return std::nullopt;
  if (t - e.times.last_seen >= kSessionTouchInterval) return std::nullopt;
  Session s = e.session;
  s.last_seen_at = TimePoint(std::chrono::seconds(std::max(e.times.last_seen, t)));
  return s;
}

void SessionCache::put(std::string_view token, const Session& session,
                       const SessionTimes& times, std::uint64_t commits, TimePoint now) {
  std::string key = m_key_of(token);
  std::lock_guard lock(m_mutex);
  // Bounded: when full, start again (entries are re-read within a second anyway).
  if (m_entries.size() >= m_capacity) m_entries.clear();
  m_entries.insert_or_assign(std::move(key), Entry{session, times, commits, unix_seconds(now)});
}

}  // namespace minqing::access
