#pragma once
// The village a written feature lies in, by location, as import derives a missing village code
// (store/importer.hpp, geo/polygon_locator.hpp): a point by containment, a polygon by the village
// holding most of its area, a line by the village holding its longest stretch (an edit changes
// one feature, so a road is not split at the boundary as at import).
//
// Works over the served villages (EPSG:3857) and rebuilds itself when the villages change.
// Not thread-safe: the Editor uses it under its write lock.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geo/geometry.hpp"
#include "geo/geos_context.hpp"
#include "geo/polygon_locator.hpp"
#include "query/dataset.hpp"

namespace minqing::edit {

class VillageOf {
 public:
  explicit VillageOf(const query::Dataset& data) : m_data(data) {}

  // The code of the village `g` (EPSG:3857) lies in; nullopt when it lies outside every village.
  // @throws DataError when GEOS fails on the geometry.
  std::optional<std::string> locate(const geo::Geometry& g);

 private:
  void refresh();

  const query::Dataset& m_data;
  geo::GeosContext m_geos;
  std::unique_ptr<geo::PolygonLocator> m_locator;
  std::vector<std::string> m_codes;
  std::uint64_t m_version = ~std::uint64_t{0};
};

}  // namespace minqing::edit
