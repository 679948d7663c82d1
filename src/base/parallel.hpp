#pragma once
// A loop over independent tasks on a few threads, for the work done once at load (reading and
// projecting feature classes, reading DEM headers): no pool kept, the threads end with the loop.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace minqing {

// Threads a load step uses: the machine's cores, at most `cap` (a few connections to one file
// stop helping past that), at least 1.
inline unsigned load_threads(unsigned cap = 4) noexcept {
  return std::clamp(std::thread::hardware_concurrency(), 1u, cap);
}

// Calls fn(i, worker) for every i in [0, n), in increasing order of i as taken from a shared
// counter, on min(threads, n) threads of which the calling thread is worker 0 (so a per-worker
// resource — a file handle, a PROJ transform — is indexed by `worker` < threads). Returns when all
// calls have returned. When calls throw, the remaining indexes are skipped and the first
// exception is rethrown on the calling thread.
template <class Fn>
void parallel_for(std::size_t n, unsigned threads, Fn&& fn) {
  const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(std::max(threads, 1u), n));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto work = [&](unsigned worker) {
    for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < n;) {
      try {
        fn(i, worker);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true);
      }
    }
  };
  std::vector<std::thread> others;
  for (unsigned w = 1; w < workers; ++w) others.emplace_back(work, w);
  if (workers > 0) work(0);
  for (auto& t : others) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace minqing
