// Restore (issue 15, 备用): a backup is checked whole before anything is touched; a corrupted or
// incomplete one is refused naming the file, and the current store is left exactly as it was; a
// good one replaces the store's files, which are moved aside, never deleted; a served store is
// not replaced.

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "access/audit_log.hpp"
#include "backup/backup.hpp"
#include "backup/restore.hpp"
#include "backup/sqlite_snapshot.hpp"
#include "backup/store_lock.hpp"
#include "support/backup_fixture.hpp"
#include "support/file_bytes.hpp"

namespace {

using namespace minqing;

void flip_byte(const std::filesystem::path& p, std::uint64_t at) {
  std::fstream io(p, std::ios::in | std::ios::out | std::ios::binary);
  io.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  io.get(c);
  io.seekp(static_cast<std::streamoff>(at));
  io.put(static_cast<char>(c ^ 0x01));
}

// The message of the RestoreRefused `fn` throws; "" when it throws none.
template <class Fn>
std::string refusal(Fn fn) {
  try {
    fn();
  } catch (const backup::RestoreRefused& e) {
    return e.what();
  }
  return "";
}

// Everything in the fixture's directory but its backups: what a refused restore must not change.
std::map<std::string, std::string> live_files(const test::BackupFixture& f) {
  auto all = test::directory_bytes(f.dir);
  for (auto it = all.begin(); it != all.end();) {
    it = it->first.rfind("backups/", 0) == 0 ? all.erase(it) : std::next(it);
  }
  return all;
}

}  // namespace

TEST_CASE("restore refuses a corrupted or incomplete backup, naming the file, and leaves the store untouched",
          "[backup][restore]") {
  auto f = test::make_backup_fixture("restore-refuses");
  const backup::Manifest m = backup::make_backup(f.files, f.out);
  const auto dir = f.out / m.id;
  const auto before = live_files(f);
  backup::RestoreOptions force;
  force.force = true;

  SECTION("one byte flipped in the store") {
    flip_byte(dir / "store.gpkg", std::filesystem::file_size(dir / "store.gpkg") / 2);
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("store.gpkg is corrupted"));
  }
  SECTION("one byte flipped in a DEM") {
    flip_byte(dir / "dem" / "331124207203.tif", 1000);
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("dem/331124207203.tif is corrupted"));
  }
  SECTION("one byte flipped in the audit log") {
    flip_byte(dir / "audit" / "store.gpkg.audit.jsonl", 10);
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("audit/store.gpkg.audit.jsonl is corrupted"));
  }
  SECTION("a file cut short") {
    std::filesystem::resize_file(dir / "auth.sqlite", std::filesystem::file_size(dir / "auth.sqlite") - 1);
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("auth.sqlite is corrupted"));
  }
  SECTION("a file missing") {
    std::filesystem::remove(dir / "dem" / "331124207202.tif");
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("incomplete") && Catch::Matchers::Contains("dem/331124207202.tif is missing"));
  }
  SECTION("the manifest missing (a backup cut short)") {
    std::filesystem::remove(dir / "manifest.json");
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("incomplete") && Catch::Matchers::Contains("manifest.json"));
  }
  SECTION("a manifest naming a file outside the backup") {
    std::string text = test::file_bytes(dir / "manifest.json");
    const auto at = text.find("\"dem/331124207201.tif\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 22, "\"../../store.gpkg\"");
    std::ofstream(dir / "manifest.json", std::ios::binary | std::ios::trunc) << text;
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("outside the backup"));
  }
  // Nothing was moved, replaced, staged or added beside the store.
  CHECK(live_files(f) == before);
}

TEST_CASE("restore puts the backup in place, moves the current files aside and records itself in the audit log",
          "[backup][restore]") {
  auto f = test::make_backup_fixture("restore-swaps", 3);
  const backup::Manifest m = backup::make_backup(f.files, f.out);
  const auto dir = f.out / m.id;

  // The store changes after the backup: a later audit entry, a DEM removed, a stale WAL file.
  {
    access::AuditLog audit(f.files.audit_log, access::AuditOptions{false, 0});
    audit.append({"admin", "192.0.2.1", "account_change", {}}, std::chrono::system_clock::now());
  }
  std::filesystem::remove(f.files.dem_dir / "331124207201.tif");
  std::ofstream(f.files.store.string() + "-wal") << "a WAL that belongs to the replaced store";
  const std::string replaced_audit = test::file_bytes(f.files.audit_log);

  SECTION("an existing store is replaced only with force") {
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, {}); }), Catch::Matchers::Contains("--force"));
  }
  SECTION("not while a server holds the store") {
    const auto serving = backup::StoreLock::shared(f.files.store);
    REQUIRE(serving);
    backup::RestoreOptions force;
    force.force = true;
    CHECK_THAT(refusal([&] { backup::restore_backup(dir, f.files, force); }), Catch::Matchers::Contains("server") && Catch::Matchers::Contains("stop it first"));
    CHECK(std::filesystem::exists(f.files.dem_dir / "331124207202.tif"));
    CHECK_FALSE(std::filesystem::exists(f.files.dem_dir / "331124207201.tif"));
  }
  SECTION("restored with force") {
    backup::RestoreOptions force;
    force.force = true;
    force.actor = "cli:tester";
    const auto r = backup::restore_backup(dir, f.files, force);
    CHECK(r.warning.empty());
    CHECK(r.replaced == std::vector<std::string>{"store", "auth", "audit", "dem"});
    // The backup's files are the store's now.
    CHECK(test::file_bytes(f.files.store) == test::file_bytes(dir / "store.gpkg"));
    CHECK(test::file_bytes(f.files.auth_db) == test::file_bytes(dir / "auth.sqlite"));
    CHECK(test::directory_bytes(f.files.dem_dir) == test::directory_bytes(dir / "dem"));
    CHECK_FALSE(std::filesystem::exists(f.files.store.string() + "-wal"));  // the old WAL went with the old store
    CHECK(backup::integrity_check(f.files.store) == "ok");
    // The replaced files are kept aside.
    REQUIRE_FALSE(r.moved_aside.empty());
    CHECK(r.moved_aside.parent_path() == f.dir);
    CHECK(r.moved_aside.filename().string().rfind("store.gpkg.before-restore-", 0) == 0);
    CHECK(std::filesystem::exists(r.moved_aside / "store.gpkg"));
    CHECK(std::filesystem::exists(r.moved_aside / "store.gpkg-wal"));
    CHECK(test::file_bytes(r.moved_aside / "store.gpkg.audit.jsonl") == replaced_audit);
    CHECK(std::filesystem::exists(r.moved_aside / "store.dem" / "331124207202.tif"));
    // The restored audit log holds the backup's 3 entries and the restore, its chain whole.
    const auto verified = access::AuditLog::verify(f.files.audit_log);
    CHECK(verified.ok);
    CHECK(verified.entries == 4);
    const auto page = access::AuditLog(f.files.audit_log).page(3, 1);
    REQUIRE(page.entries.size() == 1);
    CHECK(page.entries[0]["action"] == "backup_restored");
    CHECK(page.entries[0]["user"] == "cli:tester");
    CHECK(page.entries[0]["detail"]["backup"] == m.id);
    // Nothing staged is left behind.
    for (const auto& e : std::filesystem::directory_iterator(f.dir)) {
      CHECK(e.path().filename().string().find(".restoring") == std::string::npos);
    }
  }
}

TEST_CASE("verify_backup checks a backup without changing anything", "[backup][restore]") {
  auto f = test::make_backup_fixture("restore-verify");
  const backup::Manifest m = backup::make_backup(f.files, f.out);
  const auto before = test::directory_bytes(f.dir);
  CHECK(backup::verify_backup(f.out / m.id).id == m.id);
  CHECK(test::directory_bytes(f.dir) == before);
  CHECK_THROWS_AS(backup::verify_backup(f.dir / "nothing-here"), backup::RestoreRefused);
}
