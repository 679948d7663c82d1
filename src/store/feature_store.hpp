#pragma once
// The feature store: one table per feature class, read and written through GDAL/OGR.
// The embedded default is a GeoPackage file; because every access goes through OGR, a PostGIS
// connection string ("PG:dbname=…") can later take its place without changing callers.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "store/history_row.hpp"

namespace minqing::store {

// The survey CRS Zhejiang data comes in: CGCS2000 / 3-degree Gauss-Krüger CM 120°E.
inline constexpr int kDefaultStoreEpsg = 4549;

// An open store. Not thread-safe: one thread at a time (the serving index is what threads share).
// Geometries come and go in the store CRS (epsg()).
class FeatureStore {
 public:
  enum class Mode { read_only, update };

  // Opens an existing store. In update mode, tables missing for classes that the catalog defines
  // are created (a newer layers/ adds classes without a migration step), and so is the history
  // table (an older store gains it at its first write-open); a GeoPackage is switched to SQLite's
  // WAL journal with synchronous commits, so that a committed transaction survives a crash of the
  // process (or the machine) at any later moment and an uncommitted one leaves no trace.
  // @throws StoreError naming the location when it cannot be opened or is not a feature store.
  static FeatureStore open(const std::string& location, const model::LayerCatalog& catalog, Mode mode);

  // Creates a new, empty GeoPackage with one table per feature class in EPSG:`epsg`.
  // @throws StoreError when `path` exists or cannot be written.
  static FeatureStore create(const std::filesystem::path& path, const model::LayerCatalog& catalog,
                             int epsg = kDefaultStoreEpsg);

  FeatureStore(FeatureStore&&) noexcept;
  FeatureStore& operator=(FeatureStore&&) noexcept;
  ~FeatureStore();

  const std::string& location() const noexcept;
  int epsg() const noexcept;
  const model::LayerCatalog& catalog() const noexcept;

  // Calls `fn` for every feature of `class_name` in fid order. Values follow the class's field
  // order; store columns the definition does not know are ignored.
  // @throws StoreError for an unknown class.
  void for_each(const std::string& class_name, const std::function<void(model::Feature&)>& fn) const;
  std::int64_t count(const std::string& class_name) const;
  // The feature of `class_name` with store id `fid`, or nullopt when there is none.
  // @throws StoreError for an unknown class.
  std::optional<model::Feature> read(const std::string& class_name, std::int64_t fid) const;

  // Writes happen inside one transaction: begin(), insert()…, then commit() or rollback().
  void begin();
  void commit();
  void rollback();
  // Inserts `f` (geometry in the store CRS, values in field order) and returns its new fid.
  // A feature whose fid is set (> 0) keeps it (a deleted feature restored by a revert); else the
  // store gives the next one.
  // @throws StoreError on a write failure (a fid already taken among them).
  std::int64_t insert(const std::string& class_name, const model::Feature& f);
  // Replaces the values and geometry of the stored feature `f.fid`.
  // @throws StoreError when there is no such feature or the write fails.
  void update(const std::string& class_name, const model::Feature& f);
  // Deletes feature `fid`. @throws StoreError when there is no such feature or the write fails.
  void remove(const std::string& class_name, std::int64_t fid);

  // The history table (minqing_history, a plain attribute table of the same file): one row per
  // change, written inside the change's own transaction. Returns the row's seq (its fid there).
  // @throws StoreError on a write failure or a store opened read-only.
  std::int64_t append_history(const HistoryRow& row);
  // Every history row in seq order; none for a store that has no history table yet.
  void for_each_history(const std::function<void(const HistoryRow&)>& fn) const;

  // Where the village DEM rasters (GeoTIFF, one per village_code) live: "<store>.dem/" beside a
  // GeoPackage.
  std::filesystem::path relief_directory() const;

 private:
  struct Impl;
  explicit FeatureStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// The relief directory of the store at `location` ("<dir>/<stem>.dem"), whether or not it exists.
std::filesystem::path relief_directory_of(const std::string& location);

// Path of the DEM raster of one village under a relief directory.
std::filesystem::path relief_path(const std::filesystem::path& relief_dir, const std::string& village_code);

}  // namespace minqing::store
