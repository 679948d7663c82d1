#pragma once
// What a test's stdio file (std::tmpfile, an access log's stream) holds so far.

#include <cstdio>
#include <string>

namespace minqing::server::test {

// Everything written to `f` so far; leaves it positioned at its end.
inline std::string text_of(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string all;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) all.append(buf, n);
  return all;
}

}  // namespace minqing::server::test
