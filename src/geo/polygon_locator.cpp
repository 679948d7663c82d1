#include "geo/polygon_locator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include <geos_c.h>

#include "base/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/geos_geometry.hpp"
#include "geo/prepared_geometry.hpp"

namespace minqing::geo {

struct PolygonLocator::Impl {
  const GeosContext* ctx;
  std::vector<Geometry> polygons;
  std::vector<BBox> boxes;
  std::vector<PreparedGeometry> prepared;
};

namespace {

// The point halfway along part [begin, end) of `g`: inside the polygon the part runs in, away from
// the cut points at its ends.
Coord midpoint(const Geometry& g, std::uint32_t begin, std::uint32_t end) {
  double total = 0;
  for (auto i = begin + 1; i < end; ++i) total += std::hypot(g.coords[i].x - g.coords[i - 1].x, g.coords[i].y - g.coords[i - 1].y);
  double left = total / 2;
  for (auto i = begin + 1; i < end; ++i) {
    const Coord a = g.coords[i - 1], b = g.coords[i];
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    if (len >= left && len > 0) {
      const double t = left / len;
      return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t};
    }
    left -= len;
  }
  return g.coords[begin];
}

// The polygon rings whose bboxes touch `box`, as one multi-line: the cut lines.
Geometry boundaries_near(const std::vector<Geometry>& polygons, const std::vector<BBox>& boxes, const BBox& box) {
  Geometry out;
  out.kind = GeometryKind::line;
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    if (!boxes[i].intersects(box)) continue;
    const Geometry& p = polygons[i];
    std::uint32_t begin = 0;
    for (auto end : p.part_ends) {
      out.coords.insert(out.coords.end(), p.coords.begin() + begin, p.coords.begin() + end);
      out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
      begin = end;
    }
  }
  return out;
}

}  // namespace

PolygonLocator::PolygonLocator(const GeosContext& ctx, std::vector<Geometry> polygons) : m_impl(new Impl{&ctx, std::move(polygons), {}, {}}) {
  for (const auto& p : m_impl->polygons) {
    m_impl->boxes.push_back(p.bbox());
    m_impl->prepared.emplace_back(ctx, p);
  }
}

PolygonLocator::~PolygonLocator() = default;

std::size_t PolygonLocator::size() const noexcept { return m_impl->polygons.size(); }

std::optional<std::size_t> PolygonLocator::locate(Coord c) const {
  const Geometry pt = Geometry::point(c);
  for (std::size_t i = 0; i < m_impl->polygons.size(); ++i) {
    const BBox& b = m_impl->boxes[i];
    if (c.x < b.min_x || c.x > b.max_x || c.y < b.min_y || c.y > b.max_y) continue;
    if (m_impl->prepared[i].covers(pt)) return i;
  }
  return std::nullopt;
}

std::optional<PolygonLocator::Share> PolygonLocator::locate_area(const Geometry& polygon) const {
  const GeosContext& ctx = *m_impl->ctx;
  const GeosGeometry g = to_geos(ctx, polygon);
  const double total = area(ctx, g);
  const BBox box = polygon.bbox();
  std::optional<Share> best;
  double best_area = 0;
  for (std::size_t i = 0; i < m_impl->polygons.size(); ++i) {
    if (!m_impl->boxes[i].intersects(box) || !m_impl->prepared[i].intersects(g)) continue;
    const double a = area(ctx, intersection(ctx, g, m_impl->prepared[i].geometry()));
    if (a > best_area) {
      best_area = a;
      best = Share{i, total > 0 ? a / total : 1.0};
    }
  }
  return best;
}

std::vector<LinePiece> PolygonLocator::split_line(const Geometry& line) const {
  const GeosContext& ctx = *m_impl->ctx;
  const Geometry cuts = boundaries_near(m_impl->polygons, m_impl->boxes, line.bbox());
  Geometry pieces = line;
  if (!cuts.empty()) {
    // The difference with the boundaries keeps all of the line (it only runs across them) and
    // cuts it at each crossing, computed once, so both sides share the cut point exactly.
    const GeosGeometry g = to_geos(ctx, line);
    const GeosGeometry cut = difference(ctx, g, to_geos(ctx, cuts));
    pieces = from_geos(ctx, cut, GeometryKind::line);
    // A stretch running along a boundary is removed by the difference: the line is then not cut
    // but kept whole, and goes where most of it lies.
    double before = 0, after = 0;
    GEOSLength_r(ctx.handle(), g.get(), &before);
    GEOSLength_r(ctx.handle(), cut.get(), &after);
    if (after < before * (1 - 1e-9)) pieces = line;
  }
  std::vector<LinePiece> groups;
  std::map<std::optional<std::size_t>, std::size_t> group_of;
  std::uint32_t begin = 0;
  for (auto end : pieces.part_ends) {
    const auto where = end - begin >= 2 ? locate(midpoint(pieces, begin, end)) : std::nullopt;
    auto [it, fresh] = group_of.try_emplace(where, groups.size());
    if (fresh) groups.push_back({where, Geometry{GeometryKind::line, {}, {}, {}}});
    Geometry& out = groups[it->second].geometry;
    out.coords.insert(out.coords.end(), pieces.coords.begin() + begin, pieces.coords.begin() + end);
    out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
    begin = end;
  }
  // Join the stretches of one group that meet end to end (GEOS LineMerge), so a road that
  // crosses a village once comes out as one line there.
  for (auto& grp : groups) {
    if (grp.geometry.part_ends.size() < 2) continue;
    const GeosGeometry g = to_geos(ctx, grp.geometry);
    GeosGeometry merged(ctx, GEOSLineMergeDirected_r(ctx.handle(), g.get()));
    if (!merged) throw DataError("GEOS line merge failed: " + ctx.last_message());
    grp.geometry = from_geos(ctx, merged, GeometryKind::line);
  }
  // In the order the line runs through them (for a single line; a multi-line keeps GEOS's order).
  if (line.part_ends.size() == 1 && groups.size() > 1) {
    const GeosGeometry whole = to_geos(ctx, line);
    auto position = [&](const LinePiece& p) {
      double best = std::numeric_limits<double>::infinity();
      std::uint32_t b = 0;
      for (auto e : p.geometry.part_ends) {
        const GeosGeometry start = to_geos(ctx, Geometry::point(p.geometry.coords[b]));
        best = std::min(best, GEOSProject_r(ctx.handle(), whole.get(), start.get()));
        b = e;
      }
      return best;
    };
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i = 0; i < groups.size(); ++i) order.emplace_back(position(groups[i]), i);
    std::sort(order.begin(), order.end());
    std::vector<LinePiece> sorted;
    for (const auto& [pos, i] : order) sorted.push_back(std::move(groups[i]));
    groups = std::move(sorted);
  }
  return groups;
}

}  // namespace minqing::geo
