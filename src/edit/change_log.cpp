#include "edit/change_log.hpp"

#include <algorithm>
#include <mutex>

namespace minqing::edit {

void ChangeLog::add(ChangePtr change) {
  std::unique_lock lock(m_mutex);
  m_by_feature[{change->class_name, change->fid}].push_back(change);
  m_changes.push_back(std::move(change));
}

std::uint64_t ChangeLog::version(std::string_view class_name, std::int64_t fid) const {
  std::shared_lock lock(m_mutex);
  auto it = m_by_feature.find(std::pair<std::string, std::int64_t>(std::string(class_name), fid));
  return it == m_by_feature.end() || it->second.empty() ? kBaseVersion : it->second.back()->version;
}

std::vector<ChangePtr> ChangeLog::of_feature(std::string_view class_name, std::int64_t fid) const {
  std::shared_lock lock(m_mutex);
  auto it = m_by_feature.find(std::pair<std::string, std::int64_t>(std::string(class_name), fid));
  return it == m_by_feature.end() ? std::vector<ChangePtr>{} : it->second;
}

void ChangeLog::scan(std::int64_t after_seq, const std::function<bool(const ChangePtr&)>& visit) const {
  std::vector<ChangePtr> held;
  {
    std::shared_lock lock(m_mutex);
    auto from = std::upper_bound(m_changes.begin(), m_changes.end(), after_seq,
                                 [](std::int64_t s, const ChangePtr& c) { return s < c->seq; });
    // Visit outside the lock, so that a slow reader never holds up the writer.
    held.assign(from, m_changes.end());
  }
  for (const auto& c : held) {
    if (!visit(c)) return;
  }
}

std::int64_t ChangeLog::first_seq_at(std::string_view iso_time) const {
  std::shared_lock lock(m_mutex);
  // Times increase with seq (one clock, one writer), so the first at or after is found by search.
  auto it = std::lower_bound(m_changes.begin(), m_changes.end(), iso_time,
                             [](const ChangePtr& c, std::string_view t) { return c->time < t; });
  if (it != m_changes.end()) return (*it)->seq;
  return m_changes.empty() ? 1 : m_changes.back()->seq + 1;
}

std::int64_t ChangeLog::last_seq() const {
  std::shared_lock lock(m_mutex);
  return m_changes.empty() ? 0 : m_changes.back()->seq;
}

std::size_t ChangeLog::size() const {
  std::shared_lock lock(m_mutex);
  return m_changes.size();
}

}  // namespace minqing::edit
