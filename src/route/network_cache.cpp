#include "route/network_cache.hpp"

#include "store/serving_index.hpp"

namespace minqing::route {

NetworkCache::~NetworkCache() {
  std::unique_lock lock(m_mutex);
  m_again = false;
  m_built.wait(lock, [this] { return !m_building; });
  lock.unlock();
  if (m_worker.joinable()) m_worker.join();
}

std::shared_ptr<const RoadNetwork> NetworkCache::current() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    const std::uint64_t roads = m_data.data_version("roads");
    const std::uint64_t zones = m_data.data_version("hazard_zones");
    if (m_network && roads == m_roads_version && zones == m_zones_version) return m_network;
    if (m_building) {
      // The background build started after the change that moved the versions (or a later one
      // follows it): wait for it, then look again.
      m_built.wait(lock);
      continue;
    }
    m_network = RoadNetwork::build(m_data.unscoped_index(), m_elevation);
    m_roads_version = roads;
    m_zones_version = zones;
    ++m_builds;
    return m_network;
  }
}

void NetworkCache::rebuild_in_background() {
  std::lock_guard lock(m_mutex);
  if (m_building) {
    m_again = true;
    return;
  }
  m_building = true;
  // The previous worker has finished (m_building was false): joining it is immediate.
  if (m_worker.joinable()) m_worker.join();
  m_worker = std::thread([this] { build_in_background(); });
}

void NetworkCache::build_in_background() {
  for (;;) {
    // The versions before the features: an edit landing during the build moves them past these,
    // and the next current() or the build that follows catches up.
    const std::uint64_t roads = m_data.data_version("roads");
    const std::uint64_t zones = m_data.data_version("hazard_zones");
    std::shared_ptr<const RoadNetwork> network;
    try {
      network = RoadNetwork::build(m_data.unscoped_index(), m_elevation);
    } catch (...) {
      network = nullptr;  // current() builds on the request, and reports the error there
    }
    std::lock_guard lock(m_mutex);
    if (network) {
      m_network = std::move(network);
      m_roads_version = roads;
      m_zones_version = zones;
      ++m_builds;
    }
    if (!m_again) {
      m_building = false;
      m_built.notify_all();
      return;
    }
    m_again = false;
  }
}

std::uint64_t NetworkCache::builds() const {
  std::lock_guard lock(m_mutex);
  return m_builds;
}

}  // namespace minqing::route
