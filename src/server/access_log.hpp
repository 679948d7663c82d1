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
#include <string>
#include <string_view>

namespace minqing::server {

struct AccessEntry {
  std::chrono::system_clock::time_point time;
  std::string remote;  // "ip:port"
  std::string method;  // "-" when the request line could not be parsed
  std::string target;  // as sent; sanitised when formatted
  unsigned status = 0;
  std::size_t bytes = 0;  // response body bytes sent
  std::chrono::steady_clock::duration duration{};
};

// `target` made safe to log: secret query values redacted, control characters escaped, capped at
// 2 KiB.
std::string loggable_target(std::string_view target);

// The line for `e`, without the trailing newline.
std::string format_access_line(const AccessEntry& e);

// Writes access lines to a stdio stream (stderr by default). Thread-safe: each line is one
// fwrite, which stdio serialises. The stream is borrowed and must outlive the log.
class AccessLog {
 public:
  explicit AccessLog(std::FILE* out = stderr) noexcept : m_out(out) {}
  // Writes one line; never throws (a failing stream loses the line).
  void write(const AccessEntry& e) const noexcept;

 private:
  std::FILE* m_out;
};

}  // namespace minqing::server
