#pragma once
// AppOptions for tests: the auth database and the audit log in a scratch directory of this process
// (never beside the committed sample), fast password hashing, no fdatasync.

#include <filesystem>
#include <string>

#include <unistd.h>

#include "access/password_hash.hpp"
#include "server/app.hpp"
#include "support/test_env.hpp"

namespace minqing::test {

inline server::AppOptions app_options(const std::filesystem::path& store, const std::string& name) {
  server::AppOptions o{store.string(), layers_dir()};
  // One directory per process: ctest runs test cases as concurrent processes, each with its App.
  const auto dir = std::filesystem::path(env_or_throw("MINQING_TEST_TMP")) /
                   (name + "-auth-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  o.auth_db = dir / "auth.sqlite";
  o.audit_log = dir / "audit.jsonl";
  o.auth.cost = access::PasswordCost::minimum();
  o.durable_audit = false;
  return o;
}

inline server::AppOptions sample_app_options(const std::string& name) {
  return app_options(sample_store(), name);
}

}  // namespace minqing::test
