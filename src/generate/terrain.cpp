#include "generate/terrain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "generate/noise.hpp"
#include "generate/random.hpp"

namespace minqing::generate {

namespace {

inline double profile(double t) noexcept { return t * std::sqrt(t) * (2.5 - 1.5 * t); }
inline double smoothstep(double e0, double e1, double x) noexcept {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}
inline std::uint64_t u(long long v) noexcept { return static_cast<std::uint64_t>(v); }

}  // namespace

Terrain::Terrain(const CountyLayout& layout) : m_layout(&layout), m_seed(layout.seed()) {}

double Terrain::valley_y(int row, double x) const noexcept {
  const std::uint64_t key = hash_of({m_seed, 0x5641ULL, u(row)});
  const double p1 = 6.283 * unit_of(hash_of({key, 1})), p2 = 6.283 * unit_of(hash_of({key, 2}));
  return m_layout->row_y(row + 0.5) + 150 * std::sin(x / 560.0 + p1) + 65 * std::sin(x / 245.0 + p2) +
         40 * fbm(key, x, 1800, 2);
}

double Terrain::floor_level(int row, double x) const noexcept {
  const double frac = std::clamp(m_layout->column_of(x) / CountyLayout::kColumns, -0.2, 1.2);
  return 185 + 210 * (1 - frac) + 14 * std::abs(row - 8) + 10 * fbm(hash_of({m_seed, 0x464cULL, u(row)}), x, 1500, 2);
}

double Terrain::floor_half_width(int row, double x) const noexcept {
  return 165 + 80 * value_noise(hash_of({m_seed, 0x4857ULL, u(row)}), x / 1100.0);
}

double Terrain::river_width(int row, double x) const noexcept {
  const double frac = std::clamp(m_layout->column_of(x) / CountyLayout::kColumns, 0.0, 1.0);
  const double w = 14 + 20 * frac + 4 * value_noise(hash_of({m_seed, 0x5257ULL, u(row)}), x / 400.0);
  return std::min(w, 0.35 * floor_half_width(row, x));
}

double Terrain::road_offset(int row, double x) const noexcept {
  const double side = (hash_of({m_seed, 0x5253ULL, u(row)}) & 1) ? 1.0 : -1.0;
  const double w = floor_half_width(row, x);
  const double off = 0.5 * w + 14 * value_noise(hash_of({m_seed, 0x524fULL, u(row)}), x / 300.0);
  return side * std::clamp(off, river_width(row, x) / 2 + 24, w - 12);
}

double Terrain::ridge_distance(int row, int side, double x) const noexcept {
  return std::fabs(valley_y(row - side, x) - valley_y(row, x)) / 2;
}

double Terrain::ridge_relief(double x, double y) const noexcept {
  const double a = 0.5 + 0.5 * fbm(hash_of({m_seed, 0x5231ULL}), x, y, 2600, 3);
  const double b = std::max(0.0, fbm(hash_of({m_seed, 0x5232ULL}), x, y, 4200, 2));
  return 260 + 520 * a + 420 * b;
}

int Terrain::side_gullies(int col, int row, int side, Gully out[2]) const noexcept {
  const std::uint64_t key = hash_of({m_seed, 0x4755ULL, u(col), u(row), u(side)});
  const int n = 1 + static_cast<int>(key & 1);
  for (int k = 0; k < n; ++k) {
    Gully& g = out[k];
    g.row = row;
    g.col = col;
    g.side = side;
    g.k = k;
    g.key = hash_of({key, u(k)});
    const double frac = n == 1 ? 0.3 + 0.4 * unit_of(hash_of({g.key, 1})) : 0.2 + 0.4 * k + 0.2 * unit_of(hash_of({g.key, 1}));
    g.x0 = m_layout->column_x(col + frac);
    g.phase = 6.283 * unit_of(hash_of({g.key, 2}));
  }
  return n;
}

std::vector<Gully> Terrain::gullies(int col, int row) const {
  std::vector<Gully> out;
  for (int side : {1, -1}) {
    Gully g[2];
    const int n = side_gullies(col, row, side, g);
    out.insert(out.end(), g, g + n);
  }
  return out;
}

double Terrain::gully_x(const Gully& g, double y) const noexcept {
  return g.x0 + 45 * std::sin((y - m_layout->row_y(g.row + 0.5)) / 130.0 + g.phase);
}

const Terrain::ColumnCache::Entry& Terrain::column(ColumnCache& cache, int row, double x) const noexcept {
  if (!(cache.x == x)) {
    cache.x = x;
    cache.size = 0;
  }
  for (int i = 0; i < cache.size; ++i) {
    if (cache.entries[i].row == row) return cache.entries[i];
  }
  if (cache.size == 8) cache.size = 0;
  auto& e = cache.entries[cache.size++];
  e = {row, valley_y(row, x), floor_level(row, x), floor_half_width(row, x)};
  return e;
}

double Terrain::height(double x, double y, ColumnCache& cache) const noexcept {
  const int r0 = static_cast<int>(std::floor(m_layout->row_of(y)));
  int row = r0;
  double best = std::numeric_limits<double>::infinity(), yc = 0;
  for (int r = r0 - 1; r <= r0 + 1; ++r) {
    const double c = column(cache, r, x).valley_y;
    if (std::fabs(y - c) < best) {
      best = std::fabs(y - c);
      row = r;
      yc = c;
    }
  }
  const double dy = y - yc;
  const int side = dy >= 0 ? 1 : -1;
  const double d = std::fabs(dy);
  const auto& here = column(cache, row, x);
  const auto& there = column(cache, row - side, x);
  const double ridge_d = std::fabs(there.valley_y - yc) / 2;
  const double w = here.half_width;
  const double t = std::clamp((d - w) / std::max(ridge_d - w, 50.0), 0.0, 1.0);
  const double floor = here.floor;
  const double ridge = std::max(floor, there.floor) + ridge_relief(x, y);
  const double p = profile(t);
  double h = floor + 5 * std::min(d, w) / w + (ridge - floor) * p;

  // Side valleys: carve along the gully lines of this valley side (max, not sum).
  const int col = static_cast<int>(std::floor(m_layout->column_of(x)));
  double carve = 0;
  if (t > 0) {
    const double depth = (ridge - floor) * p * 0.42 * (1 - t * t);
    const double wg = 45 + 90 * t;
    for (int c = col - 1; c <= col + 1; ++c) {
      Gully gs[2];
      const int n = side_gullies(c, row, side, gs);
      for (int k = 0; k < n; ++k) {
        const Gully& g = gs[k];
        const double dx = (x - gully_x(g, y)) / wg;
        if (dx * dx > 16) continue;
        carve = std::max(carve, depth * std::exp(-dx * dx));
      }
    }
  }
  h -= carve;
  h += 32 * fbm(hash_of({m_seed, 0x4e31ULL}), x, y, 650, 4) * smoothstep(0, 0.35, t);
  h += 1.2 * fbm(hash_of({m_seed, 0x4e32ULL}), x, y, 140, 2);
  return h;
}

Polyline Terrain::stream_line(const Gully& g, double t_max) const {
  Polyline out;
  const double yc0 = valley_y(g.row, g.x0);
  const double w = floor_half_width(g.row, g.x0);
  const double ridge_d = ridge_distance(g.row, g.side, g.x0);
  const double d_max = w + t_max * std::max(ridge_d - w, 50.0);
  const double x1 = gully_x(g, yc0);
  out.push_back({x1, valley_y(g.row, x1)});
  for (double d = 20; d <= d_max; d += 20) {
    const double y = yc0 + g.side * d;
    out.push_back({gully_x(g, y), y});
  }
  return out;
}

namespace {
template <class F>
Polyline row_sampled(double x_from, double x_to, double step, F&& y_of) {
  Polyline out;
  const auto k0 = static_cast<long long>(std::floor(x_from / step));
  const auto k1 = static_cast<long long>(std::ceil(x_to / step));
  out.reserve(static_cast<std::size_t>(k1 - k0 + 1));
  for (long long k = k0; k <= k1; ++k) {
    const double x = static_cast<double>(k) * step;
    out.push_back({x, std::round(y_of(x) * 100) / 100});
  }
  return out;
}
}  // namespace

Polyline Terrain::river_line(int row, double x_from, double x_to, double step) const {
  return row_sampled(x_from, x_to, step, [&](double x) { return valley_y(row, x); });
}

Polyline Terrain::county_road_line(int row, double x_from, double x_to, double step) const {
  return row_sampled(x_from, x_to, step, [&](double x) { return valley_y(row, x) + road_offset(row, x); });
}

HeightGrid HeightGrid::sample(const Terrain& terrain, const BBox& box, double cell) {
  HeightGrid g;
  g.cell = cell;
  g.min_x = std::floor(box.min_x / cell) * cell - cell;
  const double min_y = std::floor(box.min_y / cell) * cell - cell;
  g.max_y = std::ceil(box.max_y / cell) * cell + cell;
  g.nx = static_cast<int>(std::lround((std::ceil(box.max_x / cell) * cell + cell - g.min_x) / cell));
  g.ny = static_cast<int>(std::lround((g.max_y - min_y) / cell));
  g.z.resize(static_cast<std::size_t>(g.nx) * g.ny);
  Terrain::ColumnCache cache;
  for (int i = 0; i < g.nx; ++i) {
    const double x = g.min_x + (i + 0.5) * cell;
    for (int j = 0; j < g.ny; ++j) {
      const double y = g.max_y - (j + 0.5) * cell;
      g.z[static_cast<std::size_t>(j) * g.nx + i] = static_cast<float>(std::round(terrain.height(x, y, cache) * 100) / 100);
    }
  }
  return g;
}

double HeightGrid::at(double x, double y) const noexcept {
  const double fx = std::clamp((x - min_x) / cell - 0.5, 0.0, nx - 1.0);
  const double fy = std::clamp((max_y - y) / cell - 0.5, 0.0, ny - 1.0);
  const int i = std::min(static_cast<int>(fx), nx - 2), j = std::min(static_cast<int>(fy), ny - 2);
  const double u = fx - i, v = fy - j;
  const auto Z = [&](int a, int b) { return static_cast<double>(z[static_cast<std::size_t>(b) * nx + a]); };
  return (Z(i, j) * (1 - u) + Z(i + 1, j) * u) * (1 - v) + (Z(i, j + 1) * (1 - u) + Z(i + 1, j + 1) * u) * v;
}

Coord HeightGrid::gradient(double x, double y) const noexcept {
  const double h = cell;
  return {(at(x + h, y) - at(x - h, y)) / (2 * h), (at(x, y + h) - at(x, y - h)) / (2 * h)};
}

}  // namespace minqing::generate
