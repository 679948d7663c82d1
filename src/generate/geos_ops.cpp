#include "generate/geos_ops.hpp"

namespace minqing::generate {

std::vector<geo::Geometry> parts_of(const geo::Geometry& g) {
  std::vector<geo::Geometry> out;
  switch (g.kind) {
    case geo::GeometryKind::point:
      for (const auto& c : g.coords) out.push_back(geo::Geometry::point(c));
      break;
    case geo::GeometryKind::line: {
      std::uint32_t begin = 0;
      for (auto end : g.part_ends) {
        out.push_back(geo::Geometry::line({g.coords.begin() + begin, g.coords.begin() + end}));
        begin = end;
      }
      break;
    }
    case geo::GeometryKind::polygon: {
      std::uint32_t ring = 0, begin = 0;
      for (auto poly_end : g.polygon_ends) {
        geo::Geometry p;
        p.kind = geo::GeometryKind::polygon;
        for (; ring < poly_end; ++ring) {
          const auto end = g.part_ends[ring];
          p.coords.insert(p.coords.end(), g.coords.begin() + begin, g.coords.begin() + end);
          p.part_ends.push_back(static_cast<std::uint32_t>(p.coords.size()));
          begin = end;
        }
        p.polygon_ends.push_back(static_cast<std::uint32_t>(p.part_ends.size()));
        out.push_back(std::move(p));
      }
      break;
    }
  }
  return out;
}

}  // namespace minqing::generate
