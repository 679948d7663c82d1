#pragma once
// The serving index: every feature of the store, projected once to EPSG:3857 at load and held in
// an R-tree per feature class, so that a bounding-box query never touches the file.

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/coord.hpp"
#include "geo/projection.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_source.hpp"
#include "store/served_feature.hpp"

namespace minqing::store {

class FeatureStore;

// Every feature of every class, unscoped: what the caller may see is decided above it, by
// query::ScopedReader. Server handlers never reach it (the build's boundary test refuses a
// store/ include under server/).
// Thread-safe: any number of concurrent queries, with edits (upsert/erase) serialised per class.
class ServingIndex final : public FeatureSource {
 public:
  // Reads every feature class of `store` and projects it to EPSG:3857, on up to `threads` threads
  // (classes in parallel). Each thread past the first opens its own read-only connection to the
  // store's location, which sees only what is committed there: pass threads > 1 only for a store
  // with no write of its own pending (one opened read-only, as Dataset::open does).
  // @throws StoreError / ProjError when the store cannot be read or its CRS not transformed.
  static std::unique_ptr<ServingIndex> load(const FeatureStore& store, unsigned threads = 1);

  ~ServingIndex() override;

  const model::LayerCatalog& catalog() const noexcept { return *m_catalog; }

  // Appends to `out` the features of `class_name` whose bbox intersects `bbox` (3857).
  // Unknown classes yield nothing.
  void query(std::string_view class_name, const geo::BBox& bbox, std::vector<ServedFeaturePtr>& out) const override;
  // The feature with store id `fid`, or null.
  ServedFeaturePtr find(std::string_view class_name, std::int64_t fid) const;
  std::size_t size(std::string_view class_name) const;

  // Inserts or replaces a feature given in the store CRS (its fid must be set); bumps the class's
  // data version. @throws ProjError when it cannot be projected.
  void upsert(std::string_view class_name, const model::Feature& store_feature);
  // Inserts or replaces a feature already projected (its fid set, bbox that of its 3857 geometry):
  // a re-derived copy of a served feature. Bumps the class's data version.
  // @throws StoreError for an unknown class.
  void publish(std::string_view class_name, ServedFeaturePtr served);
  // Removes a feature; returns whether it existed (and if so bumps the data version).
  bool erase(std::string_view class_name, std::int64_t fid);

  // Increases on every change to the class; caches key on it.
  std::uint64_t data_version(std::string_view class_name) const;
  // Extent of all features of all classes, in 3857 (empty for an empty store).
  geo::BBox extent() const;
  // Extent of the features of one class, in 3857 (empty when it has none).
  geo::BBox extent(std::string_view class_name) const;

 private:
  struct ClassIndex;
  ServingIndex() = default;
  ClassIndex* find_index(std::string_view class_name) const;
  static void publish_into(ClassIndex& index, ServedFeaturePtr served);

  const model::LayerCatalog* m_catalog = nullptr;
  int m_store_epsg = 0;
  // The load's transform, kept for edits: creating a PROJ transform searches PROJ's database
  // (~150 ms), which an edit must not pay. Not thread-safe, hence the mutex (edits are serialised
  // anyway; readers never use it).
  std::mutex m_edit_transform_mutex;
  std::unique_ptr<geo::Transform> m_edit_transform;
  std::vector<std::unique_ptr<ClassIndex>> m_classes;  // catalog order
};

}  // namespace minqing::store
