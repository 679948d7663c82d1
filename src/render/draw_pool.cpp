#include "render/draw_pool.hpp"

#include <algorithm>
#include <exception>

namespace minqing::render {

struct DrawPool::Job {
  const std::function<void(std::size_t)>* fn = nullptr;
  std::size_t n = 0;
  std::size_t next = 0;     // the next index to take
  std::size_t running = 0;  // calls taken and not yet returned
  std::exception_ptr error;
  std::condition_variable finished;  // running reached 0 with nothing left to take
};

DrawPool::DrawPool(unsigned workers) {
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency()) - 1;
  workers = std::max(1u, workers);
  m_threads.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) m_threads.emplace_back([this] { work(); });
}

DrawPool::~DrawPool() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  for (auto& t : m_threads) t.join();
}

bool DrawPool::run_one(Job& job, std::unique_lock<std::mutex>& lock) {
  if (job.next >= job.n) return false;
  const std::size_t i = job.next++;
  if (job.next == job.n) m_jobs.erase(std::find(m_jobs.begin(), m_jobs.end(), &job));
  ++job.running;
  lock.unlock();
  std::exception_ptr error;
  try {
    (*job.fn)(i);
  } catch (...) {
    error = std::current_exception();
  }
  lock.lock();
  if (error) {
    if (!job.error) job.error = error;
    if (job.next < job.n) {  // skip what is left
      job.next = job.n;
      m_jobs.erase(std::find(m_jobs.begin(), m_jobs.end(), &job));
    }
  }
  if (--job.running == 0 && job.next >= job.n) job.finished.notify_all();
  return true;
}

void DrawPool::run(std::size_t n, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  Job job;
  job.fn = &fn;
  job.n = n;
  std::unique_lock lock(m_mutex);
  m_jobs.push_back(&job);
  if (n > 1) m_wake.notify_all();
  while (run_one(job, lock)) {
  }
  // Nothing left to take: wait for the calls the workers are still making (the job lives on this
  // stack until then).
  job.finished.wait(lock, [&] { return job.running == 0; });
  if (job.error) std::rethrow_exception(job.error);
}

void DrawPool::work() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
    if (m_stopping) return;
    run_one(*m_jobs.front(), lock);
  }
}

}  // namespace minqing::render
