#pragma once
// Locations the tests need: MINQING_* environment variables, or the defaults compiled in by
// tests/CMakeLists.txt (MINQING_TEST_DEFAULT_*).

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "support/scratch_registry.hpp"

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

namespace detail {

// A new directory <tmp>/<name>-<pid>-<n>, made by this call and no other: mkdir fails (returns
// false) when the name exists, and then the next n is tried. The pid tells processes apart (ctest
// runs each test case as its own process, several at once), the counter calls within one.
inline std::filesystem::path make_unique_dir(const std::string& name) {
  static std::atomic<unsigned long> counter{0};
  const std::filesystem::path root = env_or_throw("MINQING_TEST_TMP");
  std::filesystem::create_directories(root);
  for (;;) {
    auto dir = root / (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    if (std::filesystem::create_directory(dir)) return dir;  // else: left by an earlier run
  }
}

}  // namespace detail

// A new, empty directory for the running test case: <tmp>/<name>-<pid>-<n>, unique by
// construction, so no two cases (nor two calls in one case) ever share one, whatever `name` they
// pass. It is removed when the case ends if the case passed, and kept (its path printed) if it
// failed (the listener in tests/catch_main.cpp). Not for state that outlives the case (a static
// App's files): use run_scratch_dir.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = detail::make_unique_dir(name);
  auto& r = detail::scratch_registry();
  const std::lock_guard lock(r.mutex);
  r.case_dirs.push_back(dir);
  return dir;
}

// Like scratch_dir, for state kept for the whole process (a function-local static): removed at
// the end of the run if every case passed, else kept.
inline std::filesystem::path run_scratch_dir(const std::string& name) {
  auto dir = detail::make_unique_dir(name);
  auto& r = detail::scratch_registry();
  const std::lock_guard lock(r.mutex);
  r.run_dirs.push_back(dir);
  return dir;
}

}  // namespace minqing::test
