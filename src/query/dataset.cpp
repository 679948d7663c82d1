#include "query/dataset.hpp"

#include "query/extent_cache.hpp"
#include "query/search_index.hpp"
#include "query/statistics.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

Dataset::Dataset(const model::LayerCatalog& catalog) : m_catalog(catalog) {}

Dataset::~Dataset() = default;

std::unique_ptr<Dataset> Dataset::open(const std::string& location, const model::LayerCatalog& catalog) {
  std::unique_ptr<Dataset> d(new Dataset(catalog));
  d->m_store = std::make_unique<store::FeatureStore>(
      store::FeatureStore::open(location, catalog, store::FeatureStore::Mode::read_only));
  d->m_index = store::ServingIndex::load(*d->m_store);
  d->build_engines();
  // Loaded: the file is not read again. Closing it leaves the one writer connection
  // (edit/editor.hpp) alone with the file, free to switch it to the WAL journal.
  d->m_location = d->m_store->location();
  d->m_store.reset();
  return d;
}

std::unique_ptr<Dataset> Dataset::serve(const model::LayerCatalog& catalog, std::unique_ptr<store::ServingIndex> index) {
  std::unique_ptr<Dataset> d(new Dataset(catalog));
  d->m_index = std::move(index);
  d->build_engines();
  return d;
}

void Dataset::build_engines() {
  m_search = std::make_unique<SearchIndex>(*m_index);
  m_statistics = std::make_unique<Statistics>(m_catalog, *m_index);
  m_statistics->warm_up();
  m_extents = std::make_unique<ExtentCache>();
}

const std::string& Dataset::location() const noexcept {
  static const std::string kNone;
  return m_location.empty() ? kNone : m_location;
}

std::filesystem::path Dataset::relief_directory() const {
  return m_location.empty() ? std::filesystem::path{} : store::relief_directory_of(m_location);
}

std::size_t Dataset::feature_count() const {
  std::size_t n = 0;
  for (const auto& c : m_catalog.classes()) n += m_index->size(c.name);
  return n;
}

void Dataset::apply_committed(std::string_view class_name, std::int64_t fid, const model::Feature* after) {
  if (after) {
    m_index->upsert(class_name, *after);
  } else {
    m_index->erase(class_name, fid);
  }
}

std::uint64_t Dataset::data_version(std::string_view class_name) const { return m_index->data_version(class_name); }

}  // namespace minqing::query
