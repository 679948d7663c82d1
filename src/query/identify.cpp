#include "query/identify.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "query/ground_distance.hpp"

namespace minqing::query {

namespace {

// 2πR / 256: EPSG:3857 units per pixel of a 256-px tile at zoom 0.
constexpr double kZoom0PixelSize = 156543.03392804097;

int kind_rank(geo::GeometryKind k) noexcept {
  switch (k) {
    case geo::GeometryKind::point: return 0;
    case geo::GeometryKind::line: return 1;
    case geo::GeometryKind::polygon: return 2;
  }
  return 3;
}

// Area of a (multi)polygon in 3857 units², for ordering only (shoelace; holes subtract).
double polygon_area(const geo::Geometry& g) noexcept {
  if (g.kind != geo::GeometryKind::polygon) return 0;
  double total = 0;
  std::uint32_t first_ring = 0;
  for (std::uint32_t poly_end : g.polygon_ends) {
    for (std::uint32_t r = first_ring; r < poly_end; ++r) {
      const std::uint32_t begin = r == 0 ? 0 : g.part_ends[r - 1];
      const std::uint32_t end = g.part_ends[r];
      double twice = 0;
      for (std::uint32_t i = begin; i + 1 < end; ++i) {
        twice += g.coords[i].x * g.coords[i + 1].y - g.coords[i + 1].x * g.coords[i].y;
      }
      total += (r == first_ring ? 1 : -1) * std::abs(twice) / 2;
    }
    first_ring = poly_end;
  }
  return total;
}

struct Ranked {
  IdentifyHit hit;
  double pixel = 0;      // floor(distance_px)
  int kind = 0;
  double area = 0;
  std::size_t class_order = 0;
};

}  // namespace

double pixel_size(double zoom) noexcept { return kZoom0PixelSize / std::exp2(zoom); }

IdentifyResult identify(const ScopedReader& reader, std::span<const ClassView> views, geo::Coord point,
                        double zoom, std::size_t limit, double tolerance_px) {
  IdentifyResult result;
  const double px = pixel_size(zoom);
  const double tolerance = tolerance_px * px;
  const PointDistances measure(point);
  result.tolerance_m = ground_distance_m(point, {point.x + tolerance, point.y});

  const geo::BBox box{point.x - tolerance, point.y - tolerance, point.x + tolerance, point.y + tolerance};
  std::vector<Ranked> ranked;
  std::vector<store::ServedFeaturePtr> candidates;
  for (std::size_t v = 0; v < views.size(); ++v) {
    const ClassView& view = views[v];
    candidates.clear();
    reader.query(view.def->name, box, candidates);
    for (auto& f : candidates) {
      const auto d = measure.to(f->feature.geometry, f->bbox, tolerance, f->edge_slabs());
      if (!d) continue;
      Ranked r;
      r.hit.view = &view;
      r.hit.distance_px = d->mercator / px;
      r.hit.distance_m = d->ground_m;
      r.pixel = std::floor(r.hit.distance_px);
      r.kind = kind_rank(f->feature.geometry.kind);
      r.area = polygon_area(f->feature.geometry);
      r.class_order = v;
      r.hit.feature = std::move(f);
      ranked.push_back(std::move(r));
    }
  }
  result.matched = ranked.size();
  const auto key = [](const Ranked& r) {
    return std::tie(r.pixel, r.kind, r.area, r.hit.distance_px, r.class_order, r.hit.feature->feature.fid);
  };
  const std::size_t n = std::min(limit, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    [&](const Ranked& a, const Ranked& b) { return key(a) < key(b); });
  result.hits.reserve(n);
  for (std::size_t i = 0; i < n; ++i) result.hits.push_back(std::move(ranked[i].hit));
  return result;
}

}  // namespace minqing::query
