#pragma once
// The scoped reader: the one way to read map data. Made once per request from the caller's
// access::Scope (Dataset::reader), it answers only what that caller may see — classes it is
// granted, features in its reach (public plus role: access/scope.hpp), and every feature's values
// already hidden or masked as the caller may read them — so that no handler, renderer or engine
// downstream can forget a rule. Tiles, TileJSON/WMTS bounds, /api/layers, OGC API Features,
// identify, nearby, search and statistics all read through it.
//
//   view(cls) / views()       the caller's ClassView of a class (fields, queryables), or null
//   query(cls, bbox, out)     features intersecting a box (EPSG:3857), in the caller's form
//   find(cls, fid)            one feature in the caller's form, or null (missing or not visible)
//   extent(cls), count(cls)   of what the caller sees (cached per data version)
//   extent(maps)              the same over every visible class of some maps (TileJSON, WMTS)
//
// A feature the caller reads in full is the served feature itself (no copy); one with a hidden or
// masked field is a copy whose values are hidden or masked — made once per grant and feature
// version and shared by every caller with that grant (query/admitted_copies.hpp).
//
// Borrows the Dataset and the Scope, which must outlive it (one request). Thread-safe for
// concurrent const calls.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "access/scope.hpp"
#include "geo/coord.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "store/feature_source.hpp"
#include "store/served_feature.hpp"

namespace minqing::query {

class Dataset;

class ScopedReader final : public store::FeatureSource {
 public:
  ScopedReader(const Dataset& data, const access::Scope& scope);
  // A copy reads for the same caller.
  ScopedReader(const ScopedReader& other);
  ScopedReader& operator=(const ScopedReader&) = delete;

  const access::Scope& scope() const noexcept { return m_scope; }
  const model::LayerCatalog& catalog() const noexcept;

  // The caller's view of class `name`; null when it does not exist or the caller may not see it.
  const ClassView* view(std::string_view name) const;
  // Every class the caller sees, in catalog order.
  const std::vector<ClassView>& views() const;
  // The maps the caller sees, in catalog order.
  std::vector<const model::MapDef*> maps() const;

  // Appends the features of `class_name` intersecting `bbox` (EPSG:3857) that the caller may see,
  // in the caller's form, in no particular order. A class the caller may not see yields nothing.
  void query(std::string_view class_name, const geo::BBox& bbox,
             std::vector<store::ServedFeaturePtr>& out) const override;
  // Every feature of the class the caller may see, in fid order.
  std::vector<store::ServedFeaturePtr> all(std::string_view class_name) const;
  // The feature with store id `fid` in the caller's form; null when missing or not visible.
  store::ServedFeaturePtr find(std::string_view class_name, std::int64_t fid) const;

  // Extent (EPSG:3857; empty when none) and number of the class's features the caller sees.
  geo::BBox extent(std::string_view class_name) const;
  std::size_t count(std::string_view class_name) const;
  // The extent of every class of `maps` the caller sees.
  geo::BBox extent(const std::vector<std::string>& maps) const;

  // Increases whenever the class changes (an edit); caches key on it.
  std::uint64_t data_version(std::string_view class_name) const;

  // For the query engines (statistics, search), which find candidates in their own structures
  // built over the served features: the caller's form of `raw`, a feature of `view`'s class as
  // served, or null when the caller may not see it.
  store::ServedFeaturePtr admit(const ClassView& view, store::ServedFeaturePtr raw) const;

  const Dataset& dataset() const noexcept { return m_data; }

 private:
  const Dataset& m_data;
  const access::Scope& m_scope;
  // Taken at the first read (a cached tile is answered without them); shared by every reader of
  // the same scope (query/scope_views.hpp).
  mutable std::once_flag m_views_made;
  mutable std::shared_ptr<const std::vector<ClassView>> m_views;
};

}  // namespace minqing::query
