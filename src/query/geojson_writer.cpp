#include "query/geojson_writer.hpp"

#include <cmath>

namespace minqing::query {

namespace {

struct Writer {
  const Crs& crs;
  double scale;

  explicit Writer(const Crs& c) : crs(c), scale(c.geographic ? 1e7 : 1e3) {}

  double round(double v) const { return std::round(v * scale) / scale; }

  nlohmann::json position(geo::Coord m) const {
    const geo::Coord c = from_mercator(crs, m);
    return nlohmann::json::array({round(c.x), round(c.y)});
  }
  nlohmann::json positions(const geo::Geometry& g, std::uint32_t begin, std::uint32_t end) const {
    nlohmann::json out = nlohmann::json::array();
    for (std::uint32_t i = begin; i < end; ++i) out.push_back(position(g.coords[i]));
    return out;
  }
  // Rings [first_part, last_part) of a polygon.
  nlohmann::json rings(const geo::Geometry& g, std::uint32_t first_part, std::uint32_t last_part) const {
    nlohmann::json out = nlohmann::json::array();
    for (std::uint32_t r = first_part; r < last_part; ++r) {
      const std::uint32_t begin = r == 0 ? 0 : g.part_ends[r - 1];
      out.push_back(positions(g, begin, g.part_ends[r]));
    }
    return out;
  }
};

}  // namespace

nlohmann::json value_json(const model::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

nlohmann::json geometry_json(const geo::Geometry& g, const Crs& crs) {
  if (g.empty()) return nullptr;
  const Writer w(crs);
  switch (g.kind) {
    case geo::GeometryKind::point:
      if (g.coords.size() == 1) return {{"type", "Point"}, {"coordinates", w.position(g.coords[0])}};
      return {{"type", "MultiPoint"}, {"coordinates", w.positions(g, 0, static_cast<std::uint32_t>(g.coords.size()))}};
    case geo::GeometryKind::line: {
      if (g.part_ends.size() <= 1) {
        return {{"type", "LineString"}, {"coordinates", w.positions(g, 0, static_cast<std::uint32_t>(g.coords.size()))}};
      }
      nlohmann::json lines = nlohmann::json::array();
      std::uint32_t begin = 0;
      for (auto end : g.part_ends) {
        lines.push_back(w.positions(g, begin, end));
        begin = end;
      }
      return {{"type", "MultiLineString"}, {"coordinates", std::move(lines)}};
    }
    case geo::GeometryKind::polygon: {
      if (g.polygon_ends.size() <= 1) {
        return {{"type", "Polygon"}, {"coordinates", w.rings(g, 0, static_cast<std::uint32_t>(g.part_ends.size()))}};
      }
      nlohmann::json polys = nlohmann::json::array();
      std::uint32_t first = 0;
      for (auto last : g.polygon_ends) {
        polys.push_back(w.rings(g, first, last));
        first = last;
      }
      return {{"type", "MultiPolygon"}, {"coordinates", std::move(polys)}};
    }
  }
  return nullptr;
}

nlohmann::json feature_json(const store::ServedFeature& f, const ClassView& view, const Crs& crs) {
  nlohmann::json props = nlohmann::json::object();
  // Masking happens here, before serialisation: ClassView::value gives what the caller may see.
  for (std::size_t k = 0; k < view.fields.size(); ++k) {
    props[view.def->fields[static_cast<std::size_t>(view.fields[k])].name] = value_json(view.value(f, k));
  }
  return {{"type", "Feature"},
          {"id", f.feature.fid},
          {"geometry", geometry_json(f.feature.geometry, crs)},
          {"properties", std::move(props)}};
}

}  // namespace minqing::query
