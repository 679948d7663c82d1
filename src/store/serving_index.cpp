#include "store/serving_index.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "geo/projection.hpp"
#include "store/derived_fields.hpp"
#include "store/feature_store.hpp"

namespace minqing::store {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {
using BoostPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BoostBox = bg::model::box<BoostPoint>;
// The feature itself, not its fid: a query hands out what it finds without a hash lookup per hit
// (that lookup was 4 % of an identify). Equal entries are the same box and the same version.
using Entry = std::pair<BoostBox, ServedFeaturePtr>;
using RTree = bgi::rtree<Entry, bgi::rstar<16>>;

BoostBox to_boost(const geo::BBox& b) { return {{b.min_x, b.min_y}, {b.max_x, b.max_y}}; }

ServedFeaturePtr project(model::Feature f, const geo::Transform& to_3857) {
  auto served = std::make_shared<ServedFeature>();
  to_3857.apply(f.geometry.coords);
  served->bbox = f.geometry.bbox();
  served->feature = std::move(f);
  return served;
}
}  // namespace

struct ServingIndex::ClassIndex {
  const model::FeatureClassDef* def = nullptr;
  mutable std::shared_mutex mutex;
  RTree tree;
  std::unordered_map<std::int64_t, ServedFeaturePtr> by_fid;
  std::atomic<std::uint64_t> version{1};
};

ServingIndex::~ServingIndex() = default;

std::unique_ptr<ServingIndex> ServingIndex::load(const FeatureStore& store, unsigned threads) {
  std::unique_ptr<ServingIndex> index(new ServingIndex);
  index->m_catalog = &store.catalog();
  index->m_store_epsg = store.epsg();
  // Kept for edits (upsert): making a PROJ transform searches PROJ's database.
  index->m_edit_transform = std::make_unique<geo::Transform>(geo::epsg(store.epsg()), "EPSG:3857");
  const auto& classes = store.catalog().classes();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(classes.size())));

  // Step 1, in parallel by class: read and project. The largest classes go first so that the
  // threads finish together. Each worker has its own store connection (a FeatureStore is one
  // thread's) and its own transform (a Transform is one thread's); worker 0 uses the caller's.
  std::vector<std::size_t> order(classes.size());
  std::vector<std::int64_t> counts(classes.size());
  for (std::size_t c = 0; c < classes.size(); ++c) {
    order[c] = c;
    counts[c] = store.count(classes[c].name);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
  std::vector<std::unique_ptr<FeatureStore>> connections(threads);
  std::vector<std::unique_ptr<geo::Transform>> transforms(threads);
  std::vector<std::vector<model::Feature>> loaded(classes.size());
  parallel_for(order.size(), threads, [&](std::size_t k, unsigned worker) {
    const std::size_t c = order[k];
    if (worker > 0 && !connections[worker]) {
      connections[worker] = std::make_unique<FeatureStore>(
          FeatureStore::open(store.location(), store.catalog(), FeatureStore::Mode::read_only));
    }
    if (!transforms[worker]) transforms[worker] = std::make_unique<geo::Transform>(geo::epsg(store.epsg()), "EPSG:3857");
    const FeatureStore& from = worker == 0 ? store : *connections[worker];
    auto& features = loaded[c];
    features.reserve(static_cast<std::size_t>(std::max<std::int64_t>(counts[c], 0)));
    from.for_each(classes[c].name, [&](model::Feature& f) {
      if (!f.geometry.empty()) features.push_back(std::move(f));
    });
    for (auto& f : features) transforms[worker]->apply(f.geometry.coords);
  });
  connections.clear();

  // Step 2: derived fields join across classes, so every class is read before any is indexed.
  // They read and write values only, never geometry.
  derive_fields(store.catalog(), loaded);

  // Step 3, in parallel by class: the served features and the R-tree.
  index->m_classes.resize(classes.size());
  parallel_for(order.size(), threads, [&](std::size_t k, unsigned) {
    const std::size_t c = order[k];
    auto ci = std::make_unique<ClassIndex>();
    ci->def = &classes[c];
    std::vector<Entry> entries;
    entries.reserve(loaded[c].size());
    ci->by_fid.reserve(loaded[c].size());
    for (auto& f : loaded[c]) {
      auto served = std::make_shared<ServedFeature>();
      served->bbox = f.geometry.bbox();
      served->feature = std::move(f);
      entries.emplace_back(to_boost(served->bbox), served);
      ci->by_fid.emplace(served->feature.fid, std::move(served));
    }
    loaded[c] = {};
    ci->tree = RTree(entries.begin(), entries.end());  // bulk loading (packing) is much faster
    index->m_classes[c] = std::move(ci);
  });
  return index;
}

ServingIndex::ClassIndex* ServingIndex::find_index(std::string_view class_name) const {
  for (const auto& ci : m_classes) {
    if (ci->def->name == class_name) return ci.get();
  }
  return nullptr;
}

void ServingIndex::query(std::string_view class_name, const geo::BBox& bbox,
                         std::vector<ServedFeaturePtr>& out) const {
  const ClassIndex* ci = find_index(class_name);
  if (!ci || bbox.empty()) return;
  std::shared_lock lock(ci->mutex);
  // The visitor query, not qbegin()/qend(): the incremental iterator keeps its own stack and costs
  // about twice as much per hit.
  ci->tree.query(bgi::intersects(to_boost(bbox)),
                 boost::make_function_output_iterator([&out](const auto& entry) { out.push_back(entry.second); }));
}

ServedFeaturePtr ServingIndex::find(std::string_view class_name, std::int64_t fid) const {
  const ClassIndex* ci = find_index(class_name);
  if (!ci) return nullptr;
  std::shared_lock lock(ci->mutex);
  auto it = ci->by_fid.find(fid);
  return it == ci->by_fid.end() ? nullptr : it->second;
}

std::size_t ServingIndex::size(std::string_view class_name) const {
  const ClassIndex* ci = find_index(class_name);
  if (!ci) return 0;
  std::shared_lock lock(ci->mutex);
  return ci->by_fid.size();
}

void ServingIndex::upsert(std::string_view class_name, const model::Feature& store_feature) {
  ClassIndex* ci = find_index(class_name);
  if (!ci) throw StoreError("unknown feature class " + std::string(class_name));
  // Project outside the class's lock: PROJ work must not block readers.
  ServedFeaturePtr served;
  {
    std::lock_guard lock(m_edit_transform_mutex);
    if (!m_edit_transform) m_edit_transform = std::make_unique<geo::Transform>(geo::epsg(m_store_epsg), "EPSG:3857");
    served = project(store_feature, *m_edit_transform);
  }
  publish_into(*ci, std::move(served));
}

void ServingIndex::publish(std::string_view class_name, ServedFeaturePtr served) {
  ClassIndex* ci = find_index(class_name);
  if (!ci) throw StoreError("unknown feature class " + std::string(class_name));
  publish_into(*ci, std::move(served));
}

void ServingIndex::publish_into(ClassIndex& ci, ServedFeaturePtr served) {
  std::unique_lock lock(ci.mutex);
  if (auto it = ci.by_fid.find(served->feature.fid); it != ci.by_fid.end()) {
    ci.tree.remove(Entry(to_boost(it->second->bbox), it->second));
  }
  ci.tree.insert(Entry(to_boost(served->bbox), served));
  ci.by_fid[served->feature.fid] = std::move(served);
  ci.version.fetch_add(1);
}

bool ServingIndex::erase(std::string_view class_name, std::int64_t fid) {
  ClassIndex* ci = find_index(class_name);
  if (!ci) return false;
  std::unique_lock lock(ci->mutex);
  auto it = ci->by_fid.find(fid);
  if (it == ci->by_fid.end()) return false;
  ci->tree.remove(Entry(to_boost(it->second->bbox), it->second));
  ci->by_fid.erase(it);
  ci->version.fetch_add(1);
  return true;
}

std::uint64_t ServingIndex::data_version(std::string_view class_name) const {
  const ClassIndex* ci = find_index(class_name);
  return ci ? ci->version.load() : 0;
}

geo::BBox ServingIndex::extent(std::string_view class_name) const {
  const ClassIndex* ci = find_index(class_name);
  if (!ci) return {};
  std::shared_lock lock(ci->mutex);
  if (ci->tree.empty()) return {};
  const BoostBox b = ci->tree.bounds();
  return {b.min_corner().get<0>(), b.min_corner().get<1>(), b.max_corner().get<0>(), b.max_corner().get<1>()};
}

geo::BBox ServingIndex::extent() const {
  geo::BBox out;
  for (const auto& ci : m_classes) {
    std::shared_lock lock(ci->mutex);
    if (ci->tree.empty()) continue;
    const BoostBox b = ci->tree.bounds();
    out.expand(geo::BBox{b.min_corner().get<0>(), b.min_corner().get<1>(), b.max_corner().get<0>(),
                         b.max_corner().get<1>()});
  }
  return out;
}

}  // namespace minqing::store
