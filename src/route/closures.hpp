#pragma once
// What one request may not drive or walk through: the edges of hazard zones of the avoided risk
// levels (precomputed per edge at build time: route/road_network.hpp) and the query-time closures
// (`closed=`: a polygon or line, a road blocked by a landslide reported an hour ago), applied as a
// per-request mask over the shared network — never a rebuild.
//
// A start inside an avoided zone may leave it: the edges of the zones the start lies in (or that
// its snapped road lies in) are passable as `start_zone_only` — usable only until the route first
// takes an edge outside those zones (route/shortest_path.hpp carries that as a phase), so a route
// leaves the zone by the quickest way out and never comes back through it. The destination gets no
// such leave: a target inside an avoided zone is unreachable (a shelter there is no shelter).
//
// Owns a GEOS context and the prepared closure geometry: one per request, used on one thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "geo/geometry.hpp"
#include "route/road_network.hpp"
#include "route/travel_mode.hpp"

namespace minqing::route {

enum class Passage : std::uint8_t { open, closed, start_zone_only };

class Closures {
 public:
  // `closed` (EPSG:3857, any kind; empty for none) is tested against every edge whose bbox it
  // meets. @throws DataError when GEOS refuses the closure geometry.
  Closures(const RoadNetwork& net, Mode mode, RiskSet avoid, const geo::Geometry& closed = {});
  ~Closures();
  Closures(const Closures&) = delete;
  Closures& operator=(const Closures&) = delete;

  // Lets the route leave the zones (indices into net.zones()) the start lies in.
  void allow_leaving(std::vector<std::uint32_t> start_zones);
  const std::vector<std::uint32_t>& start_zones() const noexcept { return m_start_zones; }

  // How edge `e` may be used as a whole.
  Passage passage(std::uint32_t e) const noexcept;
  // How the part of edge `e` between fractions t0 and t1 may be used: a closure geometry that
  // crosses the edge elsewhere leaves this part open (a snapped end on a closed road).
  Passage passage(std::uint32_t e, double t0, double t1) const;
  // Whether the edge is closed by the zones of an avoided level (not counting the start's).
  bool closed_by_hazard(std::uint32_t e) const noexcept;
  // Whether the closure geometry crosses the edge.
  bool closed_by_request(std::uint32_t e) const noexcept;

  Mode mode() const noexcept { return m_mode; }
  RiskSet avoid() const noexcept { return m_avoid; }
  const RoadNetwork& network() const noexcept { return m_net; }

 private:
  Passage hazard_passage(std::uint32_t e) const noexcept;
  struct Impl;
  const RoadNetwork& m_net;
  Mode m_mode;
  RiskSet m_avoid;
  std::vector<std::uint32_t> m_start_zones;
  std::vector<std::uint32_t> m_closed;  // edges crossed by the closure geometry, ascending
  std::unique_ptr<Impl> m_impl;
};

}  // namespace minqing::route
