#pragma once
// The map data a server holds: the store, the serving index loaded from it, and the structures the
// query engines build over it once at load (search index, statistics groupings, extents). The only
// way to read it is a ScopedReader made for one caller (reader()); the raw index is reachable only
// through unscoped_index(), for the command line, tests and benchmarks — a server handler cannot
// use it without including a store/ header, which the build's boundary test refuses.
//
// Not copyable. Thread-safe: any number of readers on any threads.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "access/scope.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "query/scoped_reader.hpp"

namespace minqing::store {
class FeatureStore;
class ServingIndex;
}  // namespace minqing::store

namespace minqing::query {

class ExtentCache;
class SearchIndex;
class Statistics;

class Dataset {
 public:
  // Opens the store at `location` read-only and loads everything served from it.
  // @throws StoreError when the store cannot be opened or read, ProjError when its CRS cannot be
  // transformed to EPSG:3857.
  static std::unique_ptr<Dataset> open(const std::string& location, const model::LayerCatalog& catalog);
  // Serves an index loaded elsewhere (tests, benchmarks): no store behind it, so location() is ""
  // and relief_directory() empty.
  static std::unique_ptr<Dataset> serve(const model::LayerCatalog& catalog, std::unique_ptr<store::ServingIndex> index);
  ~Dataset();
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  // The reader for one caller; borrows `scope` and this dataset.
  ScopedReader reader(const access::Scope& scope) const { return ScopedReader(*this, scope); }

  const model::LayerCatalog& catalog() const noexcept { return m_catalog; }
  const std::string& location() const noexcept;
  // Where the store keeps its village DEMs (render::ReliefSource reads them).
  std::filesystem::path relief_directory() const;
  // Features held, over all classes.
  std::size_t feature_count() const;
  std::uint64_t data_version(std::string_view class_name) const;

  // The raw index, every feature of every class unmasked: never for answering a caller.
  const store::ServingIndex& unscoped_index() const noexcept { return *m_index; }
  // The same, writable: for tests and benchmarks that build an index by hand. An edit to the
  // served data goes through apply_committed(), never straight to the index.
  store::ServingIndex& editable_index() noexcept { return *m_index; }

  // Makes a change already committed to the store visible to every reader: the index, and
  // everything built over it. `after` holds the feature's new state in the store CRS (its fid
  // set), or is null when the feature was deleted. Thread-safe with readers; callers serialise
  // writes (one writer at a time).
  // @throws ProjError when `after` cannot be projected, StoreError for an unknown class.
  void apply_committed(std::string_view class_name, std::int64_t fid, const model::Feature* after);

  // The engines' structures, for the ScopedReader and the engines themselves.
  const SearchIndex& search_index() const noexcept { return *m_search; }
  const Statistics& statistics() const noexcept { return *m_statistics; }
  const ExtentCache& extents() const noexcept { return *m_extents; }

 private:
  explicit Dataset(const model::LayerCatalog& catalog);
  void build_engines();

  const model::LayerCatalog& m_catalog;
  std::unique_ptr<store::FeatureStore> m_store;  // open while loading only
  std::string m_location;                        // the store's location; "" when served from an index
  std::unique_ptr<store::ServingIndex> m_index;
  std::unique_ptr<SearchIndex> m_search;
  std::unique_ptr<Statistics> m_statistics;
  std::unique_ptr<ExtentCache> m_extents;
};

}  // namespace minqing::query
