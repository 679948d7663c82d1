#pragma once
// A store with everything a backup copies, in a scratch directory of its own: a copy of the
// committed sample (store.gpkg and its DEMs in store.dem/), an auth database (store.gpkg.auth.sqlite)
// and an audit log of a few entries (store.gpkg.audit.jsonl) — the layout `minqing serve` uses.

#include <chrono>
#include <filesystem>
#include <string>

#include "access/audit_log.hpp"
#include "access/auth_db.hpp"
#include "access/password_hash.hpp"
#include "backup/backup.hpp"
#include "support/test_env.hpp"

namespace minqing::test {

struct BackupFixture {
  std::filesystem::path dir;  // the scratch directory
  backup::StoreFiles files;   // its store and the files beside it
  std::filesystem::path out;  // dir/backups (not created)
};

inline BackupFixture make_backup_fixture(const std::string& name, int audit_entries = 5) {
  BackupFixture f;
  f.dir = scratch_dir(name);
  const auto store = f.dir / "store.gpkg";
  std::filesystem::copy_file(sample_store(), store);
  const auto sample_dem = sample_store().parent_path() / (sample_store().stem().string() + ".dem");
  std::filesystem::copy(sample_dem, f.dir / "store.dem", std::filesystem::copy_options::recursive);
  f.files = backup::StoreFiles::for_store(store);
  {
    access::AuthOptions o;
    o.cost = access::PasswordCost::minimum();
    auto auth = access::AuthDb::open(f.files.auth_db, o);
  }
  access::AuditLog audit(f.files.audit_log, access::AuditOptions{false, 0});
  const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  for (int i = 0; i < audit_entries; ++i) {
    audit.append({"admin", "192.0.2.1", "login", {{"n", i}}}, t0 + std::chrono::seconds(i));
  }
  f.out = f.dir / "backups";
  return f;
}

}  // namespace minqing::test
