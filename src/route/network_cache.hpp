#pragma once
// The road network of a dataset, built once and rebuilt only when the data versions of `roads` or
// `hazard_zones` move (an edit over HTTP): every request checks the two versions (two lookups) and
// gets the current network. After an edit the server asks for a rebuild in the background
// (rebuild_in_background(), from the dataset's change listener), which swaps the new network in
// when done (~0.6 s for the county); a request arriving meanwhile waits for it rather than start
// its own, and a request that finds the versions moved with no build running builds itself, under
// the lock, once — so the next route after an edit is always planned on the edited roads and
// zones. A request keeps the network it was given (a shared_ptr) even if a rebuild replaces it.
//
// The build reads the raw serving index (roads and hazard zones are read whole: a route avoids
// every zone whoever asks); what a caller is told stays the endpoint's business. Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "query/dataset.hpp"
#include "route/road_network.hpp"

namespace minqing::route {

class NetworkCache {
 public:
  // `elevation`: the store's DEM heights (route/terrain_slope.hpp), or empty for flat costs.
  explicit NetworkCache(const query::Dataset& data, ElevationAt elevation = {})
      : m_data(data), m_elevation(std::move(elevation)) {}
  // Waits for a background build to finish.
  ~NetworkCache();
  NetworkCache(const NetworkCache&) = delete;
  NetworkCache& operator=(const NetworkCache&) = delete;

  // The network for the dataset's current roads and hazard zones.
  // @throws DataError when GEOS fails on their geometries.
  std::shared_ptr<const RoadNetwork> current();
  // Builds the network for the data as it is now on a background thread and swaps it in; when a
  // build is already running, another follows it (the data may have moved since it began). A
  // failed background build is forgotten: the next current() builds, and throws.
  void rebuild_in_background();
  // How many times it was built (tests: a rebuild happens on a version change, never per request).
  std::uint64_t builds() const;

 private:
  void build_in_background();

  const query::Dataset& m_data;
  ElevationAt m_elevation;
  mutable std::mutex m_mutex;
  std::condition_variable m_built;  // a background build finished
  std::shared_ptr<const RoadNetwork> m_network;
  std::uint64_t m_roads_version = 0;
  std::uint64_t m_zones_version = 0;
  std::uint64_t m_builds = 0;
  bool m_building = false;  // a background build is running
  bool m_again = false;     // and another was asked for meanwhile
  std::thread m_worker;
};

}  // namespace minqing::route
