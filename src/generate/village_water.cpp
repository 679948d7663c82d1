// Step 1: the main river, the side streams, an irrigation canal and small reservoirs.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "generate/names.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

Polyline clip_between(const Polyline& line, const Polyline& west, const Polyline& east) {
  const auto a = first_crossing(line, west);
  const auto b = first_crossing(line, east);
  if (!a || !b || b->seg_a < a->seg_a) return {};
  Polyline out{a->at};
  for (std::size_t i = a->seg_a + 1; i <= b->seg_a; ++i) {
    if (distance(line[i], a->at) < 0.5 || distance(line[i], b->at) < 0.5) continue;
    out.push_back(line[i]);
  }
  out.push_back(b->at);
  return out;
}

std::vector<Polyline> clip_to_village(const Village& v, const Polyline& line, double min_length) {
  std::vector<Polyline> out;
  if (line.size() < 2) return out;
  const auto& ctx = *v.ctx;
  GeosGeometry poly = geo::to_geos(ctx, v.polygon());
  GeosGeometry l = geo::to_geos(ctx, geo::Geometry::line(line));
  const geo::Geometry clipped = geo::from_geos(ctx, intersection(ctx, l, poly).get(), geo::GeometryKind::line);
  for (auto& part : parts_of(clipped)) {
    if (length(part.coords) >= min_length) out.push_back(std::move(part.coords));
  }
  return out;
}

void build_water(Village& v) {
  Rng rng = v.rng_for(0x5741);
  const Terrain& terrain = *v.terrain;
  const int row = v.spec->row, col = v.spec->col;
  const Polyline west = v.layout->west_edge(col, row), east = v.layout->east_edge(col, row);
  const double x_from = v.bbox.min_x - 200, x_to = v.bbox.max_x + 200;

  v.water.river = clip_between(terrain.river_line(row, x_from, x_to, 25), west, east);
  v.water.river_name = river_name(row);
  const double mid_x = (v.bbox.min_x + v.bbox.max_x) / 2;
  v.water.river_width = terrain.river_width(row, mid_x);

  std::set<std::string> used;
  for (const Gully& g : terrain.gullies(col, row)) {
    const Polyline full = terrain.stream_line(g, 0.82);
    for (auto& piece : clip_to_village(v, full, 60)) {
      v.water.streams.push_back(std::move(piece));
      std::string base = unique_place_name(rng, used);
      v.water.stream_names.push_back(stream_name(rng, base));
    }
  }

  // An irrigation canal (堰渠) along the valley floor on the far side of the river from the road.
  if (v.water.river.size() > 4) {
    const double road_side = terrain.road_offset(row, mid_x) > 0 ? 1 : -1;
    const double xa = v.water.river.front().x + rng.uniform(150, 350);
    const double len = rng.uniform(700, 1300);
    const double xb = std::min(xa + len, v.water.river.back().x - 120);
    Polyline canal;
    for (double x = xa; x <= xb; x += 25) {
      const double ramp = std::min({1.0, (x - xa) / 160, (xb - x) / 160 + 0.15});
      const double off = -road_side * terrain.floor_half_width(row, x) * 0.72 * std::max(ramp, 0.0);
      const Coord p{x, terrain.valley_y(row, x) + off};
      if (!v.inside(p)) break;
      canal.push_back(p);
    }
    if (canal.size() > 8) {
      v.water.canals.push_back(std::move(canal));
    }
  }

  // Small reservoirs (山塘) on one or two side streams.
  const int ponds = static_cast<int>(rng.range(1, 2));
  for (std::size_t i = 0; i < v.water.streams.size() && static_cast<int>(v.water.ponds.size()) < ponds; ++i) {
    const Polyline& s = v.water.streams[i];
    const double len = length(s);
    if (len < 400 || rng.chance(0.3)) continue;
    const double at = len * rng.uniform(0.32, 0.48);
    const Coord c = point_at(s, at);
    const Coord d = direction_at(s, at);
    const double rx = rng.uniform(28, 55), ry = rng.uniform(16, 28);
    const Polyline ring = blob(c, rx, ry, std::atan2(d.y, d.x) + std::numbers::pi / 2, rng.next(), 20);
    bool ok = true;
    for (const Coord& p : ring) ok = ok && v.inside(p) && distance_to_polyline(p, v.ring) > 15;
    if (!ok) continue;
    v.water.ponds.push_back(ring);
    std::string base = unique_place_name(rng, used);
    v.water.pond_names.push_back(base + (rx > 45 ? "水库" : "山塘"));
  }
}

}  // namespace minqing::generate
