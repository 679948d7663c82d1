#include "query/nearby.hpp"

#include <algorithm>
#include <tuple>

#include "query/ground_distance.hpp"

namespace minqing::query {

NearbyResult nearby(const ScopedReader& reader, const ClassView& view, geo::Coord point, double radius_m,
                    std::size_t limit) {
  NearbyResult result;
  std::vector<store::ServedFeaturePtr> candidates;
  const geo::BBox box = ground_circle_box(point, radius_m);
  reader.query(view.def->name, box, candidates);
  const PointDistances measure(point);
  // Every point within radius_m on the ground lies within the box, so nothing farther (in 3857)
  // than its half-width can be a hit.
  const double within = (box.max_x - box.min_x) / 2;
  std::vector<NearbyHit> hits;
  for (auto& f : candidates) {
    const auto d = measure.to(f->feature.geometry, f->bbox, within, f->edge_slabs());
    if (!d || d->ground_m > radius_m) continue;
    hits.push_back({std::move(f), d->ground_m});
  }
  result.matched = hits.size();
  const std::size_t n = std::min(limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                    [](const NearbyHit& a, const NearbyHit& b) {
                      return std::tie(a.distance_m, a.feature->feature.fid) <
                             std::tie(b.distance_m, b.feature->feature.fid);
                    });
  hits.resize(n);
  result.hits = std::move(hits);
  return result;
}

}  // namespace minqing::query
