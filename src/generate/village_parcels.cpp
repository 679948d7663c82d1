// Step 7: contracted land parcels (承包地块) — the fields, tea gardens and orchards cut into strips
// and terrace plots along the valley (a grid skewed to follow the river), each contracted to a
// household of the village, plus a few bamboo plots in the forest near the hamlets.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "generate/village.hpp"

namespace minqing::generate {

namespace {

struct Cell {
  Polyline ring;
  BBox box;
};

}  // namespace

void build_parcels(Village& v) {
  Rng rng = v.rng_for(0x5041);
  const auto& ctx = *v.ctx;
  const Terrain& terrain = *v.terrain;
  const int row = v.spec->row;
  char buf[32];
  int count = 0;

  // Households by hamlet, farming ones weighted up.
  const auto pick_household = [&](Coord c) -> const HouseholdRec* {
    const Hamlet* best = nullptr;
    for (const auto& h : v.hamlets) {
      if (!h.households.empty() && (!best || distance(h.center, c) < distance(best->center, c))) best = &h;
    }
    if (!best || rng.chance(0.05)) return nullptr;  // village collective land
    std::vector<double> w;
    for (int i : best->households) w.push_back(v.households[static_cast<std::size_t>(i)].employment == "farming" ? 3.0 : 1.0);
    return &v.households[static_cast<std::size_t>(best->households[rng.weighted(w)])];
  };

  const auto emit = [&](const geo::Geometry& part, const std::string& land_use, const std::string& crop) {
    const double a = area(ctx, part);
    if (a < 120) return;
    const HouseholdRec* owner = pick_household(part.coords.front());
    std::snprintf(buf, sizeof buf, "-P%04d", ++count);
    auto b = v.sink->add("parcels", part);
    b.set("parcel_id", v.spec->code + buf)
        .set("village_code", v.spec->code)
        .set("land_use", land_use)
        .set("crop", crop)
        .set("area_mu", a / 666.67);
    if (owner) b.set("household_id", owner->id);
  };

  const auto skewed_cells = [&](const BBox& box, double dx, double dv) {
    std::vector<Cell> cells;
    const double x_start = std::floor(box.min_x / dx) * dx;
    std::vector<double> xs;
    for (double x = x_start; x < box.max_x + dx; x += dx) xs.push_back(x + rng.uniform(-0.2, 0.2) * dx);
    for (std::size_t i = 1; i < xs.size(); ++i) {
      const double xa = xs[i - 1], xb = xs[i];
      const double ya = terrain.valley_y(row, xa), yb = terrain.valley_y(row, xb);
      const double lo = box.min_y - std::max(ya, yb);
      const double hi = box.max_y - std::min(ya, yb);
      for (double vv = std::floor(lo / dv) * dv; vv < hi; vv += dv) {
        Cell c;
        c.ring = {{xa, ya + vv}, {xb, yb + vv}, {xb, yb + vv + dv}, {xa, ya + vv + dv}};
        for (const Coord& p : c.ring) c.box.expand(p);
        if (c.box.intersects(box)) cells.push_back(std::move(c));
      }
    }
    return cells;
  };

  const auto farm_crop = [&]() -> std::string {
    const double u = rng.unit();
    return u < 0.52 ? "rice" : u < 0.80 ? "vegetables" : u < 0.93 ? "mushroom" : "tea";
  };

  for (const auto& lc : v.landcover) {
    std::string land_use, crop;
    double dx = 0, dv = 0;
    if (lc.cls == "farmland") {
      land_use = "farmland";
      dx = 44;
      dv = 52;
    } else if (lc.cls == "tea") {
      land_use = crop = "tea";
      dx = 36;
      dv = 26;
    } else if (lc.cls == "orchard") {
      land_use = "orchard";
      crop = "citrus";
      dx = 38;
      dv = 28;
    } else {
      continue;
    }
    const BBox box = lc.geometry.bbox();
    const PreparedGeometry piece(ctx, lc.geometry);
    for (const Cell& c : skewed_cells(box, dx, dv)) {
      GeosGeometry cell = geo::to_geos(ctx, geo::Geometry::polygon(c.ring));
      if (!piece.intersects(cell)) continue;
      if (piece.contains(cell)) {
        emit(geo::Geometry::polygon(c.ring), land_use, land_use == "farmland" ? farm_crop() : crop);
        continue;
      }
      GeosGeometry cut = intersection(ctx, piece.geometry(), cell);
      if (is_empty(ctx, cut)) continue;
      const geo::Geometry g = geo::from_geos(ctx, cut.get(), geo::GeometryKind::polygon);
      for (const auto& part : parts_of(g)) {
        emit(part, land_use, land_use == "farmland" ? farm_crop() : crop);
      }
    }
  }

  // Bamboo plots in the forest near the hamlets.
  int bamboo = 0;
  for (const auto& h : v.hamlets) {
    for (int attempt = 0; attempt < 6 && bamboo < 14; ++attempt) {
      const Coord c = h.center + Coord{rng.uniform(-350, 350), rng.uniform(-350, 350)};
      const double s = rng.uniform(25, 40);
      const Polyline sq = {{c.x - s, c.y - s}, {c.x + s, c.y - s}, {c.x + s, c.y + s}, {c.x - s, c.y + s}};
      for (const auto& lc : v.landcover) {
        if (lc.cls != "forest" || !lc.geometry.bbox().contains(c) || !geometry_contains(lc.geometry, c)) continue;
        GeosGeometry cut = intersection(ctx, geo::to_geos(ctx, lc.geometry), geo::to_geos(ctx, geo::Geometry::polygon(sq)));
        const geo::Geometry g = geo::from_geos(ctx, cut.get(), geo::GeometryKind::polygon);
        for (const auto& part : parts_of(g)) emit(part, "forest", "bamboo");
        ++bamboo;
        break;
      }
    }
  }
}

}  // namespace minqing::generate
