// Issue 12 part 3: the pool that lets one metatile's bands use every core (render/draw_pool.hpp).

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "render/draw_pool.hpp"

using namespace minqing;

TEST_CASE("draw pool: every index runs once, on the caller and the workers", "[render][parallel]") {
  render::DrawPool pool(2);
  CHECK(pool.workers() == 2);
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{4}, std::size_t{100}}) {
    std::vector<std::atomic<int>> calls(n);
    pool.run(n, [&](std::size_t i) { ++calls[i]; });
    for (std::size_t i = 0; i < n; ++i) CHECK(calls[i].load() == 1);
  }
}

TEST_CASE("draw pool: the work is shared with idle workers", "[render][parallel]") {
  // Each call waits until another thread has made a call too: only a run shared between the
  // caller and a worker gets through (a run on one thread would wait forever, so the wait is bounded
  // by counting, not by time).
  render::DrawPool pool(1);
  std::mutex m;
  std::set<std::thread::id> threads;
  std::atomic<int> started{0};
  pool.run(2, [&](std::size_t) {
    {
      std::lock_guard lock(m);
      threads.insert(std::this_thread::get_id());
    }
    ++started;
    while (started.load() < 2) std::this_thread::yield();
  });
  CHECK(threads.size() == 2);
}

TEST_CASE("draw pool: callers on several threads each get all their calls", "[render][parallel]") {
  render::DrawPool pool(1);
  std::vector<std::thread> callers;
  std::vector<std::atomic<int>> sums(4);
  for (std::size_t c = 0; c < sums.size(); ++c) {
    callers.emplace_back([&, c] { pool.run(50, [&](std::size_t i) { sums[c] += static_cast<int>(i); }); });
  }
  for (auto& t : callers) t.join();
  for (const auto& s : sums) CHECK(s.load() == 50 * 49 / 2);
}

TEST_CASE("draw pool: the first error reaches the caller and the rest is skipped", "[render][parallel]") {
  render::DrawPool pool(1);
  // The pool's one worker is first held by another caller's job, so the job under test runs on
  // this thread alone and the skip is exact, not a matter of how the threads were scheduled.
  std::mutex gate;
  std::unique_lock closed(gate);
  std::atomic<int> holding{0};
  std::thread other([&] {
    pool.run(2, [&](std::size_t) {
      ++holding;
      const std::lock_guard wait(gate);
    });
  });
  while (holding.load() < 2) std::this_thread::yield();  // the worker and `other` are both held

  std::atomic<int> calls{0};
  CHECK_THROWS_AS(pool.run(1000,
                           [&](std::size_t i) {
                             ++calls;
                             if (i == 3) throw std::runtime_error("band 3 failed");
                           }),
                  std::runtime_error);
  CHECK(calls.load() == 4);  // 0, 1, 2 and the failing 3; nothing after it
  closed.unlock();
  other.join();
  // The pool still works after.
  std::atomic<int> after{0};
  pool.run(8, [&](std::size_t) { ++after; });
  CHECK(after.load() == 8);
}
