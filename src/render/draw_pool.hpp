#pragma once
// A few persistent threads that let one draw use every core: a metatile's bands
// (render/metatile.hpp) are drawn and encoded on the thread that asked for the metatile and on
// whichever of these workers are idle. Without them, two browser connections asking for
// neighbouring tiles wait for the same metatile, drawn by one thread, and half of a 2-core machine
// sits idle (issue 12 part 3).
//
// The workers are kept (not started per draw) because a draw's per-thread state is costly to make
// and worth keeping: pango's font map and shaping caches, the relief's PROJ transforms.
//
// Thread-safe: any number of threads may call run() at once; each runs its own tasks and shares
// the idle workers with the others.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace minqing::render {

class DrawPool {
 public:
  // `workers` threads besides the callers of run(); 0: one fewer than the hardware threads (the
  // caller is the other), at least one.
  explicit DrawPool(unsigned workers = 0);
  // Stops and joins the workers. @pre no run() is under way.
  ~DrawPool();
  DrawPool(const DrawPool&) = delete;
  DrawPool& operator=(const DrawPool&) = delete;

  // Calls fn(i) once for every i in [0, n), in increasing order of i as taken, on the calling
  // thread and on idle workers, and returns when every call has returned. When calls throw, the
  // indexes not yet taken are skipped and the first exception is rethrown here.
  void run(std::size_t n, const std::function<void(std::size_t)>& fn);

  unsigned workers() const noexcept { return static_cast<unsigned>(m_threads.size()); }

 private:
  struct Job;
  // Takes the next index of `job` and runs it; false when it has none left. Called under `lock`,
  // which it releases while fn runs.
  bool run_one(Job& job, std::unique_lock<std::mutex>& lock);
  void work();

  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<Job*> m_jobs;  // jobs with indexes not yet taken, oldest first
  bool m_stopping = false;
  std::vector<std::thread> m_threads;
};

}  // namespace minqing::render
