#include "query/change_journal.hpp"

namespace minqing::query {

Change ChangeJournal::append(Change change) {
  std::lock_guard lock(m_mutex);
  change.sequence = m_sequence.load(std::memory_order_relaxed) + 1;
  m_changes.push_back(change);
  if (m_changes.size() > m_capacity) m_changes.pop_front();
  // Published last: a reader that sees the new sequence finds the change kept.
  m_sequence.store(change.sequence, std::memory_order_release);
  return change;
}

std::optional<std::vector<Change>> ChangeJournal::since(std::uint64_t sequence) const {
  std::lock_guard lock(m_mutex);
  std::vector<Change> out;
  if (sequence >= m_sequence.load(std::memory_order_relaxed)) return out;
  if (m_changes.empty() || m_changes.front().sequence > sequence + 1) return std::nullopt;
  for (auto it = m_changes.rbegin(); it != m_changes.rend() && it->sequence > sequence; ++it) out.push_back(*it);
  return std::vector<Change>(out.rbegin(), out.rend());
}

}  // namespace minqing::query
