#include "route/network_cache.hpp"

#include "store/serving_index.hpp"

namespace minqing::route {

std::shared_ptr<const RoadNetwork> NetworkCache::current() {
  std::lock_guard lock(m_mutex);
  const std::uint64_t roads = m_data.data_version("roads");
  const std::uint64_t zones = m_data.data_version("hazard_zones");
  if (!m_network || roads != m_roads_version || zones != m_zones_version) {
    m_network = RoadNetwork::build(m_data.unscoped_index(), m_elevation);
    m_roads_version = roads;
    m_zones_version = zones;
    ++m_builds;
  }
  return m_network;
}

std::uint64_t NetworkCache::builds() const {
  std::lock_guard lock(m_mutex);
  return m_builds;
}

}  // namespace minqing::route
