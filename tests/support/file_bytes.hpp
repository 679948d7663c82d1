#pragma once
// Whole-file and whole-directory contents, for "left exactly as it was" and determinism checks.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace minqing::test {

inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every regular file under `dir` (recursively), by relative path.
inline std::map<std::string, std::string> directory_bytes(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[std::filesystem::relative(e.path(), dir).string()] = file_bytes(e.path());
  }
  return out;
}

}  // namespace minqing::test
