// Backups (issue 15, 备用): a consistent snapshot while a writer keeps committing, the manifest's
// checksums and counts, rotation that removes only old backups.

#include <atomic>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cpl_conv.h>

#include "access/crypto.hpp"
#include "backup/backup.hpp"
#include "backup/restore.hpp"
#include "backup/sqlite_snapshot.hpp"
#include "support/backup_fixture.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "support/file_bytes.hpp"

namespace {

using namespace minqing;

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

model::Feature shelter(int i) {
  model::Feature f;
  f.values = {std::string("W") + std::to_string(i), std::string("331124207202"), std::string("写入") + std::to_string(i),
              std::int64_t{50}, std::string("hall")};
  f.geometry = geo::Geometry::point({450000.0 + i, 3150000.0});
  return f;
}

// The shelter_id values of the store's shelters.
std::set<std::string> shelter_ids(const std::filesystem::path& store, const model::LayerCatalog& catalog) {
  std::set<std::string> out;
  const auto s = store::FeatureStore::open(store.string(), catalog, store::FeatureStore::Mode::read_only);
  s.for_each("shelters", [&](model::Feature& f) {
    if (const auto* id = std::get_if<std::string>(&f.values.at(0))) out.insert(*id);
  });
  return out;
}

}  // namespace

TEST_CASE("a backup taken during a stream of committed writes restores every write committed before it began",
          "[backup]") {
  auto f = test::make_backup_fixture("backup-during-writes");
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());

  // The writer commits one shelter per transaction in WAL mode, as the server writes edits, and
  // publishes how many have been committed.
  std::atomic<int> committed{0};
  std::atomic<bool> stop{false};
  std::string writer_error;
  std::thread writer([&] {
    try {
      CPLSetThreadLocalConfigOption("OGR_SQLITE_JOURNAL", "WAL");
      auto s = store::FeatureStore::open(f.files.store.string(), catalog, store::FeatureStore::Mode::update);
      for (int i = 0; !stop.load() && i < 100000; ++i) {
        s.begin();
        s.insert("shelters", shelter(i));
        s.commit();
        committed.store(i + 1);
      }
    } catch (const std::exception& e) {
      writer_error = e.what();
    }
    CPLSetThreadLocalConfigOption("OGR_SQLITE_JOURNAL", nullptr);
  });
  while (committed.load() < 30 && writer_error.empty()) std::this_thread::yield();
  const int before = committed.load();  // every one of these was committed before the backup began
  backup::Manifest m;
  try {
    m = backup::make_backup(f.files, f.out);
  } catch (...) {
    stop = true;
    writer.join();
    throw;
  }
  const int during = committed.load();
  // Let the writer go on after the backup, then stop it.
  while (committed.load() < during + 10 && writer_error.empty()) std::this_thread::yield();
  stop = true;
  writer.join();
  INFO("writer: " << writer_error);
  REQUIRE(writer_error.empty());
  INFO("committed before the backup: " << before << ", when it ended: " << during << ", in all: " << committed.load());
  CHECK(during > before);  // the writer kept committing while the backup ran (or at least up to it)

  // Restore it as a new store and look.
  const auto target = f.dir / "restored" / "store.gpkg";
  const auto r = backup::restore_backup(f.out / m.id, backup::StoreFiles::for_store(target), {});
  CHECK(backup::integrity_check(target) == "ok");
  const auto ids = shelter_ids(target, catalog);
  int written = 0;
  while (ids.count("W" + std::to_string(written))) ++written;
  CHECK(written >= before);           // every write committed before the backup began
  CHECK(written <= committed.load());
  // …and no gaps: the copy is one commit's database, each write whole or absent.
  int all_w = 0;
  for (const auto& id : ids) all_w += id.rfind('W', 0) == 0 ? 1 : 0;
  CHECK(all_w == written);
  CHECK(m.feature_counts.at("shelters") == static_cast<std::int64_t>(ids.size()));
}

TEST_CASE("the manifest lists every file with its size and SHA-256, the store's feature counts and the audit chain",
          "[backup]") {
  auto f = test::make_backup_fixture("backup-manifest", 7);
  const backup::Manifest m = backup::make_backup(f.files, f.out);
  const auto dir = f.out / m.id;
  CHECK(backup::is_backup_id(m.id));
  CHECK(mode_of(f.out) == 0700);
  CHECK(mode_of(dir) == 0700);

  std::set<std::string> roles, paths;
  for (const auto& file : m.files) {
    INFO(file.path);
    roles.insert(file.role);
    paths.insert(file.path);
    const std::string bytes = test::file_bytes(dir / file.path);
    CHECK(bytes.size() == file.bytes);
    CHECK(access::sha256_hex(bytes) == file.sha256);
    CHECK(mode_of(dir / file.path) == 0600);
  }
  CHECK(roles == std::set<std::string>{"store", "auth", "audit", "dem"});
  CHECK(paths.count("store.gpkg"));
  CHECK(paths.count("auth.sqlite"));
  CHECK(paths.count("audit/store.gpkg.audit.jsonl"));
  CHECK(paths.count("dem/331124207202.tif"));
  // The DEMs byte for byte.
  CHECK(test::directory_bytes(dir / "dem") == test::directory_bytes(f.files.dem_dir));

  // The same counts as the store, class by class.
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto s = store::FeatureStore::open(f.files.store.string(), catalog, store::FeatureStore::Mode::read_only);
  for (const auto& def : catalog.classes()) {
    INFO(def.name);
    CHECK(m.feature_counts.at(def.name) == s.count(def.name));
  }
  CHECK(m.store_integrity == "ok");
  CHECK(m.auth_integrity == "ok");
  CHECK(m.has_audit);
  CHECK(m.audit_entries == 7);
  CHECK(m.audit_chain == "ok");

  // The manifest on disk reads back as written.
  const backup::Manifest back = backup::read_manifest(dir);
  CHECK(back.to_json() == m.to_json());
  CHECK(back.tool == std::string("minqing ") + MINQING_VERSION);
  CHECK(back.created.size() == 24);  // 2026-12-01T20:45:12.345Z
  // Nothing is left half-made beside it.
  for (const auto& e : std::filesystem::directory_iterator(f.out)) CHECK(e.path().filename().string()[0] != '.');
}

TEST_CASE("a store without accounts, audit log or DEMs is backed up alone", "[backup]") {
  const auto dir = test::scratch_dir("backup-bare");
  std::filesystem::copy_file(test::sample_store(), dir / "bare.gpkg");
  const backup::Manifest m = backup::make_backup(backup::StoreFiles::for_store(dir / "bare.gpkg"), dir / "out");
  REQUIRE(m.files.size() == 1);
  CHECK(m.files[0].role == "store");
  CHECK_FALSE(m.has_audit);
  CHECK(m.auth_integrity.empty());
  CHECK_THROWS_WITH(backup::make_backup(backup::StoreFiles::for_store(dir / "missing.gpkg"), dir / "out"),
                    Catch::Contains("missing.gpkg"));
  // The failed one left nothing behind.
  CHECK(backup::list_backups(dir / "out").size() == 1);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "out")) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("rotation keeps the newest N backups and never removes the new one or anything that is not a backup",
          "[backup]") {
  auto f = test::make_backup_fixture("backup-rotation", 1);
  const auto t0 = std::chrono::system_clock::now();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(backup::make_backup(f.files, f.out, t0 + std::chrono::seconds(i)).id);
  // Two made in the same second get different ids.
  ids.push_back(backup::make_backup(f.files, f.out, t0 + std::chrono::seconds(3)).id);
  CHECK(ids[4] == ids[3] + "-2");

  // Things in the directory that are not backups.
  std::filesystem::create_directories(f.out / "notes");
  std::filesystem::create_directories(f.out / "20200101T000000Z");  // a backup's name, but no manifest
  std::filesystem::create_directories(f.out / ".20200101T000001Z.partial");
  { std::ofstream(f.out / "README.txt") << "keep me"; }

  REQUIRE(backup::list_backups(f.out).size() == 5);
  const auto removed = backup::rotate_backups(f.out, 2, ids[4]);
  CHECK(removed == std::vector<std::string>{ids[0], ids[1], ids[2]});
  std::vector<std::string> left;
  for (const auto& b : backup::list_backups(f.out)) left.push_back(b.manifest.id);
  CHECK(left == std::vector<std::string>{ids[3], ids[4]});
  CHECK(std::filesystem::is_directory(f.out / "notes"));
  CHECK(std::filesystem::is_directory(f.out / "20200101T000000Z"));
  CHECK(std::filesystem::is_directory(f.out / ".20200101T000001Z.partial"));
  CHECK(std::filesystem::is_regular_file(f.out / "README.txt"));

  // The protected backup survives even when it is the oldest; keep 0 removes nothing.
  CHECK(backup::rotate_backups(f.out, 0, "").empty());
  CHECK(backup::rotate_backups(f.out, 1, ids[3]) == std::vector<std::string>{ids[4]});
  CHECK(backup::list_backups(f.out).size() == 1);
}
