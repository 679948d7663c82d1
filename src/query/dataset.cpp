#include "query/dataset.hpp"

#include "query/admitted_copies.hpp"
#include "query/extent_cache.hpp"
#include "query/search_index.hpp"
#include "query/statistics.hpp"
#include "base/error.hpp"
#include "store/derived_field_keeper.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

Dataset::Dataset(const model::LayerCatalog& catalog)
    : m_catalog(catalog),
      m_admitted(std::make_unique<AdmittedCopies>(catalog)),
      m_scope_views(std::make_unique<ScopeViews>(catalog)) {}

std::shared_ptr<const std::vector<ClassView>> Dataset::views_of(const access::Scope& scope) const {
  return m_scope_views->of(scope);
}

Dataset::~Dataset() = default;

std::unique_ptr<Dataset> Dataset::open(const std::string& location, const model::LayerCatalog& catalog,
                                      const DatasetOptions& options) {
  std::unique_ptr<Dataset> d(new Dataset(catalog));
  d->m_store = std::make_unique<store::FeatureStore>(
      store::FeatureStore::open(location, catalog, store::FeatureStore::Mode::read_only));
  d->m_index = store::ServingIndex::load(*d->m_store, options.load_threads);
  d->build_engines(options);
  // Loaded: the file is not read again. Closing it leaves the one writer connection
  // (edit/editor.hpp) alone with the file, free to switch it to the WAL journal.
  d->m_location = d->m_store->location();
  d->m_store.reset();
  return d;
}

std::unique_ptr<Dataset> Dataset::serve(const model::LayerCatalog& catalog, std::unique_ptr<store::ServingIndex> index,
                                       const DatasetOptions& options) {
  std::unique_ptr<Dataset> d(new Dataset(catalog));
  d->m_index = std::move(index);
  d->build_engines(options);
  return d;
}

void Dataset::build_engines(const DatasetOptions& options) {
  m_search = std::make_unique<SearchIndex>(*m_index);
  m_statistics = std::make_unique<Statistics>(m_catalog, *m_index);
  m_extents = std::make_unique<ExtentCache>();
  m_derived = std::make_unique<store::DerivedFieldKeeper>(*m_index);
  switch (options.engines) {
    case EngineWarmUp::at_load:
      m_search->warm_up();
      m_statistics->warm_up();
      m_warmed.count_down();
      break;
    case EngineWarmUp::on_first_use:
      m_warmed.count_down();
      break;
    case EngineWarmUp::in_background:
      // Both engines build a class under a lock that a request for the same class waits on, so
      // warming them here and answering there at once gives whole answers; a failure here only
      // leaves the class to the first request (which then reports it).
      m_warm_up = std::jthread([this, hook = options.before_warm_up](std::stop_token stop) {
        try {
          if (hook) hook();
          m_search->warm_up(stop);
          m_statistics->warm_up(stop);
        } catch (...) {
        }
        m_warmed.count_down();
      });
      break;
  }
}

const std::string& Dataset::location() const noexcept {
  static const std::string kNone;
  return m_location.empty() ? kNone : m_location;
}

std::filesystem::path Dataset::relief_directory_of(const std::string& location) {
  return store::relief_directory_of(location);
}

std::filesystem::path Dataset::relief_directory() const {
  return m_location.empty() ? std::filesystem::path{} : store::relief_directory_of(m_location);
}

std::size_t Dataset::feature_count() const {
  std::size_t n = 0;
  for (const auto& c : m_catalog.classes()) n += m_index->size(c.name);
  return n;
}

namespace {
Change change_of(std::string_view class_name, std::int64_t fid, const store::ServedFeaturePtr& before,
                 const store::ServedFeaturePtr& after) {
  Change c;
  c.class_name = std::string(class_name);
  c.fid = fid;
  if (before) c.old_extent = before->bbox;
  if (after) c.new_extent = after->bbox;
  return c;
}
}  // namespace

void Dataset::apply_committed(std::string_view class_name, std::int64_t fid, const model::Feature* after) {
  if (!m_catalog.find_class(class_name)) throw StoreError("unknown feature class " + std::string(class_name));
  std::lock_guard write(m_write_mutex);
  const store::ServedFeaturePtr before = m_index->find(class_name, fid);
  if (after && !after->geometry.empty()) {
    model::Feature served = *after;
    served.fid = fid;
    m_derived->derive(class_name, served);
    m_index->upsert(class_name, served);
  } else if (!m_index->erase(class_name, fid)) {
    return;  // it was not served: readers saw nothing change
  }
  const store::ServedFeaturePtr now = m_index->find(class_name, fid);
  // The structures over the index follow each change right after the index takes it (one data
  // version step each), then the journal numbers them in that order.
  std::vector<Change> changes;
  const auto follow = [&](const store::DerivedFieldKeeper::Rederived& r) {
    const std::int64_t id = r.after ? r.after->feature.fid : r.before->feature.fid;
    m_statistics->changed(r.class_name, r.before, r.after);
    m_search->changed(r.class_name, id);
    changes.push_back(change_of(r.class_name, id, r.before, r.after));
  };
  follow({std::string(class_name), before, now});
  m_derived->follow(class_name, before, now, follow);
  for (auto& c : changes) {
    const Change numbered = m_journal.append(std::move(c));
    for (const auto& listener : m_listeners) listener(numbered);
  }
}

void Dataset::on_change(ChangeListener listener) {
  std::lock_guard write(m_write_mutex);
  m_listeners.push_back(std::move(listener));
}

std::uint64_t Dataset::data_version(std::string_view class_name) const { return m_index->data_version(class_name); }

}  // namespace minqing::query
