// Step 6: land cover tiling the village without overlap — the river surface, reservoirs, built-up
// land around the houses, paddy fields on the valley floor, tea and citrus terraces on the slopes
// above the hamlets, and forest everywhere else (the village minus all of the above).

#include <algorithm>
#include <cmath>

#include "generate/noise.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

namespace {

std::string nearest_hamlet_name(const Village& v, Coord p) {
  const Hamlet* best = nullptr;
  for (const auto& h : v.hamlets) {
    if (!best || distance(h.center, p) < distance(best->center, p)) best = &h;
  }
  return best ? best->name : v.spec->name;
}

}  // namespace

void build_landcover(Village& v) {
  Rng rng = v.rng_for(0x4c43);
  const auto& ctx = *v.ctx;
  const Terrain& terrain = *v.terrain;
  const int row = v.spec->row;
  GeosGeometry village = geo::to_geos(ctx, v.polygon());
  GeosGeometry taken = empty_polygon(ctx);

  const auto take = [&](const GeosGeometry& candidate, const std::string& cls, auto&& name_of) {
    GeosGeometry inside = intersection(ctx, candidate, village);
    GeosGeometry piece = difference(ctx, inside, taken);
    const geo::Geometry g = geo::from_geos(ctx, piece.get(), geo::GeometryKind::polygon);
    for (auto& part : parts_of(g)) {
      Coord c = part.coords.front();
      LandcoverPiece lp{cls, name_of(c), std::move(part)};
      v.landcover.push_back(std::move(lp));
    }
    taken = union_of(ctx, taken, piece);
  };

  // Water: the river buffered to its width (from the row-wide line, so neighbours agree).
  if (!v.water.river.empty()) {
    const Polyline full = terrain.river_line(row, v.bbox.min_x - 200, v.bbox.max_x + 200, 25);
    GeosGeometry line = geo::to_geos(ctx, geo::Geometry::line(full));
    take(buffer(ctx, line, v.water.river_width / 2, 3), "water", [&](Coord) { return v.water.river_name; });
  }
  for (std::size_t i = 0; i < v.water.ponds.size(); ++i) {
    take(geo::to_geos(ctx, geo::Geometry::polygon(v.water.ponds[i])), "pond", [&](Coord) { return v.water.pond_names[i]; });
  }

  // Built-up land: the houses closed into a hamlet outline.
  if (!v.buildings.empty()) {
    std::vector<geo::Geometry> rects;
    for (const auto& b : v.buildings) rects.push_back(geo::Geometry::polygon(b.rect.corners()));
    GeosGeometry houses = union_all(ctx, rects);
    GeosGeometry grown = buffer(ctx, buffer(ctx, houses, 14, 2), -7, 2);
    take(grown, "construction", [&](Coord c) { return nearest_hamlet_name(v, c); });
  }

  // Paddy fields on the flat valley floor.
  {
    Polyline ring;
    const double x0 = v.bbox.min_x - 60, x1 = v.bbox.max_x + 60;
    // Each edge wanders between 70% and 105% of the floor half-width (fields give way to scrub
    // and bamboo at the foot of the slopes here and there).
    const std::uint64_t key = hash_of({v.layout->seed(), 0x4641524dULL, static_cast<std::uint64_t>(row)});
    const auto edge = [&](double x, double side) {
      const double k = 0.875 + 0.175 * fbm(key + (side > 0 ? 1 : 2), x, 420, 3);
      return terrain.valley_y(row, x) + side * k * terrain.floor_half_width(row, x);
    };
    for (double x = x0; x <= x1; x += 25) ring.push_back({x, edge(x, 1)});
    for (double x = x1; x >= x0; x -= 25) ring.push_back({x, edge(x, -1)});
    take(geo::to_geos(ctx, geo::Geometry::polygon(ring)), "farmland", [&](Coord c) { return nearest_hamlet_name(v, c) + "畈"; });
  }

  // Tea gardens and citrus orchards on terraces above each hamlet.
  for (const auto& h : v.hamlets) {
    const Coord g = v.dem.gradient(h.center.x, h.center.y);
    const Coord up = norm(g) > 0.02 ? normalized(g) : Coord{0, static_cast<double>(h.side)};
    const Coord along = perp(up);
    const int patches = static_cast<int>(rng.range(2, 3));
    for (int p = 0; p < patches; ++p) {
      const Coord c = h.center + up * rng.uniform(90, 230) + along * rng.uniform(-220, 220);
      if (!v.inside(c)) continue;
      const double rx = rng.uniform(90, 170), ry = rng.uniform(45, 85);
      const bool tea = rng.chance(0.62);
      const Polyline ring = blob(c, rx, ry, std::atan2(along.y, along.x), rng.next(), 28);
      take(geo::to_geos(ctx, geo::Geometry::polygon(ring)), tea ? "tea" : "orchard",
           [&](Coord) { return h.name + (tea ? "茶园" : "橘园"); });
    }
  }

  // Forest: everything left.
  GeosGeometry rest = difference(ctx, village, taken);
  const geo::Geometry g = geo::from_geos(ctx, rest.get(), geo::GeometryKind::polygon);
  for (auto& part : parts_of(g)) {
    v.landcover.push_back({"forest", "", std::move(part)});
  }
}

}  // namespace minqing::generate
