#pragma once
// The map data a server holds: the store, the serving index loaded from it, and the structures the
// query engines build over it (search index, statistics groupings, extents) — at load, in the
// background after it, or on first use (EngineWarmUp), with the same answers either way. The only
// way to read it is a ScopedReader made for one caller (reader()); the raw index is reachable only
// through unscoped_index(), for the command line, tests and benchmarks — a server handler cannot
// use it without including a store/ header, which the build's boundary test refuses.
//
// Edits reach it through apply_committed(), which keeps everything built over the index in step
// (derived fields re-derived, the search index, statistics groupings and extents follow the
// classes' data versions) and numbers every change in a journal (query/change_journal.hpp) that
// caches kept by place — the tile cache — are invalidated from.
//
// Not copyable. Thread-safe: any number of readers on any threads, and one writer at a time
// (apply_committed serialises writers itself).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "access/scope.hpp"
#include "base/parallel.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "query/change_journal.hpp"
#include "query/scope_views.hpp"
#include "query/scoped_reader.hpp"

namespace minqing::store {
class DerivedFieldKeeper;
class FeatureStore;
class ServingIndex;
}  // namespace minqing::store

namespace minqing::query {

class AdmittedCopies;
class ExtentCache;
class SearchIndex;
class Statistics;

// When the structures the search and statistics engines read (search segments, per-village
// groupings) are built. Whenever it is, an answer is the same: a request that needs a class not
// built yet builds it, or waits for the build under way, and never reads one half built.
enum class EngineWarmUp {
  at_load,        // before open()/serve() returns
  in_background,  // on a thread open()/serve() starts, while the caller goes on (the server:
                  // listening and answering tiles does not wait for search and statistics)
  on_first_use,   // never ahead (the atlas, which neither searches nor counts)
};

struct DatasetOptions {
  EngineWarmUp engines = EngineWarmUp::at_load;
  unsigned load_threads = minqing::load_threads();  // classes read and projected in parallel
  // Tests: called on the background warm-up thread before it builds anything (a test holds it
  // there to ask before the build).
  std::function<void()> before_warm_up;
};

class Dataset {
 public:
  // Opens the store at `location` read-only and loads everything served from it.
  // @throws StoreError when the store cannot be opened or read, ProjError when its CRS cannot be
  // transformed to EPSG:3857.
  static std::unique_ptr<Dataset> open(const std::string& location, const model::LayerCatalog& catalog,
                                       const DatasetOptions& options = {});
  // Serves an index loaded elsewhere (tests, benchmarks): no store behind it, so location() is ""
  // and relief_directory() empty.
  static std::unique_ptr<Dataset> serve(const model::LayerCatalog& catalog, std::unique_ptr<store::ServingIndex> index,
                                        const DatasetOptions& options = {});
  // Stops a background warm-up between two classes and waits for it.
  ~Dataset();
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  // The reader for one caller; borrows `scope` and this dataset.
  ScopedReader reader(const access::Scope& scope) const { return ScopedReader(*this, scope); }
  // The class views of `scope`, made once per scope and shared (query/scope_views.hpp); what
  // ScopedReader::views() returns.
  std::shared_ptr<const std::vector<ClassView>> views_of(const access::Scope& scope) const;

  const model::LayerCatalog& catalog() const noexcept { return m_catalog; }
  const std::string& location() const noexcept;
  // Where the store keeps its village DEMs (render::ReliefSource reads them).
  std::filesystem::path relief_directory() const;
  // The same for the store at `location`, before it is opened (to read the DEMs while it loads).
  static std::filesystem::path relief_directory_of(const std::string& location);
  // Features held, over all classes.
  std::size_t feature_count() const;
  std::uint64_t data_version(std::string_view class_name) const;

  // The raw index, every feature of every class unmasked: never for answering a caller.
  const store::ServingIndex& unscoped_index() const noexcept { return *m_index; }
  // The same, writable: for tests and benchmarks that build an index by hand. An edit to the
  // served data goes through apply_committed(), never straight to the index: a change made here
  // reaches no change listener, so cached tiles would stay as they were (search and statistics
  // still catch up through the data version).
  store::ServingIndex& editable_index() noexcept { return *m_index; }

  // Makes a change already committed to the store visible to every reader: the index, and
  // everything built over it. `after` holds the feature's new state in the store CRS (its fid
  // set), or is null when the feature was deleted. Thread-safe with readers; callers serialise
  // writes (one writer at a time).
  //
  // In order: the feature's derived fields are derived from their sources as served (a stored
  // value is ignored, as at load); the index takes it (a feature without geometry is not served,
  // as at load: it is removed); the features deriving a field from it are re-derived; each of
  // these changes is appended to the journal and handed to the change listeners. A delete of a
  // feature not served changes nothing and records nothing.
  // @throws ProjError when `after` cannot be projected, StoreError for an unknown class.
  void apply_committed(std::string_view class_name, std::int64_t fid, const model::Feature* after);

  // The sequence of the last change applied (0 before any): read it before reading data that a
  // cache keeps, and compare with the journal's later changes.
  std::uint64_t change_sequence() const noexcept { return m_journal.sequence(); }
  const ChangeJournal& journal() const noexcept { return m_journal; }

  // Called with every change, in sequence order, on the writer's thread, once every reader can
  // see it (index and derived fields updated). A listener must be quick (it delays the writer)
  // and must not apply changes itself. Thread-safe; listeners stay until the dataset is gone.
  using ChangeListener = std::function<void(const Change&)>;
  void on_change(ChangeListener listener);

  // Waits until the warm-up asked for at open is over (at once unless it runs in the background).
  void wait_for_warm_up() const { m_warmed.wait(); }

  // The engines' structures, for the ScopedReader and the engines themselves.
  const SearchIndex& search_index() const noexcept { return *m_search; }
  const Statistics& statistics() const noexcept { return *m_statistics; }
  const ExtentCache& extents() const noexcept { return *m_extents; }
  // The masked copies readers share (query/admitted_copies.hpp).
  AdmittedCopies& admitted_copies() const noexcept { return *m_admitted; }

 private:
  explicit Dataset(const model::LayerCatalog& catalog);
  void build_engines(const DatasetOptions& options);

  const model::LayerCatalog& m_catalog;
  std::unique_ptr<store::FeatureStore> m_store;  // open while loading only
  std::string m_location;                        // the store's location; "" when served from an index
  std::unique_ptr<store::ServingIndex> m_index;
  std::unique_ptr<SearchIndex> m_search;
  std::unique_ptr<Statistics> m_statistics;
  std::unique_ptr<ExtentCache> m_extents;
  std::unique_ptr<AdmittedCopies> m_admitted;
  std::unique_ptr<ScopeViews> m_scope_views;
  std::unique_ptr<store::DerivedFieldKeeper> m_derived;
  ChangeJournal m_journal;
  std::mutex m_write_mutex;  // one writer at a time; guards m_listeners
  std::vector<ChangeListener> m_listeners;
  mutable std::latch m_warmed{1};  // counted down when the warm-up is over
  std::jthread m_warm_up;           // last: stopped and joined first, while the engines still exist
};

}  // namespace minqing::query
