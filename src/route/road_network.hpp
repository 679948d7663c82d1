#pragma once
// The road graph (路网): every line of the `roads` class noded where lines meet (GEOS, through
// geo/noding.hpp) so that the county road, village roads and mountain paths form one network,
// weighted by ground length (geo/ground_measures.hpp, not Mercator length) over a speed per road
// class and mode (route/travel_mode.hpp). Built once from the served EPSG:3857 geometries and
// then immutable: shared by every request on any thread (route/network_cache.hpp rebuilds it when
// roads or hazard zones change).
//
// Hazard zones are noded into the graph too: their boundaries cut the roads, so that every edge
// lies wholly inside or wholly outside each zone, and the zones an edge lies in (with their risk
// levels) are computed once at build time (GEOS prepared geometry, on an interior point of the
// edge). A request then closes the edges of the avoided risk levels without touching geometry,
// and a route starting inside a zone can be allowed exactly the edges of that zone.
//
// Adjacency is compressed sparse rows in our own arrays (m_first_arc: one offset per node, m_arcs:
// one {edge, other node} per edge end, 8 bytes each). A search walks a node's arcs as one
// contiguous run, and every per-edge attribute (times per mode, risk bits, road, geometry range)
// sits in flat arrays indexed by edge id, which is also what a per-request mask keys on. Boost.Graph
// would add per-vertex containers (adjacency_list) or a property-map layer (its CSR graph) over the
// same arrays, and nothing the search needs.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "geo/coord.hpp"
#include "geo/geometry.hpp"
#include "route/terrain_slope.hpp"
#include "route/travel_mode.hpp"

namespace minqing::store {
class ServingIndex;
}

namespace minqing::route {

// Risk levels of hazard zones as bits: a set of levels is their OR.
using RiskSet = std::uint8_t;
inline constexpr RiskSet kRiskHigh = 1;
inline constexpr RiskSet kRiskMedium = 2;
inline constexpr RiskSet kRiskLow = 4;
// "high" / "medium" / "low" → its bit; 0 for anything else.
RiskSet parse_risk(std::string_view text) noexcept;

// One input road line (a part of a `roads` feature), EPSG:3857.
struct RoadLine {
  std::vector<geo::Coord> points;
  std::string name;        // may be empty
  std::string road_class;  // roads.class
  std::int64_t fid = 0;
};

// One input hazard zone, EPSG:3857.
struct ZoneArea {
  geo::Geometry polygon;
  std::string zone_id;
  std::string risk;  // hazard_zones.risk
  std::int64_t fid = 0;
};

struct RoadInfo {
  std::string name;
  RoadClass road_class = RoadClass::other;
  std::int64_t fid = 0;
};

struct HazardZone {
  std::int64_t fid = 0;
  std::string zone_id;
  RiskSet risk = 0;  // one bit
  geo::Geometry polygon;
  geo::BBox bbox;
};

struct Edge {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  std::uint32_t road = 0;  // index into roads()
  RiskSet risk = 0;        // risk levels of the zones the edge lies in
  double length_m = 0;     // ground metres
  std::array<double, kModeCount> time_s{};  // +infinity where the mode may not go
};

// One end of an edge as seen from a node.
struct Arc {
  std::uint32_t edge = 0;
  std::uint32_t node = 0;  // the node at the other end
};

// A point snapped onto the network: on `edge` at fraction `t` of its ground length from its
// `from` node.
struct Snap {
  std::uint32_t edge = 0;
  double t = 0;
  geo::Coord point;         // on the edge, EPSG:3857
  double distance_m = 0;    // ground metres from the given point to `point`
};

class RoadNetwork {
 public:
  // Builds the network from the `roads` and `hazard_zones` classes of the raw serving index (roads
  // and hazard zones are read whole: a route avoids every zone, whoever asks; what a caller may be
  // told about them is decided by the endpoint).
  // @throws DataError when GEOS fails on the geometries.
  // With `elevation` (the store's DEM), each edge's times grow with its slope
  // (route/terrain_slope.hpp); without, they are ground length over the class speed.
  static std::unique_ptr<RoadNetwork> build(const store::ServingIndex& index, const ElevationAt& elevation = {});
  // Builds it from plain lines and zones (tests, benchmarks).
  static std::unique_ptr<RoadNetwork> build(const std::vector<RoadLine>& roads, const std::vector<ZoneArea>& zones,
                                            const ElevationAt& elevation = {});

  ~RoadNetwork();
  RoadNetwork(const RoadNetwork&) = delete;
  RoadNetwork& operator=(const RoadNetwork&) = delete;

  std::size_t node_count() const noexcept { return m_nodes.size(); }
  std::size_t edge_count() const noexcept { return m_edges.size(); }
  geo::Coord node(std::uint32_t n) const noexcept { return m_nodes[n]; }
  const Edge& edge(std::uint32_t e) const noexcept { return m_edges[e]; }
  std::span<const Arc> arcs(std::uint32_t n) const noexcept {
    return {m_arcs.data() + m_first_arc[n], m_arcs.data() + m_first_arc[n + 1]};
  }
  // The edge's line, from its `from` node to its `to` node (EPSG:3857).
  std::span<const geo::Coord> edge_points(std::uint32_t e) const noexcept {
    return {m_points.data() + m_first_point[e], m_points.data() + m_first_point[e + 1]};
  }
  // Indices into zones() of the zones the edge lies in (empty for most edges).
  std::span<const std::uint32_t> edge_zones(std::uint32_t e) const noexcept {
    return {m_zone_ids.data() + m_first_zone[e], m_zone_ids.data() + m_first_zone[e + 1]};
  }
  const RoadInfo& road_of(std::uint32_t e) const noexcept { return m_roads[m_edges[e].road]; }
  const std::vector<RoadInfo>& roads() const noexcept { return m_roads; }
  const std::vector<HazardZone>& zones() const noexcept { return m_zones; }

  // The nearest point to `p` (EPSG:3857) on an edge `mode` may use, within `limit_m` ground metres;
  // nullopt when there is none.
  std::optional<Snap> snap(geo::Coord p, double limit_m, Mode mode) const;
  // The edges whose bounding box intersects `box` (EPSG:3857), ascending.
  std::vector<std::uint32_t> edges_in(const geo::BBox& box) const;
  // Indices into zones() of the zones whose polygon contains `p`, ascending.
  std::vector<std::uint32_t> zones_containing(geo::Coord p) const;

  // The part of edge `e` between fractions t0 and t1 of its length, from t0 to t1 (reversed when
  // t0 > t1), at least two points.
  std::vector<geo::Coord> edge_part(std::uint32_t e, double t0, double t1) const;

  // Connected components (ignoring modes and closures), for diagnostics and benchmarks: a label per
  // node (equal labels: connected), and how many there are.
  std::vector<std::uint32_t> component_labels() const;
  std::size_t component_count() const;

 private:
  RoadNetwork();
  struct EdgeIndex;

  std::vector<geo::Coord> m_nodes;
  std::vector<std::uint32_t> m_first_arc;  // node_count() + 1
  std::vector<Arc> m_arcs;
  std::vector<Edge> m_edges;
  std::vector<std::uint32_t> m_first_point;  // edge_count() + 1
  std::vector<geo::Coord> m_points;
  std::vector<std::uint32_t> m_first_zone;  // edge_count() + 1
  std::vector<std::uint32_t> m_zone_ids;
  std::vector<RoadInfo> m_roads;
  std::vector<HazardZone> m_zones;
  std::unique_ptr<EdgeIndex> m_index;  // R-tree over edge bounding boxes
};

// Whether `p` lies inside polygon geometry `g` (even-odd over all its rings; a point on a
// boundary may go either way). Pure: thread-safe.
bool polygon_contains(const geo::Geometry& g, geo::Coord p) noexcept;

}  // namespace minqing::route
