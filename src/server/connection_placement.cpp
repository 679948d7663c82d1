#include "server/connection_placement.hpp"

#include <sys/socket.h>

#include <algorithm>

namespace minqing::server {

ConnectionPlacement::ConnectionPlacement(std::size_t threads, std::size_t slack)
    : m_live(std::max<std::size_t>(threads, 1), 0), m_slack(slack) {}

std::size_t ConnectionPlacement::place(int cpu) {
  std::lock_guard lock(m_mutex);
  const std::size_t n = m_live.size();
  const std::size_t least =
      static_cast<std::size_t>(std::min_element(m_live.begin(), m_live.end()) - m_live.begin());
  std::size_t chosen;
  if (cpu < 0) {
    chosen = m_next;
    m_next = (m_next + 1) % n;
  } else {
    chosen = static_cast<std::size_t>(cpu) % n;
    if (m_live[chosen] >= m_live[least] + m_slack) chosen = least;
  }
  ++m_live[chosen];
  return chosen;
}

void ConnectionPlacement::closed(std::size_t thread) noexcept {
  std::lock_guard lock(m_mutex);
  if (thread < m_live.size() && m_live[thread] > 0) --m_live[thread];
}

std::size_t ConnectionPlacement::live(std::size_t thread) const {
  std::lock_guard lock(m_mutex);
  return thread < m_live.size() ? m_live[thread] : 0;
}

int incoming_cpu(int socket) noexcept {
#ifdef SO_INCOMING_CPU
  int cpu = -1;
  socklen_t len = sizeof cpu;
  if (::getsockopt(socket, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) == 0 && len == sizeof cpu) return cpu;
#else
  (void)socket;
#endif
  return -1;
}

}  // namespace minqing::server
