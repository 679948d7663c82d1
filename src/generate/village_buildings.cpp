// Step 3: buildings — small rotated rectangles along the hamlet streets, lanes and the county road,
// set back from the road, clustered around each hamlet centre, overlapping nothing (no other
// building, road, river, stream, canal or pond). Public buildings, ancestral halls, a temple and a
// few workshops are sited first.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "generate/village.hpp"

namespace minqing::generate {

namespace {

struct Station {
  Coord at;
  Coord dir;
  int side = 1;
  int row = 0;
  double road_half = 2;
  double priority = 0;
};

struct Special {
  const char* role;
  const char* use;
  double len, wid;
  bool edge;  // placed at the hamlet's edge rather than its centre
};

class Placer {
 public:
  explicit Placer(Village& v) : m_v(v), m_roads(v.bbox.buffered(50), 40), m_houses(v.bbox.buffered(50), 30) {
    for (const Road& r : v.road_pieces) {
      for (std::size_t i = 1; i < r.pts.size(); ++i) {
        BBox b;
        b.expand(r.pts[i - 1]);
        b.expand(r.pts[i]);
        m_roads.insert(b, static_cast<std::uint32_t>(m_segs.size()));
        m_segs.push_back({r.pts[i - 1], r.pts[i], r.width / 2});
      }
    }
  }

  bool fits(const Rect& r) const {
    if (!rect_inside_ring(r, m_v.ring) || distance_to_polyline(r.center, m_v.ring) < 8) return false;
    if (m_v.dem.slope(r.center.x, r.center.y) > 0.45) return false;
    const auto& w = m_v.water;
    if (!w.river.empty() && rect_distance_to_polyline(r, w.river) < w.river_width / 2 + 6) return false;
    for (const auto& s : w.streams) {
      if (distance_to_polyline(r.center, s) < 40 && rect_distance_to_polyline(r, s) < 6) return false;
    }
    for (const auto& c : w.canals) {
      if (distance_to_polyline(r.center, c) < 40 && rect_distance_to_polyline(r, c) < 4) return false;
    }
    for (const auto& p : w.ponds) {
      if (point_in_ring(p, r.center) || rect_distance_to_polyline(r, p) < 8) return false;
    }
    BBox box;
    for (const Coord& c : r.corners()) box.expand(c);
    for (auto id : m_roads.query(box.buffered(6))) {
      const auto& s = m_segs[id];
      const auto corners = r.corners();
      double d = std::numeric_limits<double>::infinity();
      for (int i = 0; i < 4; ++i) d = std::min(d, segment_distance(corners[i], corners[(i + 1) % 4], s.a, s.b));
      if (point_in_ring(corners, s.a)) d = 0;
      if (d < s.half + 1.0) return false;
    }
    for (auto id : m_houses.query(box.buffered(3))) {
      if (rects_overlap(r, m_v.buildings[id].rect, 1.5)) return false;
    }
    return true;
  }

  void accept(BuildingRec b) {
    BBox box;
    for (const Coord& c : b.rect.corners()) box.expand(c);
    m_houses.insert(box, static_cast<std::uint32_t>(m_v.buildings.size()));
    m_v.buildings.push_back(std::move(b));
  }

 private:
  struct Seg {
    Coord a, b;
    double half;
  };
  Village& m_v;
  BucketGrid m_roads;
  BucketGrid m_houses;
  std::vector<Seg> m_segs;
};

Rect rect_at(const Station& s, double len, double wid, double setback) {
  const Coord n = perp(s.dir) * static_cast<double>(s.side);
  const double off = s.road_half + setback + wid / 2 + s.row * 13.5;
  return {s.at + n * off, len / 2, wid / 2, std::atan2(s.dir.y, s.dir.x)};
}

void add_stations(std::vector<Station>& out, const Polyline& line, double road_half, Coord center, double reach, Rng& rng) {
  const double total = length(line);
  for (double s = 6; s < total - 4; s += rng.uniform(13, 17)) {
    const Coord p = point_at(line, s);
    if (distance(p, center) > reach) continue;
    const Coord d = direction_at(line, s);
    for (int side : {1, -1}) {
      for (int row = 0; row < 2; ++row) {
        out.push_back({p, d, side, row, road_half, distance(p, center) + row * 12 + rng.uniform(0, 20)});
      }
    }
  }
}

void set_attributes(BuildingRec& b, Rng& rng) {
  if (b.role == "ancestral_hall") {
    b.structure = rng.chance(0.6) ? "wood" : "earth_wood";
    b.year = static_cast<int>(rng.range(1680, 1912));
    b.floors = 1;
  } else if (b.role == "temple") {
    b.structure = "wood";
    b.year = static_cast<int>(rng.range(1820, 1995));
    b.floors = 1;
  } else if (b.role == "factory") {
    b.structure = "steel_concrete";
    b.year = static_cast<int>(rng.range(2004, 2022));
    b.floors = static_cast<int>(rng.range(1, 2));
  } else if (!b.role.empty() && b.role != "empty") {
    b.structure = rng.chance(0.6) ? "brick_concrete" : "steel_concrete";
    b.year = static_cast<int>(rng.range(1992, 2021));
    b.floors = static_cast<int>(rng.range(1, 3));
  } else {
    const double u = rng.unit();
    if (u < 0.17) {
      b.year = static_cast<int>(rng.range(1890, 1979));
      b.structure = rng.chance(0.62) ? "earth_wood" : "wood";
      b.floors = static_cast<int>(rng.range(1, 2));
    } else if (u < 0.52) {
      b.year = static_cast<int>(rng.range(1980, 1999));
      b.structure = rng.chance(0.93) ? "brick_concrete" : "earth_wood";
      b.floors = static_cast<int>(rng.range(2, 3));
    } else {
      b.year = static_cast<int>(rng.range(2000, 2023));
      b.structure = rng.chance(0.84) ? "brick_concrete" : "steel_concrete";
      const double f = rng.unit();
      b.floors = f < 0.12 ? 2 : f < 0.72 ? 3 : 4;
    }
  }
}

}  // namespace

void build_buildings(Village& v) {
  Rng rng = v.rng_for(0x4255);
  Placer placer(v);
  int carry = 0;
  int temple_hamlet = static_cast<int>(rng.index(v.hamlets.size()));
  const int factories = static_cast<int>(rng.range(1, 3));
  int factories_left = factories;

  // Hamlets up the side valleys first: what does not fit there goes to the valley hamlets.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < v.hamlets.size(); ++i) {
    if (v.hamlets[i].upper) order.push_back(i);
  }
  for (std::size_t i = 0; i < v.hamlets.size(); ++i) {
    if (!v.hamlets[i].upper) order.push_back(i);
  }
  for (std::size_t hi : order) {
    Hamlet& h = v.hamlets[hi];
    std::vector<Station> st;
    for (int id : h.streets) {
      const Road& r = v.roads.roads()[static_cast<std::size_t>(id)];
      add_stations(st, r.pts, r.width / 2, h.center, 400, rng);
    }
    if (!h.upper && !h.across) add_stations(st, v.county_road, 4, h.center, 260, rng);
    std::stable_sort(st.begin(), st.end(), [](const Station& a, const Station& b) { return a.priority < b.priority; });

    std::vector<Special> specials;
    if (hi == 0) {
      specials.push_back({"office", "public", 18, 11, false});
      specials.push_back({"culture_hall", "public", 24, 15, false});
      specials.push_back({"clinic", "public", 12, 9, false});
      specials.push_back({"school", "public", 30, 16, false});
    }
    if (hi == 0 || rng.chance(0.45)) specials.push_back({"ancestral_hall", "ancestral_hall", 19, 13, false});
    if (static_cast<int>(hi) == temple_hamlet) specials.push_back({"temple", "public", 12, 10, true});
    if (!h.upper && factories_left > 0 && (hi + 1 == order.back() + 1 || rng.chance(0.6))) {
      specials.push_back({"factory", "industrial", rng.uniform(20, 26), rng.uniform(12, 15), true});
      --factories_left;
    }
    int placed = 0;
    for (const Special& sp : specials) {
      const std::size_t n = st.size();
      for (std::size_t k = 0; k < n; ++k) {
        const Station& s = sp.edge ? st[std::min(n - 1, n * 6 / 10 + k)] : st[k];
        if (sp.edge && n * 6 / 10 + k >= n) break;
        if (s.row != 0) continue;
        const Rect r = rect_at(s, sp.len, sp.wid, 4);
        if (!placer.fits(r)) continue;
        BuildingRec b;
        b.rect = r;
        b.role = sp.role;
        b.use = sp.use;
        b.hamlet = static_cast<int>(hi);
        set_attributes(b, rng);
        placer.accept(std::move(b));
        ++placed;
        break;
      }
    }
    const int want = h.quota + carry - placed;
    int homes = 0;
    for (const Station& s : st) {
      if (homes >= want) break;
      const Rect r = rect_at(s, rng.uniform(8, 14), rng.uniform(7, 11), rng.uniform(2, 5));
      if (!placer.fits(r)) continue;
      BuildingRec b;
      b.rect = r;
      b.hamlet = static_cast<int>(hi);
      b.role = rng.chance(0.03) ? "empty" : "";
      set_attributes(b, rng);
      placer.accept(std::move(b));
      ++homes;
    }
    carry = std::max(0, want - homes);
  }

  char buf[32];
  for (std::size_t i = 0; i < v.buildings.size(); ++i) {
    std::snprintf(buf, sizeof buf, "-B%04zu", i + 1);
    v.buildings[i].id = v.spec->code + buf;
  }
}

}  // namespace minqing::generate
