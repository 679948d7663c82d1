#pragma once
// Locations the tests need, read from the environment CTest sets (tests/CMakeLists.txt).

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace minqing::test {

inline std::string env_or_throw(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) throw std::runtime_error(std::string("test environment variable ") + name + " is not set; run through ctest");
  return v;
}

inline std::filesystem::path source_dir() { return env_or_throw("MINQING_SOURCE"); }
inline std::filesystem::path layers_dir() { return env_or_throw("MINQING_LAYERS"); }
inline std::filesystem::path sample_store() { return env_or_throw("MINQING_SAMPLE"); }
inline std::filesystem::path minqing_bin() { return env_or_throw("MINQING_BIN"); }

// A fresh, empty directory for one test, under the build tree.
inline std::filesystem::path scratch_dir(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(env_or_throw("MINQING_TEST_TMP")) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace minqing::test
