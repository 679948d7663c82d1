// CPU per audit entry, in process: what a key_persons tile hit costs the server beyond the tile.
//
//   build/bench/audit_bench DIR [ENTRIES] [durable|fast]
//
// Two threads queue ENTRIES entries (default 200,000) between them with append_async, each with
// the detail a tile hit records ({"map","z","x","y","scale"}), and wait for every callback; then the
// same with append (group commit, blocking). Prints entries/s and the process's CPU per entry
// (user + system, all threads: the queueing threads, the log's writer and the kernel's write and
// fdatasync). `fast` turns fdatasync off, so the figure is the entry's own CPU, not the disk's.
// The log is written under DIR (a fresh file each run, removed afterwards).

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "access/audit_log.hpp"

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

minqing::access::AuditRecord tile_record(int i) {
  minqing::access::AuditRecord r;
  r.user = "admin";
  r.address = "127.0.0.1";
  r.action = minqing::access::audit_action::key_persons_tile;
  r.detail = {{"map", "key_persons"}, {"z", 17}, {"x", 109000 + i % 64}, {"y", 54000 + i % 32}, {"scale", 1}};
  return r;
}

void report(const char* what, int entries, double wall, double cpu) {
  std::printf("%-22s %8d entries  %9.0f entries/s  %6.2f us CPU/entry\n", what, entries, entries / wall,
              cpu * 1e6 / entries);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: audit_bench DIR [ENTRIES] [durable|fast]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int entries = argc > 2 ? std::atoi(argv[2]) : 200000;
  const bool durable = !(argc > 3 && std::string(argv[3]) == "fast");
  std::filesystem::create_directories(dir);
  const auto now = std::chrono::system_clock::now();
  {
    const auto path = dir / "audit-bench-async.jsonl";
    std::filesystem::remove(path);
    minqing::access::AuditLog log(path, durable);
    std::mutex m;
    std::condition_variable cv;
    int done = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < entries; i += 2) {
          log.append_async(tile_record(i), now, [&](std::uint64_t, const std::string&) {
            std::lock_guard lock(m);
            if (++done == entries) cv.notify_all();
          });
        }
      });
    }
    for (auto& th : threads) th.join();
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return done == entries; });
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report(durable ? "append_async durable" : "append_async fast", entries, wall, cpu_seconds() - c0);
    std::filesystem::remove(path);
  }
  {
    const auto path = dir / "audit-bench-sync.jsonl";
    std::filesystem::remove(path);
    minqing::access::AuditLog log(path, durable);
    const int n = durable ? entries / 20 : entries;  // a blocking append waits for its own sync
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < n; i += 2) log.append(tile_record(i), now);
      });
    }
    for (auto& th : threads) th.join();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report(durable ? "append durable" : "append fast", n, wall, cpu_seconds() - c0);
    std::filesystem::remove(path);
  }
  return 0;
}
