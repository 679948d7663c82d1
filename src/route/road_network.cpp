#include "route/road_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "geo/geos_context.hpp"
#include "geo/ground_measures.hpp"
#include "geo/noding.hpp"
#include "geo/prepared_geometry.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "store/serving_index.hpp"

namespace minqing::route {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using BEntry = std::pair<BBox, std::uint32_t>;
using BTree = bgi::rtree<BEntry, bgi::rstar<16>>;

struct RoadNetwork::EdgeIndex {
  BTree tree;
};

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Endpoints closer than this (EPSG:3857 units, ~4 cm on the ground here) are one node.
constexpr double kNodeTolerance = 0.05;
// A noded piece lies on a road when its probe point is this close to the road's line (3857 units).
constexpr double kOnRoadTolerance = 0.01;

BBox to_box(const geo::BBox& b) { return BBox(BPoint(b.min_x, b.min_y), BPoint(b.max_x, b.max_y)); }

geo::BBox bbox_of(std::span<const geo::Coord> pts) {
  geo::BBox b;
  for (const auto& c : pts) b.expand(c);
  return b;
}

// The nearest point to `p` on segment a–b, planar.
geo::Coord project(geo::Coord p, geo::Coord a, geo::Coord b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return {a.x + t * dx, a.y + t * dy};
}

double planar(geo::Coord a, geo::Coord b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Planar distance from `p` to a polyline, with the segment index of the nearest point.
std::pair<double, std::size_t> distance_to_line(geo::Coord p, std::span<const geo::Coord> line) {
  double best = kInfinity;
  std::size_t seg = 0;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const double d = planar(p, project(p, line[i], line[i + 1]));
    if (d < best) {
      best = d;
      seg = i;
    }
  }
  return {best, seg};
}

std::string text_value(const model::FeatureClassDef& def, const model::Feature& f, std::string_view field) {
  const int i = def.field_index(field);
  if (i < 0 || static_cast<std::size_t>(i) >= f.values.size()) return {};
  const auto* s = std::get_if<std::string>(&f.values[static_cast<std::size_t>(i)]);
  return s ? *s : std::string{};
}

// Merges coincident endpoints into nodes through a hash grid of kNodeTolerance cells.
class NodeTable {
 public:
  explicit NodeTable(std::vector<geo::Coord>& nodes) : m_nodes(nodes) {}
  std::uint32_t at(geo::Coord c) {
    const auto cx = static_cast<std::int64_t>(std::floor(c.x / kNodeTolerance));
    const auto cy = static_cast<std::int64_t>(std::floor(c.y / kNodeTolerance));
    for (std::int64_t dx = -1; dx <= 1; ++dx) {
      for (std::int64_t dy = -1; dy <= 1; ++dy) {
        auto it = m_cells.find(key(cx + dx, cy + dy));
        if (it == m_cells.end()) continue;
        for (std::uint32_t n : it->second) {
          if (planar(m_nodes[n], c) <= kNodeTolerance) return n;
        }
      }
    }
    const auto n = static_cast<std::uint32_t>(m_nodes.size());
    m_nodes.push_back(c);
    m_cells[key(cx, cy)].push_back(n);
    return n;
  }

 private:
  static std::uint64_t key(std::int64_t x, std::int64_t y) {
    return (static_cast<std::uint64_t>(x) * 0x9E3779B97F4A7C15ULL) ^ static_cast<std::uint64_t>(y);
  }
  std::vector<geo::Coord>& m_nodes;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> m_cells;
};

// Cumulative ground metres at each point of `pts`.
std::vector<double> cumulative_m(std::span<const geo::Coord> pts) {
  std::vector<double> cum(pts.size(), 0.0);
  for (std::size_t i = 1; i < pts.size(); ++i) cum[i] = cum[i - 1] + geo::ground_distance_m(pts[i - 1], pts[i]);
  return cum;
}

// The point `m` ground metres along `pts` (with `cum` from cumulative_m), and the index of the
// segment it lies on.
std::pair<geo::Coord, std::size_t> at_metres(std::span<const geo::Coord> pts, const std::vector<double>& cum, double m) {
  if (m <= 0) return {pts.front(), 0};
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (cum[i] >= m) {
      const double seg = cum[i] - cum[i - 1];
      const double f = seg > 0 ? (m - cum[i - 1]) / seg : 0;
      return {{pts[i - 1].x + f * (pts[i].x - pts[i - 1].x), pts[i - 1].y + f * (pts[i].y - pts[i - 1].y)}, i - 1};
    }
  }
  return {pts.back(), pts.size() - 2};
}

}  // namespace

RiskSet parse_risk(std::string_view text) noexcept {
  if (text == "high") return kRiskHigh;
  if (text == "medium") return kRiskMedium;
  if (text == "low") return kRiskLow;
  return 0;
}

bool polygon_contains(const geo::Geometry& g, geo::Coord p) noexcept {
  if (g.kind != geo::GeometryKind::polygon) return false;
  bool inside = false;
  std::uint32_t begin = 0;
  for (std::uint32_t end : g.part_ends) {
    for (std::uint32_t i = begin, j = end - 1; i < end; j = i++) {
      const geo::Coord a = g.coords[i], b = g.coords[j];
      if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) inside = !inside;
    }
    begin = end;
  }
  return inside;
}

RoadNetwork::RoadNetwork() = default;
RoadNetwork::~RoadNetwork() = default;

std::unique_ptr<RoadNetwork> RoadNetwork::build(const store::ServingIndex& index, const ElevationAt& elevation) {
  const geo::BBox everything{-1e300, -1e300, 1e300, 1e300};
  std::vector<RoadLine> roads;
  std::vector<ZoneArea> zones;
  std::vector<store::ServedFeaturePtr> features;
  if (const auto* def = index.catalog().find_class("roads")) {
    index.query("roads", everything, features);
    for (const auto& f : features) {
      const geo::Geometry& g = f->feature.geometry;
      if (g.kind != geo::GeometryKind::line) continue;
      std::uint32_t begin = 0;
      for (std::uint32_t end : g.part_ends) {
        if (end - begin >= 2) {
          roads.push_back({std::vector<geo::Coord>(g.coords.begin() + begin, g.coords.begin() + end),
                           text_value(*def, f->feature, "name"), text_value(*def, f->feature, "class"), f->feature.fid});
        }
        begin = end;
      }
    }
  }
  features.clear();
  if (const auto* def = index.catalog().find_class("hazard_zones")) {
    index.query("hazard_zones", everything, features);
    for (const auto& f : features) {
      if (f->feature.geometry.kind != geo::GeometryKind::polygon || f->feature.geometry.empty()) continue;
      zones.push_back({f->feature.geometry, text_value(*def, f->feature, "zone_id"),
                       text_value(*def, f->feature, "risk"), f->feature.fid});
    }
  }
  // The index answers in no particular order; the graph should not depend on it.
  std::sort(roads.begin(), roads.end(), [](const RoadLine& a, const RoadLine& b) { return a.fid < b.fid; });
  std::sort(zones.begin(), zones.end(), [](const ZoneArea& a, const ZoneArea& b) { return a.fid < b.fid; });
  return build(roads, zones, elevation);
}

std::unique_ptr<RoadNetwork> RoadNetwork::build(const std::vector<RoadLine>& roads, const std::vector<ZoneArea>& zones,
                                               const ElevationAt& elevation) {
  std::unique_ptr<RoadNetwork> net(new RoadNetwork());
  geo::GeosContext ctx;

  // Roads and zone boundaries noded together: a road is cut where it meets another road and where
  // it crosses a zone boundary. Pieces of zone boundaries are dropped below (they lie on no road).
  geo::Geometry all;
  all.kind = geo::GeometryKind::line;
  for (const auto& r : roads) all.append(geo::Geometry::line(r.points));
  for (const auto& z : zones) {
    geo::Geometry rings;
    rings.kind = geo::GeometryKind::line;
    rings.coords = z.polygon.coords;
    rings.part_ends = z.polygon.part_ends;
    all.append(rings);
  }
  const geo::Geometry noded = geo::node_lines(ctx, all);

  BTree road_tree;
  {
    std::vector<BEntry> entries;
    for (std::size_t i = 0; i < roads.size(); ++i) {
      entries.emplace_back(to_box(bbox_of(roads[i].points).buffered(kOnRoadTolerance)), static_cast<std::uint32_t>(i));
    }
    road_tree = BTree(entries.begin(), entries.end());
  }
  net->m_roads.reserve(roads.size());
  for (const auto& r : roads) net->m_roads.push_back({r.name, parse_road_class(r.road_class), r.fid});

  for (const auto& z : zones) {
    net->m_zones.push_back({z.fid, z.zone_id, parse_risk(z.risk), z.polygon, z.polygon.bbox()});
  }
  std::vector<geo::PreparedGeometry> prepared;
  prepared.reserve(net->m_zones.size());
  for (const auto& z : net->m_zones) prepared.emplace_back(ctx, z.polygon);

  NodeTable nodes(net->m_nodes);
  net->m_first_point.push_back(0);
  net->m_first_zone.push_back(0);
  std::uint32_t begin = 0;
  std::vector<BEntry> hits;
  for (std::uint32_t end : noded.part_ends) {
    std::span<const geo::Coord> piece(noded.coords.data() + begin, end - begin);
    begin = end;
    if (piece.size() < 2) continue;
    const geo::Coord probe{(piece[0].x + piece[1].x) / 2, (piece[0].y + piece[1].y) / 2};
    hits.clear();
    road_tree.query(bgi::intersects(BPoint(probe.x, probe.y)), std::back_inserter(hits));
    std::uint32_t road = 0;
    double best = kInfinity;
    for (const auto& [box, i] : hits) {
      const double d = distance_to_line(probe, roads[i].points).first;
      if (d < best || (d == best && i < road)) {
        best = d;
        road = i;
      }
    }
    if (best > kOnRoadTolerance) continue;  // a piece of a zone boundary
    const std::uint32_t a = nodes.at(piece.front());
    const std::uint32_t b = nodes.at(piece.back());
    if (a == b) continue;  // a loop or a sliver: never on a shortest path
    Edge e;
    e.from = a;
    e.to = b;
    e.road = road;
    e.length_m = cumulative_m(piece).back();
    const auto slope = line_slope_factors(piece, e.length_m, elevation);
    for (std::size_t m = 0; m < kModeCount; ++m) {
      const double v = speed_mps(static_cast<Mode>(m), net->m_roads[road].road_class);
      e.time_s[m] = v > 0 ? e.length_m * slope[m] / v : kInfinity;
    }
    for (std::size_t z = 0; z < net->m_zones.size(); ++z) {
      if (!net->m_zones[z].bbox.contains(probe)) continue;
      if (prepared[z].contains(geo::Geometry::point(probe))) {
        net->m_zone_ids.push_back(static_cast<std::uint32_t>(z));
        e.risk |= net->m_zones[z].risk;
      }
    }
    net->m_first_zone.push_back(static_cast<std::uint32_t>(net->m_zone_ids.size()));
    // The piece's ends are the nodes themselves, so that consecutive edges join exactly.
    net->m_points.push_back(net->m_nodes[a]);
    net->m_points.insert(net->m_points.end(), piece.begin() + 1, piece.end() - 1);
    net->m_points.push_back(net->m_nodes[b]);
    net->m_first_point.push_back(static_cast<std::uint32_t>(net->m_points.size()));
    net->m_edges.push_back(e);
  }

  // CSR adjacency.
  const std::size_t n = net->m_nodes.size();
  net->m_first_arc.assign(n + 1, 0);
  for (const auto& e : net->m_edges) {
    ++net->m_first_arc[e.from + 1];
    ++net->m_first_arc[e.to + 1];
  }
  std::partial_sum(net->m_first_arc.begin(), net->m_first_arc.end(), net->m_first_arc.begin());
  net->m_arcs.resize(net->m_edges.size() * 2);
  std::vector<std::uint32_t> fill(net->m_first_arc.begin(), net->m_first_arc.end() - 1);
  for (std::uint32_t i = 0; i < net->m_edges.size(); ++i) {
    const Edge& e = net->m_edges[i];
    net->m_arcs[fill[e.from]++] = {i, e.to};
    net->m_arcs[fill[e.to]++] = {i, e.from};
  }

  std::vector<BEntry> entries;
  entries.reserve(net->m_edges.size());
  for (std::uint32_t i = 0; i < net->m_edges.size(); ++i) entries.emplace_back(to_box(bbox_of(net->edge_points(i))), i);
  net->m_index = std::make_unique<EdgeIndex>();
  net->m_index->tree = BTree(entries.begin(), entries.end());
  return net;
}

std::optional<Snap> RoadNetwork::snap(geo::Coord p, double limit_m, Mode mode) const {
  const double lat = geo::mercator_to_lonlat(p).y;
  const double reach = limit_m * geo::mercator_units_per_metre(lat) * 1.01;
  std::vector<BEntry> hits;
  m_index->tree.query(bgi::intersects(to_box(geo::BBox{p.x - reach, p.y - reach, p.x + reach, p.y + reach})),
                      std::back_inserter(hits));
  std::optional<Snap> best;
  double best_planar = kInfinity;
  for (const auto& [box, e] : hits) {
    if (!std::isfinite(m_edges[e].time_s[static_cast<std::size_t>(mode)])) continue;
    const auto pts = edge_points(e);
    const auto [d, seg] = distance_to_line(p, pts);
    if (d < best_planar || (d == best_planar && best && e < best->edge)) {
      best_planar = d;
      Snap s;
      s.edge = e;
      s.point = project(p, pts[seg], pts[seg + 1]);
      double along = 0;
      for (std::size_t i = 0; i < seg; ++i) along += geo::ground_distance_m(pts[i], pts[i + 1]);
      along += geo::ground_distance_m(pts[seg], s.point);
      s.t = m_edges[e].length_m > 0 ? std::clamp(along / m_edges[e].length_m, 0.0, 1.0) : 0;
      s.distance_m = geo::ground_distance_m(p, s.point);
      best = s;
    }
  }
  if (best && best->distance_m > limit_m) return std::nullopt;
  return best;
}

std::vector<std::uint32_t> RoadNetwork::edges_in(const geo::BBox& box) const {
  std::vector<BEntry> hits;
  m_index->tree.query(bgi::intersects(to_box(box)), std::back_inserter(hits));
  std::vector<std::uint32_t> out;
  out.reserve(hits.size());
  for (const auto& h : hits) out.push_back(h.second);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> RoadNetwork::zones_containing(geo::Coord p) const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t z = 0; z < m_zones.size(); ++z) {
    if (m_zones[z].bbox.contains(p) && polygon_contains(m_zones[z].polygon, p)) out.push_back(z);
  }
  return out;
}

std::vector<geo::Coord> RoadNetwork::edge_part(std::uint32_t e, double t0, double t1) const {
  const bool reversed = t0 > t1;
  if (reversed) std::swap(t0, t1);
  const auto pts = edge_points(e);
  const auto cum = cumulative_m(pts);
  const double total = cum.back();
  const auto [a, sa] = at_metres(pts, cum, t0 * total);
  const auto [b, sb] = at_metres(pts, cum, t1 * total);
  std::vector<geo::Coord> out{a};
  for (std::size_t i = sa + 1; i <= sb; ++i) {
    if (!(pts[i] == out.back())) out.push_back(pts[i]);
  }
  if (!(b == out.back()) || out.size() < 2) out.push_back(b);
  if (reversed) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> RoadNetwork::component_labels() const {
  std::vector<std::uint32_t> parent(m_nodes.size());
  std::iota(parent.begin(), parent.end(), 0u);
  auto root = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& e : m_edges) parent[root(e.from)] = root(e.to);
  for (std::uint32_t n = 0; n < parent.size(); ++n) parent[n] = root(n);
  return parent;
}

std::size_t RoadNetwork::component_count() const {
  const auto labels = component_labels();
  std::size_t count = 0;
  for (std::uint32_t n = 0; n < labels.size(); ++n) count += labels[n] == n;
  return count;
}

}  // namespace minqing::route
