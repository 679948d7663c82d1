// FeatureStore writes (issue 15): read one, update, delete, the history table in the same
// transaction, WAL with synchronous commits, and an older store gaining the table at its first
// write-open while read-only opens leave it as it is.

#include <filesystem>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "support/sqlite_probe.hpp"
#include "support/test_env.hpp"

namespace store = minqing::store;
namespace model = minqing::model;
namespace test = minqing::test;

namespace {

model::Feature shelter(const std::string& id, std::int64_t capacity) {
  model::Feature f;
  f.values = {id, std::string("331123100200"), std::string("礼堂"), capacity, std::string("hall")};
  f.geometry = minqing::geo::Geometry::point({450000.0, 3150000.0});
  return f;
}

store::HistoryRow row(const std::string& op, std::int64_t fid, std::int64_t version) {
  store::HistoryRow r;
  r.class_name = "shelters";
  r.fid = fid;
  r.version = version;
  r.op = op;
  r.user = "admin";
  r.time = "2026-12-01T20:00:00.000Z";
  r.request_id = "r1";
  r.after = "{}";
  return r;
}

}  // namespace

TEST_CASE("store writes: read one, update and delete, each with its history row in one transaction", "[store][edits]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto path = test::scratch_dir("store-writes") / "store.gpkg";
  { store::FeatureStore::create(path, catalog); }
  auto st = store::FeatureStore::open(path.string(), catalog, store::FeatureStore::Mode::update);
  CHECK(test::sqlite_text(path, "PRAGMA journal_mode") == "wal");

  st.begin();
  const auto fid = st.insert("shelters", shelter("S1", 100));
  st.append_history(row("insert", fid, 1));
  st.commit();
  auto one = st.read("shelters", fid);
  REQUIRE(one);
  CHECK(std::get<std::int64_t>(one->values[3]) == 100);
  CHECK_FALSE(st.read("shelters", fid + 100));

  model::Feature changed = *one;
  changed.values[3] = std::int64_t{250};
  st.begin();
  st.update("shelters", changed);
  st.append_history(row("update", fid, 2));
  st.rollback();  // neither the change nor its history row
  CHECK(std::get<std::int64_t>(st.read("shelters", fid)->values[3]) == 100);
  int rows = 0;
  st.for_each_history([&](const store::HistoryRow&) { ++rows; });
  CHECK(rows == 1);

  st.begin();
  st.update("shelters", changed);
  st.append_history(row("update", fid, 2));
  st.commit();
  CHECK(std::get<std::int64_t>(st.read("shelters", fid)->values[3]) == 250);

  st.begin();
  st.remove("shelters", fid);
  st.append_history(row("delete", fid, 3));
  st.commit();
  CHECK_FALSE(st.read("shelters", fid));
  CHECK_THROWS_AS(st.update("shelters", changed), minqing::StoreError);
  CHECK_THROWS_AS(st.remove("shelters", fid), minqing::StoreError);

  // A deleted feature comes back under its own fid (a revert).
  st.begin();
  CHECK(st.insert("shelters", changed) == fid);
  st.commit();

  std::vector<store::HistoryRow> seen;
  st.for_each_history([&](const store::HistoryRow& r) { seen.push_back(r); });
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].op == "insert");
  CHECK(seen[2].op == "delete");
  CHECK(seen[2].version == 3);
  CHECK(seen[0].seq < seen[1].seq);
  CHECK(seen[2].before.empty());
  CHECK(test::sqlite_text(path, "PRAGMA integrity_check") == "ok");
}

TEST_CASE("store writes: an older store opens read-only as it is and gains the history table at its first write-open", "[store][edits]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto path = test::scratch_dir("store-old") / "old.gpkg";
  std::filesystem::copy_file(test::sample_store(), path);
  {
    auto ro = store::FeatureStore::open(path.string(), catalog, store::FeatureStore::Mode::read_only);
    int rows = 0;
    ro.for_each_history([&](const store::HistoryRow&) { ++rows; });
    CHECK(rows == 0);
  }
  CHECK(test::sqlite_text(path, "SELECT count(*) FROM sqlite_master WHERE name = 'minqing_history'") == "0");
  { auto rw = store::FeatureStore::open(path.string(), catalog, store::FeatureStore::Mode::update); }
  CHECK(test::sqlite_text(path, "SELECT count(*) FROM sqlite_master WHERE name = 'minqing_history'") == "1");
  CHECK(test::sqlite_text(path, "PRAGMA journal_mode") == "wal");
}
