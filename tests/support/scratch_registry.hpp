#pragma once
// Which scratch directories (support/test_env.hpp scratch_dir, run_scratch_dir) exist, so that the
// listener in catch_main.cpp removes them when their test case or run passed, and keeps them for
// a look when it failed. Needs no test location, so catch_main.cpp can include it.

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <vector>

namespace minqing::test::detail {

// Scratch directories made so far and not yet removed. Shared by every thread of the process.
struct ScratchRegistry {
  std::mutex mutex;
  std::vector<std::filesystem::path> case_dirs;  // removed when the current test case passes
  std::vector<std::filesystem::path> run_dirs;   // removed when the whole run passes
};

inline ScratchRegistry& scratch_registry() {
  static ScratchRegistry r;
  return r;
}

// Removes what `dirs` lists, or, when `keep`, says on stderr where each one was kept.
inline void clean_scratch(std::vector<std::filesystem::path>& dirs, bool keep) {
  for (const auto& d : dirs) {
    if (keep) {
      std::fprintf(stderr, "scratch directory kept: %s\n", d.c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  }
  dirs.clear();
}

}  // namespace minqing::test::detail
