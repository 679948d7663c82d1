#include "route/closures.hpp"

#include <algorithm>
#include <cmath>

#include "geo/geos_context.hpp"
#include "geo/prepared_geometry.hpp"

namespace minqing::route {

struct Closures::Impl {
  geo::GeosContext ctx;
  std::optional<geo::PreparedGeometry> closed;
};

Closures::Closures(const RoadNetwork& net, Mode mode, RiskSet avoid, const geo::Geometry& closed)
    : m_net(net), m_mode(mode), m_avoid(avoid), m_impl(std::make_unique<Impl>()) {
  if (closed.empty()) return;
  m_impl->closed.emplace(m_impl->ctx, closed);
  for (std::uint32_t e : net.edges_in(closed.bbox())) {
    const auto pts = net.edge_points(e);
    if (m_impl->closed->intersects(geo::Geometry::line({pts.begin(), pts.end()}))) m_closed.push_back(e);
  }
}

Closures::~Closures() = default;

void Closures::allow_leaving(std::vector<std::uint32_t> start_zones) {
  std::sort(start_zones.begin(), start_zones.end());
  start_zones.erase(std::unique(start_zones.begin(), start_zones.end()), start_zones.end());
  m_start_zones = std::move(start_zones);
}

Passage Closures::hazard_passage(std::uint32_t e) const noexcept {
  const Edge& edge = m_net.edge(e);
  if (!(edge.risk & m_avoid)) return Passage::open;
  bool only_start = true;
  for (std::uint32_t z : m_net.edge_zones(e)) {
    if (!(m_net.zones()[z].risk & m_avoid)) continue;
    if (!std::binary_search(m_start_zones.begin(), m_start_zones.end(), z)) {
      only_start = false;
      break;
    }
  }
  return only_start ? Passage::start_zone_only : Passage::closed;
}

bool Closures::closed_by_hazard(std::uint32_t e) const noexcept { return hazard_passage(e) == Passage::closed; }

bool Closures::closed_by_request(std::uint32_t e) const noexcept {
  return !m_closed.empty() && std::binary_search(m_closed.begin(), m_closed.end(), e);
}

Passage Closures::passage(std::uint32_t e) const noexcept {
  if (!std::isfinite(m_net.edge(e).time_s[static_cast<std::size_t>(m_mode)])) return Passage::closed;
  if (closed_by_request(e)) return Passage::closed;
  return hazard_passage(e);
}

Passage Closures::passage(std::uint32_t e, double t0, double t1) const {
  if (!std::isfinite(m_net.edge(e).time_s[static_cast<std::size_t>(m_mode)])) return Passage::closed;
  if (closed_by_request(e)) {
    if (std::abs(t1 - t0) <= 0) return hazard_passage(e);
    if (m_impl->closed->intersects(geo::Geometry::line(m_net.edge_part(e, t0, t1)))) return Passage::closed;
  }
  return hazard_passage(e);
}

}  // namespace minqing::route
