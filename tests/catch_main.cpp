// The one Catch2 main of the test suite, and the listener that tidies scratch directories.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "support/scratch_registry.hpp"

namespace {

// Removes a test case's scratch directories when it passed, and those of the run when every case
// passed; a failed case keeps them (their paths go to stderr) for a look afterwards. A crash
// removes nothing.
class ScratchCleanup : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    const bool failed = stats.totals.assertions.failed > 0;
    m_failed = m_failed || failed;
    auto& r = minqing::test::detail::scratch_registry();
    const std::lock_guard lock(r.mutex);
    minqing::test::detail::clean_scratch(r.case_dirs, failed);
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    auto& r = minqing::test::detail::scratch_registry();
    const std::lock_guard lock(r.mutex);
    minqing::test::detail::clean_scratch(r.run_dirs, m_failed || stats.totals.assertions.failed > 0);
  }

 private:
  bool m_failed = false;
};

}  // namespace

CATCH_REGISTER_LISTENER(ScratchCleanup)
