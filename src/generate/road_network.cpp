#include "generate/road_network.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace minqing::generate {

int RoadNetwork::add(Road road) {
  Polyline clean;
  for (const Coord& c : road.pts) {
    if (clean.empty() || !(clean.back() == c)) clean.push_back(c);
  }
  road.pts = std::move(clean);
  m_roads.push_back(std::move(road));
  return static_cast<int>(m_roads.size()) - 1;
}

void RoadNetwork::node_crossings() {
  struct Hit {
    std::size_t seg;
    double t;
    Coord at;
  };
  std::vector<std::vector<Hit>> hits(m_roads.size());
  std::vector<BBox> boxes;
  for (const Road& r : m_roads) {
    BBox b;
    for (const Coord& c : r.pts) b.expand(c);
    boxes.push_back(b);
  }
  for (std::size_t a = 0; a < m_roads.size(); ++a) {
    for (std::size_t b = a + 1; b < m_roads.size(); ++b) {
      if (!boxes[a].intersects(boxes[b])) continue;
      const Polyline& pa = m_roads[a].pts;
      const Polyline& pb = m_roads[b].pts;
      for (std::size_t i = 1; i < pa.size(); ++i) {
        BBox sa;
        sa.expand(pa[i - 1]);
        sa.expand(pa[i]);
        if (!sa.intersects(boxes[b])) continue;
        for (std::size_t j = 1; j < pb.size(); ++j) {
          BBox sb;
          sb.expand(pb[j - 1]);
          sb.expand(pb[j]);
          if (!sa.intersects(sb)) continue;
          const auto tu = segment_crossing(pa[i - 1], pa[i], pb[j - 1], pb[j]);
          if (!tu) continue;
          const Coord at = lerp(pa[i - 1], pa[i], tu->first);
          const double near = 0.05;
          const Coord* va = distance(at, pa[i - 1]) < near ? &pa[i - 1] : distance(at, pa[i]) < near ? &pa[i] : nullptr;
          const Coord* vb = distance(at, pb[j - 1]) < near ? &pb[j - 1] : distance(at, pb[j]) < near ? &pb[j] : nullptr;
          if (va && vb) continue;  // a touch at vertices of both: a branch point or an end point
          if (va) {  // through a vertex of a: give b that vertex
            hits[b].push_back({j - 1, tu->second, *va});
            mark_junction(*va);
          } else if (vb) {
            hits[a].push_back({i - 1, tu->first, *vb});
            mark_junction(*vb);
          } else {
            hits[a].push_back({i - 1, tu->first, at});
            hits[b].push_back({j - 1, tu->second, at});
          }
        }
      }
    }
  }
  for (std::size_t r = 0; r < m_roads.size(); ++r) {
    if (hits[r].empty()) continue;
    auto& h = hits[r];
    std::sort(h.begin(), h.end(), [](const Hit& x, const Hit& y) { return x.seg != y.seg ? x.seg < y.seg : x.t < y.t; });
    Polyline out;
    std::size_t k = 0;
    const Polyline& pts = m_roads[r].pts;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      out.push_back(pts[i]);
      while (k < h.size() && h[k].seg == i) {
        if (!(out.back() == h[k].at)) out.push_back(h[k].at);
        mark_junction(h[k].at);
        ++k;
      }
    }
    m_roads[r].pts = std::move(out);
  }
}

std::vector<Road> RoadNetwork::split() const {
  std::vector<Road> out;
  for (const Road& r : m_roads) {
    if (r.pts.size() < 2) continue;
    Road piece{{r.pts[0]}, r.cls, r.name, r.width};
    for (std::size_t i = 1; i < r.pts.size(); ++i) {
      piece.pts.push_back(r.pts[i]);
      const bool last = i + 1 == r.pts.size();
      if (!last && m_junctions.count({r.pts[i].x, r.pts[i].y})) {
        out.push_back(piece);
        piece.pts = {r.pts[i]};
      }
    }
    if (piece.pts.size() >= 2) out.push_back(std::move(piece));
  }
  return out;
}

int connected_components(const std::vector<Polyline>& lines) {
  std::vector<int> parent(lines.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  std::map<std::pair<double, double>, int> owner;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    for (const Coord& c : {lines[i].front(), lines[i].back()}) {
      auto [it, fresh] = owner.emplace(std::make_pair(c.x, c.y), static_cast<int>(i));
      if (!fresh) parent[find(static_cast<int>(i))] = find(it->second);
    }
  }
  int n = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) n += find(static_cast<int>(i)) == static_cast<int>(i);
  return n;
}

}  // namespace minqing::generate
