#include "generate/pathfinding.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace minqing::generate {

namespace {

Polyline astar(const HeightGrid& dem, const Polyline& ring, Coord start, Coord goal, const RouteOptions& opt,
               double max_grade) {
  BBox box;
  box.expand(start);
  box.expand(goal);
  box = box.buffered(opt.margin);
  const double s = opt.step;
  const int nx = static_cast<int>(std::ceil(box.width() / s)) + 1;
  const int ny = static_cast<int>(std::ceil(box.height() / s)) + 1;
  const auto node_xy = [&](int i, int j) { return Coord{box.min_x + i * s, box.min_y + j * s}; };
  const std::size_t n = static_cast<std::size_t>(nx) * ny;
  std::vector<float> z(n);
  std::vector<char> ok(n);
  std::vector<float> extra(n, 0.f);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const Coord p = node_xy(i, j);
      const std::size_t k = static_cast<std::size_t>(j) * nx + i;
      z[k] = static_cast<float>(dem.at(p.x, p.y));
      ok[k] = point_in_ring(ring, p) && distance_to_polyline(p, ring) > 12;
      for (const Obstacle& o : opt.obstacles) {
        if (distance_to_polyline(p, o.line) < o.clearance) extra[k] += static_cast<float>(o.penalty);
      }
    }
  }
  const auto nearest = [&](Coord p) {
    int i = std::clamp(static_cast<int>(std::lround((p.x - box.min_x) / s)), 0, nx - 1);
    int j = std::clamp(static_cast<int>(std::lround((p.y - box.min_y) / s)), 0, ny - 1);
    return std::make_pair(i, j);
  };
  const auto [si, sj] = nearest(start);
  const auto [gi, gj] = nearest(goal);
  const std::size_t src = static_cast<std::size_t>(sj) * nx + si, dst = static_cast<std::size_t>(gj) * nx + gi;
  ok[src] = ok[dst] = 1;
  static constexpr int kMoves[16][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1},
                                        {2, 1}, {2, -1}, {-2, 1}, {-2, -1}, {1, 2}, {1, -2}, {-1, 2}, {-1, -2}};
  std::vector<double> cost(n, std::numeric_limits<double>::infinity());
  std::vector<std::int32_t> from(n, -1);
  using Item = std::pair<double, std::size_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  const Coord gp = node_xy(gi, gj);
  cost[src] = 0;
  open.push({0, src});
  while (!open.empty()) {
    const auto [f, k] = open.top();
    open.pop();
    if (k == dst) break;
    const int i = static_cast<int>(k % nx), j = static_cast<int>(k / nx);
    const Coord p = node_xy(i, j);
    if (f - distance(p, gp) > cost[k] + 1e-9) continue;
    for (const auto& m : kMoves) {
      const int a = i + m[0], b = j + m[1];
      if (a < 0 || b < 0 || a >= nx || b >= ny) continue;
      const std::size_t q = static_cast<std::size_t>(b) * nx + a;
      if (!ok[q]) continue;
      const double len = s * std::sqrt(static_cast<double>(m[0] * m[0] + m[1] * m[1]));
      const double grade = std::fabs(static_cast<double>(z[q] - z[k])) / len;
      if (grade > max_grade) continue;
      const double c = cost[k] + len * (1 + 20 * grade * grade) + extra[q];
      if (c < cost[q]) {
        cost[q] = c;
        from[q] = static_cast<std::int32_t>(k);
        open.push({c + distance(node_xy(a, b), gp), q});
      }
    }
  }
  if (from[dst] < 0 && dst != src) return {};
  Polyline rev;
  for (auto k = static_cast<std::int64_t>(dst); k >= 0; k = from[static_cast<std::size_t>(k)]) {
    rev.push_back(node_xy(static_cast<int>(k % nx), static_cast<int>(k / nx)));
    if (static_cast<std::size_t>(k) == src) break;
  }
  std::reverse(rev.begin(), rev.end());
  Polyline out{start};
  for (std::size_t i = 1; i + 1 < rev.size(); ++i) out.push_back(rev[i]);
  out.push_back(goal);
  return out;
}

}  // namespace

Polyline find_route(const HeightGrid& dem, const Polyline& ring, Coord start, Coord goal, const RouteOptions& opt) {
  for (double g : {opt.max_grade, opt.max_grade * 1.6, opt.max_grade * 3}) {
    Polyline r = astar(dem, ring, start, goal, opt, g);
    if (!r.empty()) {
      Polyline sm = smooth(simplify(r, 2.0), 2);
      sm.front() = start;
      sm.back() = goal;
      return simplify(sm, 0.8);
    }
  }
  return {start, goal};
}

Polyline trace_contour(const HeightGrid& dem, Coord start, Coord hint, double length, double step, const Keep& keep) {
  Polyline out{start};
  const double z0 = dem.at(start.x, start.y);
  Coord dir = normalized(hint);
  Coord p = start;
  for (double s = 0; s < length; s += step) {
    const Coord g = dem.gradient(p.x, p.y);
    const double gn = norm(g);
    Coord want = dir;
    if (gn > 0.02) {
      Coord c = perp(g * (1 / gn));
      if (dot(c, dir) < 0) c = c * -1;
      want = normalized(dir * 0.5 + c * 0.5);
      const double dz = dem.at(p.x, p.y) - z0;
      want = normalized(want - g * (1 / gn) * std::clamp(dz / (gn * step * 4), -0.4, 0.4));
    }
    const Coord next = p + want * step;
    if (!keep(next)) break;
    out.push_back(next);
    dir = want;
    p = next;
  }
  return out;
}

Polyline trace_climb(const HeightGrid& dem, Coord start, double length, double grade, double switch_len, double step,
                     const Keep& keep, int first_side, int vertical) {
  Polyline out{start};
  Coord p = start;
  int side = first_side >= 0 ? 1 : -1;
  const double sense = vertical >= 0 ? 1.0 : -1.0;
  double since_switch = 0;
  for (double s = 0; s < length; s += step) {
    const Coord g = dem.gradient(p.x, p.y);
    const double gn = norm(g);
    if (gn < 0.01) break;  // flat: nowhere to climb
    const Coord up = g * (sense / gn);
    const Coord across = perp(up) * static_cast<double>(side);
    // The steepest bearing, from the contour towards straight up (or down), whose measured grade
    // over this step stays within `grade`.
    const double z0 = dem.at(p.x, p.y);
    Coord dir = across;
    bool steep = true;
    for (int deg = 90; deg >= 0; deg -= 5) {
      const double a = deg * 3.141592653589793 / 180;
      const Coord cand = across * std::cos(a) + up * std::sin(a);
      const Coord q = p + cand * step;
      const double rise = sense * (dem.at(q.x, q.y) - z0) / step;
      if (rise <= grade) {
        dir = cand;
        steep = deg < 90;
        break;
      }
    }
    if (steep) {
      since_switch += step;
      if (since_switch > switch_len) {
        side = -side;
        since_switch = 0;
      }
    }
    const Coord next = p + dir * step;
    if (!keep(next)) break;
    out.push_back(next);
    p = next;
  }
  return out;
}

}  // namespace minqing::generate
