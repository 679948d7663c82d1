#pragma once
// The road network of a dataset, built once and rebuilt only when the data versions of `roads` or
// `hazard_zones` move (an edit over HTTP): every request checks the two versions (two lookups) and
// gets the current network; the first request after a change rebuilds it, under a lock, once —
// concurrent requests wait for that build rather than start their own. A request keeps the network
// it was given (a shared_ptr) even if a rebuild replaces it meanwhile.
//
// The build reads the raw serving index (roads and hazard zones are read whole: a route avoids
// every zone whoever asks); what a caller is told stays the endpoint's business. Thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "query/dataset.hpp"
#include "route/road_network.hpp"

namespace minqing::route {

class NetworkCache {
 public:
  // `elevation`: the store's DEM heights (route/terrain_slope.hpp), or empty for flat costs.
  explicit NetworkCache(const query::Dataset& data, ElevationAt elevation = {})
      : m_data(data), m_elevation(std::move(elevation)) {}

  // The network for the dataset's current roads and hazard zones.
  // @throws DataError when GEOS fails on their geometries.
  std::shared_ptr<const RoadNetwork> current();
  // How many times it was built (tests: a rebuild happens on a version change, never per request).
  std::uint64_t builds() const;

 private:
  const query::Dataset& m_data;
  ElevationAt m_elevation;
  mutable std::mutex m_mutex;
  std::shared_ptr<const RoadNetwork> m_network;
  std::uint64_t m_roads_version = 0;
  std::uint64_t m_zones_version = 0;
  std::uint64_t m_builds = 0;
};

}  // namespace minqing::route
