// `minqing backup` and `minqing restore` (issue 15, 备用) as an administrator runs them: a backup
// directory printed and rotated by --keep, a corrupted backup refused with exit 1 naming the file,
// a good one restored into place.

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "backup/backup.hpp"
#include "backup/sqlite_snapshot.hpp"
#include "support/backup_fixture.hpp"
#include "support/file_bytes.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

std::string bin() { return test::minqing_bin().string(); }

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  const auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

TEST_CASE("minqing backup makes a checked backup and rotates, minqing restore refuses a corrupted one",
          "[cli][backup]") {
  auto f = test::make_backup_fixture("backup-command");
  const std::string backup_cmd =
      bin() + " backup --store '" + f.files.store.string() + "' --out '" + f.out.string() + "' --keep 2";
  std::string dir;
  for (int i = 0; i < 3; ++i) {
    // stdout: the new directory alone (stderr goes to /dev/null here)
    const auto r = test::run_command(backup_cmd + " 2>/dev/null");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    dir = last_line(r.output);
    CHECK(std::filesystem::is_regular_file(std::filesystem::path(dir) / "manifest.json"));
  }
  CHECK(backup::list_backups(f.out).size() == 2);

  // One byte flipped: refused, exit 1, the file named, the store untouched.
  const std::string store_bytes = test::file_bytes(f.files.store);
  {
    std::fstream io(std::filesystem::path(dir) / "store.gpkg", std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(5000);
    io.put('\x7f');
  }
  const std::string restore_cmd = bin() + " restore --backup '" + dir + "' --store '" + f.files.store.string() + "'";
  auto refused = test::run_command(restore_cmd + " --force");
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Catch::Contains("store.gpkg is corrupted"));
  CHECK(test::file_bytes(f.files.store) == store_bytes);
  auto verify = test::run_command(bin() + " restore --verify-only --backup '" + dir + "' --store x.gpkg");
  CHECK(verify.exit_code == 1);

  // The other, intact backup restores into a new place.
  const auto good = f.out / backup::list_backups(f.out).front().manifest.id;
  const auto target = f.dir / "elsewhere" / "villages.gpkg";
  auto restored = test::run_command(bin() + " restore --backup '" + good.string() + "' --store '" + target.string() + "'");
  INFO(restored.output);
  CHECK(restored.exit_code == 0);
  CHECK(backup::integrity_check(target) == "ok");
  CHECK(std::filesystem::exists(f.dir / "elsewhere" / "villages.gpkg.auth.sqlite"));
  CHECK(std::filesystem::exists(f.dir / "elsewhere" / "villages.gpkg.audit.jsonl"));
  CHECK(std::filesystem::exists(f.dir / "elsewhere" / "villages.dem" / "331124207202.tif"));
  // Restoring over it again needs --force.
  auto again = test::run_command(bin() + " restore --backup '" + good.string() + "' --store '" + target.string() + "'");
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Catch::Contains("--force"));
}
