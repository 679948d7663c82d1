#include "server/access_log.hpp"

#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace minqing::server {

namespace {

constexpr std::size_t kMaxLoggedTarget = 2048;

// The request log keeps a parameter's value only when the parameter is known to carry none of a
// person's data: paging, formats, map names, tile and place codes, coordinates of a view. Every
// other value — a search's `q`, a CQL2 `filter` or a property filter (`head_name=张三`), a
// route's `from` (a house), a password or token sent where it should not be — is written as
// `***`. An allow-list, not a deny-list: a parameter added tomorrow is hidden until it is listed
// here (issue 9: no personal data in the logs).
bool keeps_value(std::string_view name) {
  std::string lower;
  for (const char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::array<std::string_view, 38> kHarmless = {
      "f",        "limit",      "offset",      "bbox",        "bbox-crs",   "crs",
      "lon",      "lat",        "zoom",        "maps",        "map",        "village",
      "township", "village_code", "mode",      "avoid",       "paper",      "orientation",
      "dpi",      "radius",     "scale",       "properties",  "sortby",     "service",
      "request",  "version",    "layer",       "style",       "format",     "tilematrixset",
      "tilematrix", "tilerow",  "tilecol",     "scope",       "max_minutes", "action",
      "filter-lang", "filter-crs"};
  for (const auto s : kHarmless) {
    if (lower == s) return true;
  }
  return false;
}

bool needs_escape(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f || c == '"' || c == '\\';
}

// Whether any of the 8 bytes of `w` needs_escape. Bit tricks ("Bit Twiddling Hacks": haszero,
// hasless), exact as a yes or no for the word: a character at a time was ~13 instructions a
// character of every access line (issue 12).
bool word_needs_escape(std::uint64_t w) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;  // a byte < 0x20
  return (below_space | has_zero(w ^ (kOnes * 0x7f)) | has_zero(w ^ (kOnes * '"')) |
          has_zero(w ^ (kOnes * '\\'))) != 0;
}

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  while (!text.empty()) {
    // Runs of plain characters are appended whole: a target seldom holds anything to escape.
    std::size_t run = 0;
    for (std::uint64_t w; run + 8 <= text.size(); run += 8) {
      std::memcpy(&w, text.data() + run, 8);
      if (word_needs_escape(w)) break;
    }
    while (run < text.size() && !needs_escape(text[run])) ++run;
    out.append(text.data(), run);
    if (run == text.size()) break;
    const auto u = static_cast<unsigned char>(text[run]);
    const char esc[4] = {'\\', 'x', kHex[u >> 4], kHex[u & 0xf]};
    out.append(esc, 4);
    text.remove_prefix(run + 1);
  }
}

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) for `time`. The part up to the seconds is formatted once
// per second and thread: gmtime and the C library's printf were a visible part of a cached tile.
void append_utc_stamp(std::string& out, std::chrono::system_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count();
  thread_local std::int64_t cached_secs = std::numeric_limits<std::int64_t>::min();
  thread_local char cached[20];  // "YYYY-MM-DDTHH:MM:SS"
  if (secs.count() != cached_secs) {
    const std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::memcpy(cached, stamp, sizeof cached - 1);
    cached_secs = secs.count();
  }
  const char frac[6] = {'.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                        static_cast<char>('0' + millis % 10), 'Z', '\0'};
  out.append(cached, sizeof cached - 1);
  out.append(frac, 5);
}

// Writes `d` in milliseconds with one decimal at `p` (at most 24 characters) and returns the end:
// the text of printf's "%.1f" of the duration as a double, which it was written as before. From integers: a double's to_chars with a precision was
// ~5 % of a cached tile's user-space instructions (issue 12). The double ns / 1e6 is within half an
// ulp of the exact quotient, and an exact quotient that is not a tie lies at least 1 ns from one,
// far more than an ulp: so both round to the same tenth, except at an exact tie (a whole number
// of 50 us), where the double's binary value decides — there, and for a negative duration (never,
// from a steady clock), the double is formatted as before.
char* write_millis(char* p, char* end, std::chrono::steady_clock::duration d) {
  const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  if (ns >= 0 && ns % 100'000 != 50'000) {
    const std::int64_t tenths = ns / 100'000 + (ns % 100'000 > 50'000 ? 1 : 0);
    p = std::to_chars(p, end, tenths / 10).ptr;
    *p++ = '.';
    *p++ = static_cast<char>('0' + tenths % 10);
    return p;
  }
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  return std::to_chars(p, end, ms, std::chars_format::fixed, 1).ptr;
}

}  // namespace

namespace {

void append_loggable_target(std::string& out, std::string_view target) {
  const bool truncated = target.size() > kMaxLoggedTarget;
  if (truncated) target = target.substr(0, kMaxLoggedTarget);
  const auto q = target.find('?');
  append_escaped(out, target.substr(0, q));
  if (q != std::string_view::npos) {
    out += '?';
    std::string_view rest = target.substr(q + 1);
    bool first = true;
    while (true) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      if (!first) out += '&';
      first = false;
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && !keeps_value(pair.substr(0, eq))) {
        append_escaped(out, pair.substr(0, eq + 1));
        out += "***";
      } else {
        append_escaped(out, pair);
      }
      if (amp == std::string_view::npos) break;
      rest = rest.substr(amp + 1);
    }
  }
  if (truncated) out += "...";
}

}  // namespace

std::string loggable_target(std::string_view target) {
  std::string out;
  out.reserve(target.size() + 8);
  append_loggable_target(out, target);
  return out;
}

void append_access_line(std::string& out, const AccessEntry& e) {
  append_utc_stamp(out, e.time);
  out += ' ';
  append_escaped(out, e.remote.empty() ? std::string_view("-") : e.remote);
  out += ' ';
  append_escaped(out, e.method.empty() ? std::string_view("-") : e.method);
  out += " \"";
  append_loggable_target(out, e.target);
  out += "\" ";
  // Status, bytes and duration written in place, then cut to what was written (room: 10 + 1 + 20
  // + 1 + 24 + 2 characters): six appends were ~250 instructions a line (issue 12).
  const std::size_t at = out.size();
  out.resize(at + 64);
  char* p = out.data() + at;
  char* const end = out.data() + out.size();
  p = std::to_chars(p, end, e.status).ptr;
  *p++ = ' ';
  p = std::to_chars(p, end, e.bytes).ptr;
  *p++ = ' ';
  p = write_millis(p, end, e.duration);
  *p++ = 'm';
  *p++ = 's';
  out.resize(static_cast<std::size_t>(p - out.data()));
}

std::string format_access_line(const AccessEntry& e) {
  std::string line;
  append_access_line(line, e);
  return line;
}

// Each writing thread gathers its lines in a buffer of its own, locked by it alone but for the
// moment the flusher takes the buffer: one lock shared by the io threads, and the 64 KiB write
// made by whichever request filled the batch, had the other io thread wait on it and moved the
// lock's cache line between the cores with every request (issue 12, session 13). The flusher
// writes the buffers every `interval`, or when one holds 64 KiB. A thread's lines keep their
// order; two threads' lines interleave by batch (each line has its time), as nginx's workers'
// buffered logs do.
struct AccessLog::Batches {
  static constexpr std::size_t kWriteSoon = 64 * 1024;
  // A buffer this full (the stream stalls): its thread writes it itself, so memory stays bounded.
  static constexpr std::size_t kWriteNow = 4 * 1024 * 1024;

  struct ThreadLines {
    std::mutex mutex;
    std::string lines;
  };

  const std::uint64_t id = next_id();  // tells this log's buffers from an earlier log's
  std::mutex mutex;                    // guards by_thread and stopping
  std::condition_variable wake;
  std::map<std::thread::id, std::shared_ptr<ThreadLines>> by_thread;
  bool stopping = false;
  std::atomic<bool> asked{false};  // a buffer reached kWriteSoon
  std::mutex write_mutex;          // the stream's order of batches
  std::thread flusher;

  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> ids{0};
    return ++ids;
  }

  // The calling thread's buffer.
  ThreadLines& mine() {
    thread_local std::uint64_t owner = 0;
    thread_local ThreadLines* lines = nullptr;
    if (owner == id) return *lines;
    std::lock_guard lock(mutex);
    auto& slot = by_thread[std::this_thread::get_id()];
    if (!slot) slot = std::make_shared<ThreadLines>();
    owner = id;
    lines = slot.get();
    return *lines;
  }

  // Writes every thread's gathered lines and flushes the stream.
  void write_out(std::FILE* out) {
    std::vector<std::shared_ptr<ThreadLines>> threads;
    {
      std::lock_guard lock(mutex);
      threads.reserve(by_thread.size());
      for (const auto& [thread, lines] : by_thread) threads.push_back(lines);
    }
    std::lock_guard writing(write_mutex);
    thread_local std::string batch;
    bool wrote = false;
    for (const auto& t : threads) {
      {
        std::lock_guard lock(t->mutex);
        batch.swap(t->lines);  // the thread goes on in the emptied string of the last batch
      }
      if (batch.empty()) continue;
      std::fwrite(batch.data(), 1, batch.size(), out);
      batch.clear();
      wrote = true;
    }
    if (wrote) std::fflush(out);
  }
};

AccessLog::AccessLog(std::FILE* out, std::chrono::milliseconds interval)
    : m_out(out), m_batches(std::make_unique<Batches>()) {
  if (!m_out) return;
  m_batches->flusher = std::thread([this, interval] {
    Batches& b = *m_batches;
    std::unique_lock lock(b.mutex);
    while (!b.stopping) {
      b.wake.wait_for(lock, interval, [&b] { return b.stopping || b.asked.load(std::memory_order_relaxed); });
      b.asked.store(false, std::memory_order_relaxed);
      lock.unlock();
      b.write_out(m_out);
      lock.lock();
    }
  });
}

AccessLog::~AccessLog() {
  if (m_batches->flusher.joinable()) {
    {
      std::lock_guard lock(m_batches->mutex);
      m_batches->stopping = true;
    }
    m_batches->wake.notify_one();
    m_batches->flusher.join();
  }
  flush();
}

void AccessLog::write(const AccessEntry& e) const noexcept {
  if (!m_out) return;
  try {
    Batches& b = *m_batches;
    Batches::ThreadLines& t = b.mine();
    std::size_t size;
    {
      std::lock_guard lock(t.mutex);
      append_access_line(t.lines, e);
      t.lines += '\n';
      size = t.lines.size();
    }
    if (size >= Batches::kWriteNow) {
      b.write_out(m_out);
    } else if (size >= Batches::kWriteSoon && !b.asked.exchange(true, std::memory_order_relaxed)) {
      b.wake.notify_one();
    }
  } catch (...) {
    // Out of memory while formatting: the line is lost, the request is not.
  }
}

void AccessLog::flush() const noexcept {
  if (!m_out) return;
  try {
    m_batches->write_out(m_out);
  } catch (...) {
    // Out of memory for the list of buffers: they are written with the next batch.
  }
}

}  // namespace minqing::server
