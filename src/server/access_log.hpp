#pragma once
// The access log: one line per answered request, e.g.
//   2024-05-01T08:30:12.345Z 127.0.0.1:53124 GET "/api/layers" 200 4311 0.8ms
// (UTC time, remote address, method, target, status, body bytes, duration from the complete
// request to the written answer). Request headers are never logged — so neither Authorization
// nor cookies — and the values of secret-bearing query parameters (token, access_token,
// password, secret, …) are replaced by "***". Control characters, quotes and backslashes in the
// target are escaped, so a client cannot forge log lines.

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace minqing::server {

// The strings are borrowed: they need only outlive the call that formats or writes the entry.
struct AccessEntry {
  std::chrono::system_clock::time_point time;
  std::string_view remote;  // "ip:port"
  std::string_view method;  // "-" when the request line could not be parsed
  std::string_view target;  // as sent; sanitised when formatted
  unsigned status = 0;
  std::size_t bytes = 0;  // response body bytes sent
  std::chrono::steady_clock::duration duration{};
};

// `target` made safe to log: secret query values redacted, control characters escaped, capped at
// 2 KiB.
std::string loggable_target(std::string_view target);

// The line for `e`, without the trailing newline.
std::string format_access_line(const AccessEntry& e);
// The same line appended to `out` (no allocation once `out` has room: the request path formats
// into a reused buffer).
void append_access_line(std::string& out, const AccessEntry& e);

// Writes access lines to a stdio stream (stderr by default), in batches: each thread gathers its
// lines in memory, and a background thread writes them every `interval`, or soon when a thread has
// 64 KiB waiting, and on flush() and destruction. One write per batch instead of one per request:
// on a cached tile that syscall was 5 % of the request's CPU (nginx buffers its access log the
// same way). A thread's lines keep their order; different threads' lines interleave by batch.
// A crash loses at most `interval` of lines; the audit log, not this one, is the durable record.
// Thread-safe. The stream is borrowed and must outlive the log.
class AccessLog {
 public:
  explicit AccessLog(std::FILE* out = stderr,
                     std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Queues one line; never throws (out of memory loses the line).
  void write(const AccessEntry& e) const noexcept;
  // Writes every queued line to the stream and flushes it.
  void flush() const noexcept;

 private:
  struct Batches;
  std::FILE* m_out;
  std::unique_ptr<Batches> m_batches;
};

}  // namespace minqing::server
