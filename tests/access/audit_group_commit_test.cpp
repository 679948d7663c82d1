// Durable audit by group commit (issue 12, part 6): an entry is in the file once append() returns,
// so a crash right after an acknowledged key_persons answer never loses its audit entry; appends
// from many threads, batched into shared writes and syncs, all arrive whole, in order per thread,
// on one unbroken hash chain — also across rotations.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/arrival_rate.hpp"
#include "access/audit_log.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::access;

namespace {

const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

std::vector<nlohmann::json> entries_of(const std::filesystem::path& log) {
  std::vector<nlohmann::json> out;
  for (const auto& file : AuditLog::files(log)) {
    std::ifstream in(file);
    for (std::string l; std::getline(in, l);) out.push_back(nlohmann::json::parse(l));  // whole lines only
  }
  return out;
}

AuditRecord tile_read(int thread, int k) {
  return {"cadre", "10.0.0." + std::to_string(thread), audit_action::key_persons_tile,
          {{"map", "key_persons"}, {"thread", thread}, {"k", k}, {"z", 17}, {"x", 109000 + k}, {"y", 54000}}};
}

// Every entry is whole and on the chain, and each thread's entries appear in the order it made
// them, all `per_thread` of them.
void check_threads(const std::filesystem::path& log, int threads, int per_thread) {
  const auto r = AuditLog::verify(log);
  INFO(r.file << ":" << r.first_bad_line << " " << r.reason);
  REQUIRE(r.ok);
  CHECK(r.entries == static_cast<std::uint64_t>(threads * per_thread));
  std::map<int, int> next;  // thread → the k expected next
  for (const auto& e : entries_of(log)) {
    const int t = e["detail"]["thread"];
    CHECK(e["detail"]["k"] == next[t]);
    ++next[t];
  }
  for (int t = 0; t < threads; ++t) CHECK(next[t] == per_thread);
}

// Forks a writer that runs `serve(ack_fd)` — appending and acknowledging each entry (the answer
// sent) by writing its seq to ack_fd, until killed — and kills it without warning (no destructor,
// no flush) once it has acknowledged `n` entries. Returns the seqs acknowledged, in order.
std::vector<std::uint64_t> acknowledged_before_kill(std::size_t n, const std::function<void(int ack_fd)>& serve) {
  int acks[2];
  REQUIRE(::pipe(acks) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(acks[0]);
    serve(acks[1]);
    ::_exit(0);
  }
  ::close(acks[1]);
  std::vector<std::uint64_t> acknowledged;
  std::uint64_t seq = 0;
  while (acknowledged.size() < n && ::read(acks[0], &seq, sizeof seq) == sizeof seq) acknowledged.push_back(seq);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(acks[0]);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(acknowledged.size() == n);
  return acknowledged;
}

// Every acknowledged entry is in the log, whole and on the chain; returns the log's entry count.
std::uint64_t check_acknowledged_present(const std::filesystem::path& log, const std::vector<std::uint64_t>& acknowledged) {
  const auto r = AuditLog::verify(log);
  INFO(r.reason);
  CHECK(r.ok);
  std::uint64_t highest = 0;
  for (auto s : acknowledged) highest = std::max(highest, s);
  CHECK(r.entries >= highest);
  std::vector<bool> present(r.entries + 1, false);
  for (const auto& e : entries_of(log)) present[e["seq"].get<std::uint64_t>()] = true;
  for (auto s : acknowledged) CHECK(present[s]);
  return r.entries;
}

}  // namespace

TEST_CASE("an acknowledged audit entry survives the writer being killed right after",
          "[access][audit][durable]") {
  const auto log = test::scratch_dir("access-audit-kill") / "audit.jsonl";
  // The server's part: four request threads append (durable, as `minqing serve` did before the
  // asynchronous wait) and acknowledge each entry once append returns.
  const auto acknowledged = acknowledged_before_kill(200, [&](int ack_fd) {
    AuditLog audit(log, AuditOptions{});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int k = 0;; ++k) {
          const std::uint64_t seq = audit.append(tile_read(t, k), t0);
          if (::write(ack_fd, &seq, sizeof seq) != sizeof seq) ::_exit(1);
        }
      });
    }
    for (auto& th : threads) th.join();
  });
  const std::uint64_t entries = check_acknowledged_present(log, acknowledged);
  // The log takes appends again after the crash, on the same chain.
  AuditLog again(log, AuditOptions{});
  CHECK(again.append(tile_read(9, 0), t0) == entries + 1);
  CHECK(AuditLog::verify(log).ok);
}

TEST_CASE("concurrent durable appends share syncs yet all arrive whole, in order per thread",
          "[access][audit][durable]") {
  const auto log = test::scratch_dir("access-audit-group") / "audit.jsonl";
  AuditLog audit(log, AuditOptions{});
  constexpr int kThreads = 8, kPerThread = 100;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::uint64_t>> seqs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) seqs[static_cast<std::size_t>(t)].push_back(audit.append(tile_read(t, k), t0));
    });
  }
  for (auto& th : threads) th.join();
  check_threads(log, kThreads, kPerThread);
  for (const auto& s : seqs) CHECK(std::is_sorted(s.begin(), s.end()));  // append returns the entry's own seq
  CHECK(audit.page(0, 0).total == kThreads * kPerThread);
}

TEST_CASE("batched appends rotate the log mid-batch and keep one chain across its files",
          "[access][audit][durable]") {
  const auto log = test::scratch_dir("access-audit-group-rotate") / "audit.jsonl";
  AuditLog audit(log, AuditOptions{true, 2048});  // a few entries a file
  AuditLog other(log, AuditOptions{true, 2048});  // a second writer (another process, say)
  constexpr int kThreads = 6, kPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) (t % 3 ? audit : other).append(tile_read(t, k), t0);
    });
  }
  for (auto& th : threads) th.join();
  check_threads(log, kThreads, kPerThread);
  CHECK(AuditLog::files(log).size() > 10);
  for (const auto& f : AuditLog::files(log)) CHECK(std::filesystem::file_size(f) <= 2048);
}

TEST_CASE("an entry acknowledged by append_async's callback survives the writer being killed right after",
          "[access][audit][durable]") {
  const auto log = test::scratch_dir("access-audit-async-kill") / "audit.jsonl";
  // The server's part: requests queue their entries without waiting and answer from the callback,
  // as `minqing serve` does for key_persons reads.
  const auto acknowledged = acknowledged_before_kill(500, [&](int ack_fd) {
    AuditLog audit(log, AuditOptions{});
    for (int k = 0;; ++k) {
      audit.append_async(tile_read(k % 4, k), t0, [ack_fd](std::uint64_t seq, const std::string&) {
        if (seq == 0 || ::write(ack_fd, &seq, sizeof seq) != sizeof seq) ::_exit(1);
      });
      if (k % 64 == 63) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a bounded queue
    }
  });
  CHECK(std::is_sorted(acknowledged.begin(), acknowledged.end()));  // callbacks in log order
  check_acknowledged_present(log, acknowledged);
}

TEST_CASE("append_async and append interleave on one chain, and the log drains its queue before closing",
          "[access][audit][durable]") {
  const auto log = test::scratch_dir("access-audit-async-mixed") / "audit.jsonl";
  constexpr int kThreads = 4, kPerThread = 150;
  std::atomic<int> callbacks{0};
  int failures = 0;
  std::vector<std::vector<std::uint64_t>> async_seqs(kThreads);
  std::mutex seqs_mutex;
  {
    AuditLog audit(log, AuditOptions{});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int k = 0; k < kPerThread; ++k) {
          if (t % 2 == 0) {
            audit.append(tile_read(t, k), t0);
          } else {
            audit.append_async(tile_read(t, k), t0, [&, t](std::uint64_t seq, const std::string& error) {
              std::lock_guard lock(seqs_mutex);  // (no CHECK here: Catch2 asserts on one thread only)
              if (!error.empty()) ++failures;
              async_seqs[static_cast<std::size_t>(t)].push_back(seq);
              ++callbacks;
            });
          }
        }
      });
    }
    for (auto& th : threads) th.join();
  }  // the destructor waits for every queued entry
  CHECK(callbacks == (kThreads / 2) * kPerThread);
  CHECK(failures == 0);
  check_threads(log, kThreads, kPerThread);  // whole, chained, in order per thread
  for (const auto& s : async_seqs) CHECK(std::is_sorted(s.begin(), s.end()));
}

namespace {

// Entries queued with append_async, numbered k by the test, and the seq each callback got.
struct AsyncEntries {
  std::mutex m;
  std::map<int, std::uint64_t> seq_of;  // entry k → its seq, once its callback ran

  void queue(AuditLog& audit, int k) {
    audit.append_async(tile_read(0, k), t0, [this, k](std::uint64_t seq, const std::string&) {
      std::lock_guard lock(m);
      seq_of[k] = seq;
    });
  }
  bool answered(int k) {
    std::lock_guard lock(m);
    return seq_of.count(k) > 0;
  }
  bool wait_for(int k) {  // up to a minute
    for (int i = 0; i < 6000 && !answered(k); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return answered(k);
  }
};

}  // namespace

// Group commit under load (AuditOptions::commit_delay): right after a batch, the writer waits for
// more entries before it syncs — until the batch is full, a blocking append takes them, or the log
// closes — and an entry after a quiet spell is written at once. The delay here is an hour, so any
// entry written early was written by one of those three events, never by the clock. (The minimum
// rate is off: how fast entries come is the next cases' subject.)
TEST_CASE("the audit writer gathers entries under load, and a full batch, an append or closing writes them",
          "[access][audit][durable]") {
  AuditOptions slow;
  slow.durable = false;
  slow.commit_delay = std::chrono::hours(1);
  slow.commit_batch = 3;
  slow.commit_min_rate = 0;
  AsyncEntries entries;

  SECTION("the first entry at once, then a full batch") {
    const auto log = test::scratch_dir("access-audit-gather-full") / "audit.jsonl";
    AuditLog audit(log, slow);
    entries.queue(audit, 1);
    REQUIRE(entries.wait_for(1));  // after a quiet spell (none before): written at once
    entries.queue(audit, 2);
    entries.queue(audit, 3);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(entries.answered(2));  // gathered, not written: the batch holds 2 of 3
    CHECK_FALSE(entries.answered(3));
    entries.queue(audit, 4);  // the batch is full
    REQUIRE(entries.wait_for(4));
    std::lock_guard lock(entries.m);
    CHECK(entries.seq_of == std::map<int, std::uint64_t>{{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  }
  SECTION("a blocking append takes the gathered entries with it") {
    const auto log = test::scratch_dir("access-audit-gather-append") / "audit.jsonl";
    AuditLog audit(log, slow);
    entries.queue(audit, 1);
    REQUIRE(entries.wait_for(1));
    entries.queue(audit, 2);
    CHECK(audit.append(tile_read(1, 0), t0) == 3);  // never waits for the delay
    REQUIRE(entries.wait_for(2));
    std::lock_guard lock(entries.m);
    CHECK(entries.seq_of[2] == 2);
  }
  SECTION("closing the log writes what it gathered") {
    const auto log = test::scratch_dir("access-audit-gather-close") / "audit.jsonl";
    {
      AuditLog audit(log, slow);
      entries.queue(audit, 1);
      REQUIRE(entries.wait_for(1));
      entries.queue(audit, 2);
    }  // an hour's delay must not hold the destructor
    CHECK(entries.answered(2));
    CHECK(entries_of(log).size() == 2);
    CHECK(AuditLog::verify(log).ok);
  }
}

// ... but only while entries come fast enough for the wait to gather any (commit_min_rate): a
// cadre's confidential tiles a few a second, or a burst of sixteen from one drawn metatile, must
// not each wait the commit delay. The delay is again an hour: an entry answered at all was written
// without waiting for it.
TEST_CASE("the audit writer does not hold entries that come slowly, and gathers them when they come fast",
          "[access][audit][durable]") {
  AuditOptions opts;
  opts.durable = false;
  opts.commit_delay = std::chrono::hours(1);
  opts.commit_batch = 100'000;
  opts.commit_min_rate = 2000;
  AsyncEntries entries;

  SECTION("entries 20 ms apart are each written at once") {
    const auto log = test::scratch_dir("access-audit-slow-entries") / "audit.jsonl";
    AuditLog audit(log, opts);
    for (int k = 1; k <= 8; ++k) {
      entries.queue(audit, k);
      REQUIRE(entries.wait_for(k));  // never the hour: the last batch was recent, but 50 entries a second gather nothing
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::lock_guard lock(entries.m);
    CHECK(entries.seq_of.size() == 8);
    CHECK(entries.seq_of[8] == 8);
  }
  SECTION("a burst of thousands is gathered, and closing the log writes it") {
    const auto log = test::scratch_dir("access-audit-fast-entries") / "audit.jsonl";
    constexpr int kBurst = 2000;  // tens of thousands a second while it lasts
    {
      AuditLog audit(log, opts);
      entries.queue(audit, 0);
      REQUIRE(entries.wait_for(0));
      for (int k = 1; k <= kBurst; ++k) entries.queue(audit, k);
      entries.queue(audit, kBurst + 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      CHECK_FALSE(entries.answered(kBurst + 1));  // gathered: the writer waits for a fuller batch
    }  // the destructor writes what was gathered
    CHECK(entries.answered(kBurst + 1));
    CHECK(entries_of(log).size() == kBurst + 2);
    CHECK(AuditLog::verify(log).ok);
  }
}

TEST_CASE("the arrival rate reads steady arrivals as their rate and a short burst as a trickle", "[access][audit]") {
  using namespace std::chrono;
  const ArrivalRate::clock::time_point start{};
  SECTION("one every 62 µs, steady") {
    ArrivalRate rate;
    for (int i = 0; i < 16'000; ++i) rate.add(start + microseconds(62) * i);  // 16,129 a second
    CHECK(rate.at(start + microseconds(62) * 15'999) == Approx(16'129).epsilon(0.02));
  }
  SECTION("sixteen within 5 ms, every 50 ms: about 320 a second, never near 2,000") {
    ArrivalRate rate;
    double highest = 0;
    for (int burst = 0; burst < 40; ++burst)
      for (int i = 0; i < 16; ++i) {
        const auto t = start + milliseconds(50) * burst + microseconds(300) * i;
        rate.add(t);
        highest = std::max(highest, rate.at(t));
      }
    CHECK(highest < 600);
    CHECK(rate.at(start + seconds(2)) == Approx(320).epsilon(0.4));
  }
  SECTION("a quiet second after load reads as almost nothing") {
    ArrivalRate rate;
    for (int i = 0; i < 1000; ++i) rate.add(start + microseconds(100) * i);
    CHECK(rate.at(start + microseconds(100) * 999) > 5000);
    CHECK(rate.at(start + seconds(1) + milliseconds(100)) < 1);
  }
  SECTION("nothing yet reads as zero") {
    ArrivalRate rate;
    CHECK(rate.at(start + seconds(5)) == 0);
  }
}
