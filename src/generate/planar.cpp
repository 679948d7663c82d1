#include "generate/planar.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "generate/random.hpp"

namespace minqing::generate {

double dot(Coord a, Coord b) noexcept { return a.x * b.x + a.y * b.y; }
double cross(Coord a, Coord b) noexcept { return a.x * b.y - a.y * b.x; }
double norm(Coord a) noexcept { return std::sqrt(a.x * a.x + a.y * a.y); }
double distance(Coord a, Coord b) noexcept { return norm(b - a); }
Coord normalized(Coord a) noexcept {
  const double n = norm(a);
  return n > 0 ? Coord{a.x / n, a.y / n} : Coord{0, 0};
}
Coord perp(Coord a) noexcept { return {-a.y, a.x}; }
Coord lerp(Coord a, Coord b, double t) noexcept { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

double length(const Polyline& line) noexcept {
  double s = 0;
  for (std::size_t i = 1; i < line.size(); ++i) s += distance(line[i - 1], line[i]);
  return s;
}

Coord point_at(const Polyline& line, double s) noexcept {
  if (line.empty()) return {};
  if (s <= 0) return line.front();
  for (std::size_t i = 1; i < line.size(); ++i) {
    const double d = distance(line[i - 1], line[i]);
    if (s <= d && d > 0) return lerp(line[i - 1], line[i], s / d);
    s -= d;
  }
  return line.back();
}

Coord direction_at(const Polyline& line, double s) noexcept {
  if (line.size() < 2) return {1, 0};
  for (std::size_t i = 1; i < line.size(); ++i) {
    const double d = distance(line[i - 1], line[i]);
    if ((s <= d || i + 1 == line.size()) && d > 0) return normalized(line[i] - line[i - 1]);
    s -= d;
  }
  return normalized(line.back() - line[line.size() - 2]);
}

Polyline resample(const Polyline& line, double step) {
  Polyline out;
  if (line.empty()) return out;
  const double total = length(line);
  const int n = std::max(1, static_cast<int>(std::ceil(total / step)));
  out.reserve(n + 1);
  for (int i = 0; i < n; ++i) out.push_back(point_at(line, total * i / n));
  out.push_back(line.back());
  return out;
}

namespace {
void dp(const Polyline& line, std::size_t a, std::size_t b, double tol, std::vector<char>& keep) {
  if (b <= a + 1) return;
  double best = -1;
  std::size_t idx = a;
  for (std::size_t i = a + 1; i < b; ++i) {
    const double d = distance_to_segment(line[i], line[a], line[b]);
    if (d > best) {
      best = d;
      idx = i;
    }
  }
  if (best > tol) {
    keep[idx] = 1;
    dp(line, a, idx, tol, keep);
    dp(line, idx, b, tol, keep);
  }
}
}  // namespace

Polyline simplify(const Polyline& line, double tolerance) {
  if (line.size() < 3) return line;
  std::vector<char> keep(line.size(), 0);
  keep.front() = keep.back() = 1;
  dp(line, 0, line.size() - 1, tolerance, keep);
  Polyline out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (keep[i]) out.push_back(line[i]);
  }
  return out;
}

double distance_to_segment(Coord p, Coord a, Coord b) noexcept {
  const Coord ab = b - a;
  const double len2 = dot(ab, ab);
  double t = len2 > 0 ? dot(p - a, ab) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return distance(p, a + ab * t);
}

double distance_to_polyline(Coord p, const Polyline& line) noexcept {
  if (line.size() == 1) return distance(p, line[0]);
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < line.size(); ++i) best = std::min(best, distance_to_segment(p, line[i - 1], line[i]));
  return best;
}

std::size_t nearest_vertex(const Polyline& line, Coord p) noexcept {
  std::size_t best = 0;
  double bd = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < line.size(); ++i) {
    const double d = distance(p, line[i]);
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

double project(const Polyline& line, Coord p) noexcept {
  double best = std::numeric_limits<double>::infinity(), best_s = 0, s = 0;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const Coord ab = line[i] - line[i - 1];
    const double len2 = dot(ab, ab);
    const double seg = std::sqrt(len2);
    double t = len2 > 0 ? std::clamp(dot(p - line[i - 1], ab) / len2, 0.0, 1.0) : 0;
    const double d = distance(p, line[i - 1] + ab * t);
    if (d < best) {
      best = d;
      best_s = s + t * seg;
    }
    s += seg;
  }
  return best_s;
}

std::optional<std::pair<double, double>> segment_crossing(Coord a, Coord b, Coord c, Coord d) noexcept {
  const Coord r = b - a, s = d - c;
  const double den = cross(r, s);
  if (std::fabs(den) < 1e-12) return std::nullopt;
  const double t = cross(c - a, s) / den;
  const double u = cross(c - a, r) / den;
  if (t < 0 || t > 1 || u < 0 || u > 1) return std::nullopt;
  return std::make_pair(t, u);
}

double segment_distance(Coord a, Coord b, Coord c, Coord d) noexcept {
  if (segment_crossing(a, b, c, d)) return 0;
  return std::min({distance_to_segment(a, c, d), distance_to_segment(b, c, d), distance_to_segment(c, a, b),
                   distance_to_segment(d, a, b)});
}

std::optional<Crossing> first_crossing(const Polyline& a, const Polyline& b) noexcept {
  for (std::size_t i = 1; i < a.size(); ++i) {
    BBox sa;
    sa.expand(a[i - 1]);
    sa.expand(a[i]);
    for (std::size_t j = 1; j < b.size(); ++j) {
      BBox sb;
      sb.expand(b[j - 1]);
      sb.expand(b[j]);
      if (!sa.intersects(sb)) continue;
      if (auto tu = segment_crossing(a[i - 1], a[i], b[j - 1], b[j])) {
        return Crossing{i - 1, tu->first, j - 1, tu->second, lerp(a[i - 1], a[i], tu->first)};
      }
    }
  }
  return std::nullopt;
}

bool point_in_ring(const Polyline& ring, Coord p) noexcept {
  bool inside = false;
  const std::size_t n = ring.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Coord a = ring[i], b = ring[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

double ring_area(const Polyline& ring) noexcept {
  double s = 0;
  const std::size_t n = ring.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) s += cross(ring[j], ring[i]);
  return s / 2;
}

Coord ring_centroid(const Polyline& ring) noexcept {
  double a = 0, cx = 0, cy = 0;
  const std::size_t n = ring.size();
  const Coord o = ring.empty() ? Coord{} : ring[0];
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Coord p = ring[j] - o, q = ring[i] - o;
    const double c = cross(p, q);
    a += c;
    cx += (p.x + q.x) * c;
    cy += (p.y + q.y) * c;
  }
  if (std::fabs(a) < 1e-12) return o;
  return {o.x + cx / (3 * a), o.y + cy / (3 * a)};
}

std::vector<Coord> Rect::corners() const {
  const Coord u{std::cos(angle), std::sin(angle)};
  const Coord v = perp(u);
  return {center - u * half_length - v * half_width, center + u * half_length - v * half_width,
          center + u * half_length + v * half_width, center - u * half_length + v * half_width};
}

bool rects_overlap(const Rect& a, const Rect& b, double gap) noexcept {
  if (distance(a.center, b.center) > std::hypot(a.half_length, a.half_width) + std::hypot(b.half_length, b.half_width) + gap) {
    return false;
  }
  // Separating axis theorem with both rectangles grown by gap/2.
  const Rect* rs[2] = {&a, &b};
  for (const Rect* r : rs) {
    for (int k = 0; k < 2; ++k) {
      const Coord axis = k == 0 ? Coord{std::cos(r->angle), std::sin(r->angle)} : perp(Coord{std::cos(r->angle), std::sin(r->angle)});
      auto extent = [&](const Rect& q) {
        const Coord u{std::cos(q.angle), std::sin(q.angle)};
        const Coord v = perp(u);
        return std::fabs(dot(u, axis)) * (q.half_length + gap / 2) + std::fabs(dot(v, axis)) * (q.half_width + gap / 2);
      };
      const double d = std::fabs(dot(b.center - a.center, axis));
      if (d > extent(a) + extent(b)) return false;
    }
  }
  return true;
}

double rect_distance_to_polyline(const Rect& r, const Polyline& line) noexcept {
  const auto c = r.corners();
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t j = 1; j < line.size(); ++j) {
    for (int i = 0; i < 4; ++i) best = std::min(best, segment_distance(c[i], c[(i + 1) % 4], line[j - 1], line[j]));
  }
  if (!line.empty() && point_in_ring(c, line[0])) return 0;
  return best;
}

bool rect_inside_ring(const Rect& r, const Polyline& ring) noexcept {
  for (const Coord& c : r.corners()) {
    if (!point_in_ring(ring, c)) return false;
  }
  return true;
}

Polyline smooth(const Polyline& line, int iterations) {
  Polyline cur = line;
  for (int it = 0; it < iterations && cur.size() > 2; ++it) {
    Polyline next;
    next.reserve(cur.size() * 2);
    next.push_back(cur.front());
    for (std::size_t i = 1; i < cur.size(); ++i) {
      next.push_back(lerp(cur[i - 1], cur[i], 0.25));
      next.push_back(lerp(cur[i - 1], cur[i], 0.75));
    }
    next.push_back(cur.back());
    cur = std::move(next);
  }
  return cur;
}

Polyline blob(Coord center, double rx, double ry, double angle, std::uint64_t key, int points) {
  Polyline ring;
  const double ca = std::cos(angle), sa = std::sin(angle);
  const double ph1 = unit_of(hash_of({key, 1})) * 6.28, ph2 = unit_of(hash_of({key, 2})) * 6.28;
  for (int i = 0; i < points; ++i) {
    const double t = 2 * std::numbers::pi * i / points;
    const double k = 1 + 0.12 * std::sin(2 * t + ph1) + 0.08 * std::sin(3 * t + ph2);
    const double x = std::cos(t) * rx * k, y = std::sin(t) * ry * k;
    ring.push_back({center.x + x * ca - y * sa, center.y + x * sa + y * ca});
  }
  ring.push_back(ring.front());
  return ring;
}

BucketGrid::BucketGrid(const BBox& extent, double cell) : m_extent(extent), m_cell(cell) {
  m_nx = std::max(1, static_cast<int>(std::ceil(extent.width() / cell)) + 1);
  m_ny = std::max(1, static_cast<int>(std::ceil(extent.height() / cell)) + 1);
  m_buckets.resize(static_cast<std::size_t>(m_nx) * m_ny);
}

std::pair<int, int> BucketGrid::cell_of(Coord c) const noexcept {
  const int i = std::clamp(static_cast<int>(std::floor((c.x - m_extent.min_x) / m_cell)), 0, m_nx - 1);
  const int j = std::clamp(static_cast<int>(std::floor((c.y - m_extent.min_y) / m_cell)), 0, m_ny - 1);
  return {i, j};
}

void BucketGrid::insert(const BBox& box, std::uint32_t id) {
  const auto [i0, j0] = cell_of({box.min_x, box.min_y});
  const auto [i1, j1] = cell_of({box.max_x, box.max_y});
  for (int j = j0; j <= j1; ++j) {
    for (int i = i0; i <= i1; ++i) m_buckets[static_cast<std::size_t>(j) * m_nx + i].push_back(id);
  }
}

std::vector<std::uint32_t> BucketGrid::query(const BBox& box) const {
  std::vector<std::uint32_t> out;
  const auto [i0, j0] = cell_of({box.min_x, box.min_y});
  const auto [i1, j1] = cell_of({box.max_x, box.max_y});
  for (int j = j0; j <= j1; ++j) {
    for (int i = i0; i <= i1; ++i) {
      const auto& b = m_buckets[static_cast<std::size_t>(j) * m_nx + i];
      out.insert(out.end(), b.begin(), b.end());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace minqing::generate
