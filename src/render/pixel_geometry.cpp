#include "render/pixel_geometry.hpp"

#include <algorithm>
#include <cmath>

namespace minqing::render {

using geo::Coord;

void simplify(std::vector<Coord>& pts, double tolerance) {
  if (pts.size() < 3) return;
  const double t2 = tolerance * tolerance;
  std::size_t kept = 1;
  for (std::size_t i = 1; i + 1 < pts.size(); ++i) {
    const double dx = pts[i].x - pts[kept - 1].x, dy = pts[i].y - pts[kept - 1].y;
    if (dx * dx + dy * dy >= t2) pts[kept++] = pts[i];
  }
  pts[kept++] = pts.back();
  pts.resize(kept);
}

namespace {

template <class Fn>
void for_each_part(const geo::Geometry& g, Fn fn) {
  std::size_t begin = 0;
  for (std::uint32_t end : g.part_ends) {
    fn(begin, static_cast<std::size_t>(end));
    begin = end;
  }
  if (g.part_ends.empty() && !g.coords.empty()) fn(0, g.coords.size());
}

std::vector<Coord> part_in_pixels(const geo::Geometry& g, std::size_t b, std::size_t e, const PixelTransform& t) {
  std::vector<Coord> pts;
  pts.reserve(e - b);
  for (std::size_t i = b; i < e; ++i) pts.push_back(t(g.coords[i]));
  return pts;
}

// Liang–Barsky: clips segment a→b to the box; returns false when nothing remains.
bool clip_segment(Coord& a, Coord& b, const geo::BBox& box, double& t0, double& t1) {
  t0 = 0;
  t1 = 1;
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - box.min_x, box.max_x - a.x, a.y - box.min_y, box.max_y - a.y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
    } else {
      const double r = q[i] / p[i];
      if (p[i] < 0) {
        if (r > t1) return false;
        t0 = std::max(t0, r);
      } else {
        if (r < t0) return false;
        t1 = std::min(t1, r);
      }
    }
  }
  const Coord a0 = a;
  a = {a0.x + t0 * dx, a0.y + t0 * dy};
  b = {a0.x + t1 * dx, a0.y + t1 * dy};
  return true;
}

void clip_line(const std::vector<Coord>& pts, const geo::BBox& box, std::vector<PixelLine>& out) {
  double dist = 0;
  PixelLine cur;
  bool open = false;
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    Coord a = pts[i], b = pts[i + 1];
    const double seg = std::hypot(b.x - a.x, b.y - a.y);
    double t0 = 0, t1 = 1;
    if (clip_segment(a, b, box, t0, t1)) {
      if (!open || t0 > 0) {
        if (open && cur.pts.size() > 1) out.push_back(std::move(cur));
        cur = PixelLine{};
        cur.pts.push_back(a);
        cur.start_distance = dist + t0 * seg;
        open = true;
      }
      cur.pts.push_back(b);
      if (t1 < 1) {
        if (cur.pts.size() > 1) out.push_back(std::move(cur));
        cur = PixelLine{};
        open = false;
      }
    } else if (open) {
      if (cur.pts.size() > 1) out.push_back(std::move(cur));
      cur = PixelLine{};
      open = false;
    }
    dist += seg;
  }
  if (open && cur.pts.size() > 1) out.push_back(std::move(cur));
}

// Sutherland–Hodgman against one edge.
template <class Inside, class Intersect>
std::vector<Coord> clip_edge(const std::vector<Coord>& in, Inside inside, Intersect intersect) {
  std::vector<Coord> out;
  if (in.empty()) return out;
  out.reserve(in.size() + 4);
  Coord prev = in.back();
  bool prev_in = inside(prev);
  for (const Coord& c : in) {
    const bool c_in = inside(c);
    if (c_in) {
      if (!prev_in) out.push_back(intersect(prev, c));
      out.push_back(c);
    } else if (prev_in) {
      out.push_back(intersect(prev, c));
    }
    prev = c;
    prev_in = c_in;
  }
  return out;
}

std::vector<Coord> clip_ring(std::vector<Coord> ring, const geo::BBox& b) {
  // Work on an open ring.
  if (ring.size() > 1 && ring.front() == ring.back()) ring.pop_back();
  const geo::BBox rb = [&] {
    geo::BBox x;
    for (const auto& c : ring) x.expand(c);
    return x;
  }();
  if (rb.min_x >= b.min_x && rb.max_x <= b.max_x && rb.min_y >= b.min_y && rb.max_y <= b.max_y) return ring;
  auto at_x = [](Coord p, Coord q, double x) { return Coord{x, p.y + (q.y - p.y) * (x - p.x) / (q.x - p.x)}; };
  auto at_y = [](Coord p, Coord q, double y) { return Coord{p.x + (q.x - p.x) * (y - p.y) / (q.y - p.y), y}; };
  ring = clip_edge(ring, [&](Coord c) { return c.x >= b.min_x; }, [&](Coord p, Coord q) { return at_x(p, q, b.min_x); });
  ring = clip_edge(ring, [&](Coord c) { return c.x <= b.max_x; }, [&](Coord p, Coord q) { return at_x(p, q, b.max_x); });
  ring = clip_edge(ring, [&](Coord c) { return c.y >= b.min_y; }, [&](Coord p, Coord q) { return at_y(p, q, b.min_y); });
  ring = clip_edge(ring, [&](Coord c) { return c.y <= b.max_y; }, [&](Coord p, Coord q) { return at_y(p, q, b.max_y); });
  return ring;
}

}  // namespace

std::vector<PixelLine> lines_in_pixels(const geo::Geometry& g, const PixelTransform& t, const geo::BBox& clip,
                                       double tolerance) {
  std::vector<PixelLine> out;
  for_each_part(g, [&](std::size_t b, std::size_t e) {
    if (e - b < 2) return;
    auto pts = part_in_pixels(g, b, e, t);
    simplify(pts, tolerance);
    clip_line(pts, clip, out);
  });
  return out;
}

std::vector<std::vector<Coord>> whole_lines_in_pixels(const geo::Geometry& g, const PixelTransform& t, double tolerance) {
  std::vector<std::vector<Coord>> out;
  for_each_part(g, [&](std::size_t b, std::size_t e) {
    if (e - b < 2) return;
    auto pts = part_in_pixels(g, b, e, t);
    simplify(pts, tolerance);
    out.push_back(std::move(pts));
  });
  return out;
}

std::vector<PixelPolygon> polygons_in_pixels(const geo::Geometry& g, const PixelTransform& t, const geo::BBox& clip,
                                             double tolerance) {
  std::vector<PixelPolygon> out;
  const std::size_t rings = g.part_ends.size();
  auto ring_begin = [&](std::size_t r) -> std::size_t { return r == 0 ? 0 : g.part_ends[r - 1]; };
  std::size_t first_ring = 0;
  const std::vector<std::uint32_t> poly_ends =
      g.polygon_ends.empty() ? std::vector<std::uint32_t>{static_cast<std::uint32_t>(rings)} : g.polygon_ends;
  for (std::uint32_t poly_end : poly_ends) {
    PixelPolygon poly;
    for (std::size_t r = first_ring; r < poly_end && r < rings; ++r) {
      const bool exterior = r == first_ring;
      auto pts = part_in_pixels(g, ring_begin(r), g.part_ends[r], t);
      simplify(pts, tolerance);
      if (pts.size() >= 4) pts = clip_ring(std::move(pts), clip);
      if (pts.size() < 3) {
        if (exterior) break;  // the polygon vanished (smaller than the tolerance, or clipped away)
        continue;
      }
      poly.push_back(std::move(pts));
    }
    first_ring = poly_end;
    if (!poly.empty()) out.push_back(std::move(poly));
  }
  return out;
}

Coord polygon_label_point(const geo::Geometry& g) {
  // Largest exterior ring by area.
  double best_area = -1;
  std::size_t best_b = 0, best_e = 0;
  std::size_t ring = 0, coord_begin = 0;
  const std::vector<std::uint32_t> poly_ends =
      g.polygon_ends.empty() ? std::vector<std::uint32_t>{static_cast<std::uint32_t>(g.part_ends.size())} : g.polygon_ends;
  for (std::uint32_t poly_end : poly_ends) {
    if (ring < g.part_ends.size()) {
      const std::size_t e = g.part_ends[ring];
      double a = 0;
      for (std::size_t i = coord_begin; i + 1 < e; ++i) {
        a += g.coords[i].x * g.coords[i + 1].y - g.coords[i + 1].x * g.coords[i].y;
      }
      if (std::fabs(a) > best_area) {
        best_area = std::fabs(a);
        best_b = coord_begin;
        best_e = e;
      }
    }
    ring = poly_end;
    coord_begin = ring > 0 && ring <= g.part_ends.size() ? g.part_ends[ring - 1] : coord_begin;
  }
  if (best_e <= best_b) return g.bbox().center();
  double a2 = 0, cx = 0, cy = 0;
  const Coord o = g.coords[best_b];
  for (std::size_t i = best_b; i + 1 < best_e; ++i) {
    const Coord p{g.coords[i].x - o.x, g.coords[i].y - o.y}, q{g.coords[i + 1].x - o.x, g.coords[i + 1].y - o.y};
    const double c = p.x * q.y - q.x * p.y;
    a2 += c;
    cx += (p.x + q.x) * c;
    cy += (p.y + q.y) * c;
  }
  Coord centroid = a2 == 0 ? g.bbox().center() : Coord{o.x + cx / (3 * a2), o.y + cy / (3 * a2)};
  // Inside test (even-odd) on the exterior ring, and the spans along the centroid's row.
  std::vector<double> xs;
  for (std::size_t i = best_b; i + 1 < best_e; ++i) {
    const Coord p = g.coords[i], q = g.coords[i + 1];
    if ((p.y > centroid.y) != (q.y > centroid.y)) xs.push_back(p.x + (centroid.y - p.y) * (q.x - p.x) / (q.y - p.y));
  }
  std::sort(xs.begin(), xs.end());
  bool inside = false;
  double best_w = -1, best_mid = centroid.x;
  for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
    if (centroid.x >= xs[i] && centroid.x <= xs[i + 1]) inside = true;
    if (xs[i + 1] - xs[i] > best_w) {
      best_w = xs[i + 1] - xs[i];
      best_mid = (xs[i] + xs[i + 1]) / 2;
    }
  }
  if (!inside && best_w > 0) centroid.x = best_mid;
  return centroid;
}

}  // namespace minqing::render
