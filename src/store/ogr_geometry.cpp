#include "store/ogr_geometry.hpp"

namespace minqing::store {

namespace {

void append_curve(const OGRSimpleCurve& curve, geo::Geometry& out) {
  const int n = curve.getNumPoints();
  out.coords.reserve(out.coords.size() + static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.coords.push_back({curve.getX(i), curve.getY(i)});
  out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
}

void append_polygon(const OGRPolygon& poly, geo::Geometry& out) {
  if (poly.IsEmpty()) return;
  append_curve(*poly.getExteriorRing(), out);
  for (int i = 0; i < poly.getNumInteriorRings(); ++i) append_curve(*poly.getInteriorRing(i), out);
  out.polygon_ends.push_back(static_cast<std::uint32_t>(out.part_ends.size()));
}

bool collect(const OGRGeometry& g, geo::GeometryKind kind, geo::Geometry& out, std::string& reason) {
  const auto type = wkbFlatten(g.getGeometryType());
  if (OGR_GT_IsNonLinear(type)) {
    std::unique_ptr<OGRGeometry> linear(g.getLinearGeometry());
    return linear && collect(*linear, kind, out, reason);
  }
  switch (type) {
    case wkbPoint:
      if (kind != geo::GeometryKind::point) break;
      if (!g.IsEmpty()) {
        const auto& p = *g.toPoint();
        out.coords.push_back({p.getX(), p.getY()});
        out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
      }
      return true;
    case wkbLineString:
      if (kind != geo::GeometryKind::line) break;
      if (!g.IsEmpty()) append_curve(*g.toLineString(), out);
      return true;
    case wkbPolygon:
      if (kind != geo::GeometryKind::polygon) break;
      append_polygon(*g.toPolygon(), out);
      return true;
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (const OGRGeometry* part : *g.toGeometryCollection()) {
        if (!collect(*part, kind, out, reason)) return false;
      }
      return true;
    default:
      break;
  }
  reason = std::string("geometry type ") + OGRGeometryTypeToName(type) + " where a " +
           std::string(geo::to_string(kind)) + " is expected";
  return false;
}

OGRLineString* make_line(const geo::Geometry& g, std::uint32_t begin, std::uint32_t end, OGRLineString* line) {
  line->setNumPoints(static_cast<int>(end - begin), FALSE);
  for (std::uint32_t i = begin; i < end; ++i) {
    line->setPoint(static_cast<int>(i - begin), g.coords[i].x, g.coords[i].y);
  }
  return line;
}

}  // namespace

std::optional<geo::Geometry> from_ogr(const OGRGeometry& g, geo::GeometryKind kind, std::string& reason) {
  geo::Geometry out;
  out.kind = kind;
  if (!collect(g, kind, out, reason)) return std::nullopt;
  return out;
}

std::unique_ptr<OGRGeometry> to_ogr(const geo::Geometry& g) {
  switch (g.kind) {
    case geo::GeometryKind::point: {
      if (g.coords.size() == 1) return std::make_unique<OGRPoint>(g.coords[0].x, g.coords[0].y);
      auto multi = std::make_unique<OGRMultiPoint>();
      for (const auto& c : g.coords) multi->addGeometryDirectly(new OGRPoint(c.x, c.y));
      return multi;
    }
    case geo::GeometryKind::line: {
      auto multi = std::make_unique<OGRMultiLineString>();
      std::uint32_t begin = 0;
      for (auto end : g.part_ends) {
        multi->addGeometryDirectly(make_line(g, begin, end, new OGRLineString));
        begin = end;
      }
      return multi;
    }
    case geo::GeometryKind::polygon: {
      auto multi = std::make_unique<OGRMultiPolygon>();
      std::uint32_t ring = 0;
      std::uint32_t begin = 0;
      for (auto poly_end : g.polygon_ends) {
        auto* poly = new OGRPolygon;
        for (; ring < poly_end; ++ring) {
          const auto end = g.part_ends[ring];
          poly->addRingDirectly(static_cast<OGRLinearRing*>(make_line(g, begin, end, new OGRLinearRing)));
          begin = end;
        }
        multi->addGeometryDirectly(poly);
      }
      return multi;
    }
  }
  return nullptr;
}

}  // namespace minqing::store
