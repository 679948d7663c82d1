#pragma once
// A feature as the server holds it in memory: its values and its geometry projected once to
// EPSG:3857 at load, with the geometry's bounding box.

#include <memory>

#include "geo/coord.hpp"
#include "geo/edge_slabs.hpp"
#include "model/feature.hpp"
#include "store/lazy_text.hpp"

namespace minqing::store {

// Immutable once published; an edit publishes a new one, so a reader holding a pointer keeps a
// consistent snapshot.
struct ServedFeature {
  model::Feature feature;
  geo::BBox bbox;  // of feature.geometry, in 3857
  // Made by query/geojson_writer.cpp on first use: the geometry in CRS84, the properties object
  // for the field list of the first view that wrote it.
  LazyText geometry_geojson_crs84;
  KeyedLazyText properties_geojson;

  // The geometry's edges by latitude, for point queries (identify, nearby) on geometries with
  // enough edges to be worth it; nullptr for the others. Made on first use.
  const geo::EdgeSlabs* edge_slabs() const {
    if (geo::EdgeSlabs::edge_count(feature.geometry) < geo::EdgeSlabs::kWorthFrom) return nullptr;
    return &m_edge_slabs.get([this] { return geo::EdgeSlabs(feature.geometry); });
  }

 private:
  LazyValue<geo::EdgeSlabs> m_edge_slabs;
};
using ServedFeaturePtr = std::shared_ptr<const ServedFeature>;

}  // namespace minqing::store
