// Every Catch2 test case is registered in CTest under its name (catch_discover_tests), and CTest
// splits a name at ';' into two entries that match no test and fail. It bit twice: names here
// must never hold one.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "support/test_env.hpp"

TEST_CASE("test names hold no semicolon, which CTest would split into tests that match nothing", "[build]") {
  const std::filesystem::path tests = minqing::test::source_dir() / "tests";
  const std::regex test_case(R"re(TEST_CASE\s*\(\s*"((?:[^"\\]|\\.)*)")re");
  std::string offending;
  std::size_t names = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tests)) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    for (std::sregex_iterator m(text.begin(), text.end(), test_case), end; m != end; ++m) {
      ++names;
      if ((*m)[1].str().find(';') != std::string::npos) {
        offending += entry.path().filename().string() + ": " + (*m)[1].str() + "\n";
      }
    }
  }
  CHECK(names > 300);
  INFO("names with ';':\n" << offending);
  CHECK(offending.empty());
}
