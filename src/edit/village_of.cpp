#include "edit/village_of.hpp"

#include <cmath>

#include "store/serving_index.hpp"

namespace minqing::edit {

namespace {

constexpr const char* kVillages = "villages";

double length(const geo::Geometry& line) {
  double total = 0;
  std::size_t from = 0;
  for (auto end : line.part_ends) {
    for (std::size_t i = from + 1; i < end; ++i) {
      total += std::hypot(line.coords[i].x - line.coords[i - 1].x, line.coords[i].y - line.coords[i - 1].y);
    }
    from = end;
  }
  return total;
}

}  // namespace

void VillageOf::refresh() {
  const std::uint64_t version = m_data.data_version(kVillages);
  if (m_locator && version == m_version) return;
  const model::FeatureClassDef* def = m_data.catalog().find_class(kVillages);
  std::vector<geo::Geometry> shapes;
  m_codes.clear();
  if (def) {
    const int k = def->field_index(def->village_key);
    std::vector<store::ServedFeaturePtr> all;
    m_data.unscoped_index().query(kVillages, {-1e300, -1e300, 1e300, 1e300}, all);
    for (const auto& v : all) {
      if (k < 0 || v->feature.geometry.empty()) continue;
      const model::Value& code = v->feature.values[static_cast<std::size_t>(k)];
      if (model::is_null(code)) continue;
      m_codes.push_back(model::to_display_string(code));
      shapes.push_back(v->feature.geometry);
    }
  }
  m_locator.reset();  // made in m_geos: destroyed before a new one is made
  m_locator = std::make_unique<geo::PolygonLocator>(m_geos, std::move(shapes));
  m_version = version;
}

std::optional<std::string> VillageOf::locate(const geo::Geometry& g) {
  refresh();
  if (g.empty()) return std::nullopt;
  std::optional<std::size_t> found;
  switch (g.kind) {
    case geo::GeometryKind::point: found = m_locator->locate(g.coords.front()); break;
    case geo::GeometryKind::polygon:
      if (auto share = m_locator->locate_area(g)) found = share->polygon;
      break;
    case geo::GeometryKind::line: {
      double best = -1;
      for (const auto& piece : m_locator->split_line(g)) {
        const double l = length(piece.geometry);
        if (piece.polygon && l > best) {
          best = l;
          found = piece.polygon;
        }
      }
      break;
    }
  }
  if (!found) return std::nullopt;
  return m_codes[*found];
}

}  // namespace minqing::edit
