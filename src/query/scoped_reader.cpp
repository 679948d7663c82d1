#include "query/scoped_reader.hpp"

#include <algorithm>
#include <limits>

#include "query/admitted_copies.hpp"
#include "query/dataset.hpp"
#include "query/extent_cache.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

namespace {
constexpr double kBig = std::numeric_limits<double>::max();
constexpr geo::BBox kEverything{-kBig, -kBig, kBig, kBig};
}  // namespace

ScopedReader::ScopedReader(const Dataset& data, const access::Scope& scope) : m_data(data), m_scope(scope) {}

ScopedReader::ScopedReader(const ScopedReader& other) : m_data(other.m_data), m_scope(other.m_scope) {}

const std::vector<ClassView>& ScopedReader::views() const {
  std::call_once(m_views_made, [this] { m_views = m_data.views_of(m_scope); });
  return *m_views;
}

const model::LayerCatalog& ScopedReader::catalog() const noexcept { return m_data.catalog(); }

const ClassView* ScopedReader::view(std::string_view name) const {
  for (const auto& v : views()) {
    if (v.def->name == name) return &v;
  }
  return nullptr;
}

std::vector<const model::MapDef*> ScopedReader::maps() const {
  std::vector<const model::MapDef*> out;
  for (const auto& m : catalog().maps()) {
    if (m_scope.may_see_map(m.name)) out.push_back(&m);
  }
  return out;
}

store::ServedFeaturePtr ScopedReader::admit(const ClassView& view, store::ServedFeaturePtr raw) const {
  if (!raw) return nullptr;
  const access::FieldGrant* grant = m_scope.grant(*view.def, raw->feature);
  if (grant == nullptr) return nullptr;
  if (grant->all_full) return raw;
  const AdmittedCopies::Request request{grant, &raw};
  m_data.admitted_copies().admit(*view.def, {&request, 1}, m_data.unscoped_index().size(view.def->name));
  return raw;
}

void ScopedReader::query(std::string_view class_name, const geo::BBox& bbox,
                         std::vector<store::ServedFeaturePtr>& out) const {
  const ClassView* v = view(class_name);
  if (v == nullptr) return;
  const std::size_t first = out.size();
  m_data.unscoped_index().query(class_name, bbox, out);
  // Features the caller may not see are dropped; those read through a narrower grant than the
  // stored values are swapped for their shared masked copies, in one batch.
  std::vector<std::pair<const access::FieldGrant*, std::size_t>> narrower;  // grant, position in out
  std::size_t kept = first;
  for (std::size_t i = first; i < out.size(); ++i) {
    const access::FieldGrant* grant = m_scope.grant(*v->def, out[i]->feature);
    if (grant == nullptr) continue;
    if (!grant->all_full) narrower.emplace_back(grant, kept);
    if (kept != i) out[kept] = std::move(out[i]);
    ++kept;
  }
  out.resize(kept);
  if (narrower.empty()) return;
  std::vector<AdmittedCopies::Request> requests;
  requests.reserve(narrower.size());
  for (const auto& [grant, at] : narrower) requests.push_back({grant, &out[at]});
  m_data.admitted_copies().admit(*v->def, requests, m_data.unscoped_index().size(class_name));
}

std::vector<store::ServedFeaturePtr> ScopedReader::all(std::string_view class_name) const {
  std::vector<store::ServedFeaturePtr> out;
  query(class_name, kEverything, out);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
  return out;
}

store::ServedFeaturePtr ScopedReader::find(std::string_view class_name, std::int64_t fid) const {
  const ClassView* v = view(class_name);
  if (v == nullptr) return nullptr;
  return admit(*v, m_data.unscoped_index().find(class_name, fid));
}

std::uint64_t ScopedReader::data_version(std::string_view class_name) const {
  return m_data.unscoped_index().data_version(class_name);
}

namespace {

ClassSummary summary_of(const ScopedReader& reader, std::string_view class_name, bool sees_all,
                        const store::ServingIndex& index) {
  const std::string name(class_name);
  const std::string key = sees_all ? name : name + "|" + reader.scope().cache_key();
  return reader.dataset().extents().get(key, index.data_version(class_name), [&] {
    ClassSummary s;
    if (sees_all) {
      s.extent = index.extent(class_name);
      s.count = index.size(class_name);
      return s;
    }
    std::vector<store::ServedFeaturePtr> seen;
    reader.query(class_name, kEverything, seen);
    for (const auto& f : seen) s.extent.expand(f->bbox);
    s.count = seen.size();
    return s;
  });
}

}  // namespace

geo::BBox ScopedReader::extent(std::string_view class_name) const {
  if (view(class_name) == nullptr) return {};
  return summary_of(*this, class_name, m_scope.sees_class_anywhere(class_name), m_data.unscoped_index()).extent;
}

std::size_t ScopedReader::count(std::string_view class_name) const {
  if (view(class_name) == nullptr) return 0;
  return summary_of(*this, class_name, m_scope.sees_class_anywhere(class_name), m_data.unscoped_index()).count;
}

geo::BBox ScopedReader::extent(const std::vector<std::string>& maps) const {
  geo::BBox out;
  for (const auto& name : maps) {
    const model::MapDef* map = catalog().find_map(name);
    if (map == nullptr || !m_scope.may_see_map(name)) continue;
    for (const auto& cls : map->classes) {
      const geo::BBox b = extent(cls);
      if (!b.empty()) out.expand(b);
    }
  }
  return out;
}

}  // namespace minqing::query
