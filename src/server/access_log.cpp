#include "server/access_log.hpp"

#include <array>
#include <cctype>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

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

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string loggable_target(std::string_view target) {
  const bool truncated = target.size() > kMaxLoggedTarget;
  if (truncated) target = target.substr(0, kMaxLoggedTarget);
  std::string out;
  out.reserve(target.size() + 8);
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
  return out;
}

std::string format_access_line(const AccessEntry& e) {
  const auto since_epoch = e.time.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count();
  const std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  const double ms = std::chrono::duration<double, std::milli>(e.duration).count();
  char tail[64];
  std::snprintf(tail, sizeof tail, "\" %u %zu %.1fms", e.status, e.bytes, ms);

  std::string line = stamp;
  line += ' ';
  append_escaped(line, e.remote.empty() ? std::string_view("-") : std::string_view(e.remote));
  line += ' ';
  append_escaped(line, e.method.empty() ? std::string_view("-") : std::string_view(e.method));
  line += " \"";
  line += loggable_target(e.target);
  line += tail;
  return line;
}

struct AccessLog::Batches {
  static constexpr std::size_t kWriteNow = 64 * 1024;

  std::mutex mutex;  // guards pending, stopping and the stream's order of batches
  std::condition_variable wake;
  std::string pending;
  bool stopping = false;
  std::thread flusher;

  // Writes what is pending. Under `mutex`: a batch is written every `interval` or 64 KiB, so
  // requests seldom wait for it, and batches keep their order.
  void write_out(std::FILE* out) {
    if (pending.empty()) return;
    std::fwrite(pending.data(), 1, pending.size(), out);
    std::fflush(out);
    pending.clear();
  }
};

AccessLog::AccessLog(std::FILE* out, std::chrono::milliseconds interval)
    : m_out(out), m_batches(std::make_unique<Batches>()) {
  if (!m_out) return;
  m_batches->flusher = std::thread([this, interval] {
    Batches& b = *m_batches;
    std::unique_lock lock(b.mutex);
    while (!b.stopping) {
      b.wake.wait_for(lock, interval);
      b.write_out(m_out);
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
    std::string line = format_access_line(e);
    line += '\n';
    std::lock_guard lock(m_batches->mutex);
    m_batches->pending += line;
    if (m_batches->pending.size() >= Batches::kWriteNow) m_batches->write_out(m_out);
  } catch (...) {
    // Out of memory while formatting: the line is lost, the request is not.
  }
}

void AccessLog::flush() const noexcept {
  if (!m_out) return;
  std::lock_guard lock(m_batches->mutex);
  m_batches->write_out(m_out);
}

}  // namespace minqing::server
