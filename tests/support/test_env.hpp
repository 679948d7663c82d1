#pragma once
// Locations the tests need: MINQING_* environment variables, or the defaults compiled in by
// tests/CMakeLists.txt (MINQING_TEST_DEFAULT_*).

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace minqing::test {

namespace detail {
struct Default {
  const char* name;
  const char* value;
};
inline constexpr Default kDefaults[] = {
    {"MINQING_SOURCE", MINQING_TEST_DEFAULT_SOURCE}, {"MINQING_LAYERS", MINQING_TEST_DEFAULT_LAYERS},
    {"MINQING_STYLES", MINQING_TEST_DEFAULT_STYLES}, {"MINQING_DOMAIN", MINQING_TEST_DEFAULT_DOMAIN},
    {"MINQING_SAMPLE", MINQING_TEST_DEFAULT_SAMPLE}, {"MINQING_BIN", MINQING_TEST_DEFAULT_BIN},
    {"MINQING_TEST_TMP", MINQING_TEST_DEFAULT_TMP},
};
}  // namespace detail

// The variable's value, else its compiled-in default. @throws std::runtime_error for an unknown name.
inline std::string env_or_throw(const char* name) {
  if (const char* v = std::getenv(name); v && *v) return v;
  for (const auto& d : detail::kDefaults) {
    if (std::string(d.name) == name) return d.value;
  }
  throw std::runtime_error(std::string("unknown test location ") + name);
}

inline std::filesystem::path source_dir() { return env_or_throw("MINQING_SOURCE"); }
inline std::filesystem::path layers_dir() { return env_or_throw("MINQING_LAYERS"); }
inline std::filesystem::path styles_dir() { return env_or_throw("MINQING_STYLES"); }
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
