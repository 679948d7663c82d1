#pragma once
// Which io thread a new connection goes to: the one that serves the CPU its packets arrive on
// (SO_INCOMING_CPU: with a multi-queue network card, the CPU of the flow's receive queue; on
// loopback, the client's), as long as that keeps the threads' shares within `slack` connections of
// each other; round-robin when the CPU is unknown.
//
// Why: connections that arrive on one CPU then share an io thread, which the kernel's scheduler
// keeps beside the work that wakes it, so a request and its answer are handled on one core with
// its caches warm. Dealt round-robin, every io thread served connections from every CPU and each
// request woke a thread on the other core. On cached terrain tiles under wrk (2 cores shared with
// the client): 127-130k -> 162-174k req/s, 7.0 -> 5.3 us of server CPU a request, p99 2.0 -> 0.4-1.0 ms
// (issue 12, session 13). nginx reaches the same regime only when the kernel happens to deal its
// workers the connections that way.
//
// The bound matters when every connection arrives on one CPU (a single-queue network card, one
// client thread): the threads then still share the connections, no thread more than `slack`
// above the least loaded. Thread-safe.

#include <cstddef>
#include <mutex>
#include <vector>

namespace minqing::server {

class ConnectionPlacement {
 public:
  ConnectionPlacement(std::size_t threads, std::size_t slack);

  // The thread for a new connection whose packets arrive on `cpu` (negative: unknown), counted
  // as one of its connections until closed().
  std::size_t place(int cpu);
  // A connection placed on `thread` is gone.
  void closed(std::size_t thread) noexcept;
  // The connections `thread` has now.
  std::size_t live(std::size_t thread) const;

 private:
  mutable std::mutex m_mutex;
  std::vector<std::size_t> m_live;
  std::size_t m_slack;
  std::size_t m_next = 0;  // round-robin, when the CPU is unknown
};

// The CPU a connected socket's last packet arrived on, or -1 when the system does not say.
int incoming_cpu(int socket) noexcept;

}  // namespace minqing::server
