#pragma once
// AppOptions for tests: the auth database and the audit log in a scratch directory of their own
// (never beside the committed sample, never shared with another App or process), fast password
// hashing, no fdatasync.

#include <filesystem>
#include <string>

#include "access/password_hash.hpp"
#include "server/app.hpp"
#include "support/test_env.hpp"

namespace minqing::test {

inline server::AppOptions app_options(const std::filesystem::path& store, const std::string& name) {
  server::AppOptions o{store.string(), layers_dir()};
  // Kept for the run, not the case: most tests hold their App in a function-local static.
  const auto dir = run_scratch_dir(name + "-auth");
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
