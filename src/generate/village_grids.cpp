// Step 5: grids (网格) — the village split into 3–6 cells around clusters of households
// (k-means seeds, Voronoi cells clipped to the village); each household gets the grid containing it.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "generate/names.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

bool geometry_contains(const geo::Geometry& g, Coord p) {
  std::uint32_t ring = 0;
  for (auto poly_end : g.polygon_ends) {
    const std::uint32_t begin = ring == 0 ? 0 : g.part_ends[ring - 1];
    const std::uint32_t end = g.part_ends[ring];
    const Polyline r(g.coords.begin() + begin, g.coords.begin() + end);
    if (point_in_ring(r, p)) return true;
    ring = poly_end;
  }
  return false;
}

void build_grids(Village& v) {
  Rng rng = v.rng_for(0x4744);
  const int n_house = static_cast<int>(v.households.size());
  const int k = std::clamp(static_cast<int>(std::lround(n_house / 60.0)), 3, 6);
  std::vector<Coord> pts;
  for (const auto& h : v.households) pts.push_back(h.at);
  std::vector<Coord> seeds;
  if (n_house >= k) {
    std::vector<Coord> sorted = pts;
    std::stable_sort(sorted.begin(), sorted.end(), [](Coord a, Coord b) { return a.x < b.x; });
    for (int i = 0; i < k; ++i) seeds.push_back(sorted[static_cast<std::size_t>((i + 0.5) * n_house / k)]);
    for (int it = 0; it < 10; ++it) {
      std::vector<Coord> sum(static_cast<std::size_t>(k), Coord{0, 0});
      std::vector<int> cnt(static_cast<std::size_t>(k), 0);
      for (const Coord& p : pts) {
        std::size_t best = 0;
        for (std::size_t s = 1; s < seeds.size(); ++s) {
          if (distance(p, seeds[s]) < distance(p, seeds[best])) best = s;
        }
        sum[best] = sum[best] + p;
        ++cnt[best];
      }
      for (std::size_t s = 0; s < seeds.size(); ++s) {
        if (cnt[s] > 0) seeds[s] = sum[s] * (1.0 / cnt[s]);
      }
    }
  }
  // Seeds must be distinct and inside; fall back to points spread across the village.
  for (int i = 0; static_cast<int>(seeds.size()) < k; ++i) {
    const Coord c = ring_centroid(v.ring);
    seeds.push_back(c + Coord{std::cos(i * 2.1) * 500, std::sin(i * 2.1) * 500});
  }
  for (auto& s : seeds) s = {std::round(s.x * 100) / 100, std::round(s.y * 100) / 100};

  const auto& ctx = *v.ctx;
  GeosGeometry village = geo::to_geos(ctx, v.polygon());
  const auto cells = voronoi_cells(ctx, seeds, v.bbox.buffered(500));
  std::vector<geo::Geometry> grids(seeds.size());
  for (const auto& cell : cells) {
    for (std::size_t s = 0; s < seeds.size(); ++s) {
      if (!grids[s].empty() || !geometry_contains(cell, seeds[s])) continue;
      GeosGeometry g = intersection(ctx, geo::to_geos(ctx, cell), village);
      grids[s] = geo::from_geos(ctx, g.get(), geo::GeometryKind::polygon);
      break;
    }
  }
  // Order grids west to east by seed for stable, readable numbering.
  std::vector<std::size_t> order(seeds.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return seeds[a].x < seeds[b].x; });
  char buf[16];
  std::vector<Coord> ordered_seeds;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (grids[order[i]].empty()) continue;
    std::snprintf(buf, sizeof buf, "-G%02zu", v.grids.size() + 1);
    v.grid_ids.push_back(v.spec->code + buf);
    v.grids.push_back(std::move(grids[order[i]]));
    ordered_seeds.push_back(seeds[order[i]]);
  }
  for (auto& h : v.households) {
    std::size_t found = v.grids.size();
    for (std::size_t g = 0; g < v.grids.size() && found == v.grids.size(); ++g) {
      if (geometry_contains(v.grids[g], h.at)) found = g;
    }
    if (found == v.grids.size()) {  // on a boundary: nearest seed
      found = 0;
      for (std::size_t g = 1; g < ordered_seeds.size(); ++g) {
        if (distance(h.at, ordered_seeds[g]) < distance(h.at, ordered_seeds[found])) found = g;
      }
    }
    h.grid_id = v.grid_ids[found];
  }
  for (std::size_t g = 0; g < v.grids.size(); ++g) {
    // The grid leader is usually a villager living in the grid.
    std::vector<const HouseholdRec*> in;
    for (const auto& h : v.households) {
      if (h.grid_id == v.grid_ids[g]) in.push_back(&h);
    }
    const std::string leader = in.empty() ? random_full_name(rng) : in[rng.index(in.size())]->head;
    v.grid_leaders.push_back(leader);
    v.sink->add("grids", v.grids[g])
        .set("grid_id", v.grid_ids[g])
        .set("village_code", v.spec->code)
        .set("name", v.spec->name + "第" + chinese_number(static_cast<int>(g) + 1) + "网格")
        .set("grid_leader", leader)
        .set("phone", mobile_phone(rng));
  }
}

}  // namespace minqing::generate
