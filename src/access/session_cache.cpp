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

bool SessionCache::answers(const Entry& e, std::uint64_t commits, std::int64_t t,
                           const AuthOptions& options) const noexcept {
  if (e.commits != commits || t < e.read_at || t >= e.read_at + m_recheck) return false;
  if (session_expired(e.times, t, options) || session_too_early(e.times, t)) return false;
  // Its last-seen time is due to be written: the database is asked, and writes it.
  return t - e.times.last_seen < kSessionTouchInterval;
}

std::optional<Session> SessionCache::find(const Key& key, std::uint64_t commits, TimePoint now,
                                          const AuthOptions& options, std::uint64_t* generation) const {
  const std::int64_t t = unix_seconds(now);
  std::lock_guard lock(m_mutex);
  const auto it = m_entries.find(key);
  if (it == m_entries.end() || !answers(it->second, commits, t, options)) return std::nullopt;
  const Entry& e = it->second;
  Session s = e.session;
  s.last_seen_at = TimePoint(std::chrono::seconds(std::max(e.times.last_seen, t)));
  if (generation) *generation = e.generation;
  return s;
}

std::uint64_t SessionCache::put(const Key& key, const Session& session, const SessionTimes& times,
                                std::uint64_t commits, TimePoint now) {
  std::lock_guard lock(m_mutex);
  // Bounded: when full, start again (entries are re-read within a second anyway).
  if (m_entries.size() >= m_capacity) m_entries.clear();
  const std::uint64_t generation = ++m_generations;
  m_entries.insert_or_assign(key, Entry{session, times, commits, unix_seconds(now), generation, nullptr, nullptr});
  return generation;
}

std::shared_ptr<const Scope> SessionCache::find_scope(const Key& key, std::uint64_t commits, TimePoint now,
                                                      const AuthOptions& options, const void* maker) const {
  const std::int64_t t = unix_seconds(now);
  std::lock_guard lock(m_mutex);
  const auto it = m_entries.find(key);
  if (it == m_entries.end() || it->second.scope_maker != maker || !answers(it->second, commits, t, options)) {
    return nullptr;
  }
  return it->second.scope;
}

void SessionCache::attach_scope(const Key& key, std::uint64_t generation, const void* maker,
                                std::shared_ptr<const Scope> scope) {
  std::lock_guard lock(m_mutex);
  const auto it = m_entries.find(key);
  if (it == m_entries.end() || it->second.generation != generation) return;
  it->second.scope_maker = maker;
  it->second.scope = std::move(scope);
}

}  // namespace minqing::access
