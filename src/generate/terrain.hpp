#pragma once
// The county's relief as one continuous height field h(x, y) in metres above sea level, defined on
// the whole plane (in the store CRS), so that the DEMs of neighbouring villages match at their
// edges. Each row of cells has a river valley along a meandering centreline; valley floors at
// ~180–420 m fall gently eastwards (downstream); slopes rise away from the river to ridges of up to
// ~1,450 m half-way to the next row's valley; side valleys (gullies) with streams come down to the
// river; smooth fractal noise on top.
//
// Immutable; safe to share between threads.

#include <cstdint>
#include <limits>
#include <vector>

#include "generate/county_layout.hpp"
#include "generate/planar.hpp"

namespace minqing::generate {

// A side valley of one valley row: it runs from the river (at x ≈ x0) up one side to near the
// ridge.
struct Gully {
  int row = 0;
  int col = 0;
  int side = 1;  // +1 north of the river, -1 south
  int k = 0;     // index within the cell side
  double x0 = 0;
  double phase = 0;
  std::uint64_t key = 0;
};

class Terrain {
 public:
  explicit Terrain(const CountyLayout& layout);

  // Per-row values that depend on x only, remembered while x stays the same (a DEM column).
  struct ColumnCache {
    double x = std::numeric_limits<double>::quiet_NaN();
    struct Entry {
      int row;
      double valley_y, floor, half_width;
    };
    Entry entries[8];
    int size = 0;
  };

  double height(double x, double y) const noexcept {
    ColumnCache cache;
    return height(x, y, cache);
  }
  // The same value, reusing `cache` across calls with the same x.
  double height(double x, double y, ColumnCache& cache) const noexcept;

  // Valley of a row: river centreline, floor level, floor half-width, river width.
  double valley_y(int row, double x) const noexcept;
  double floor_level(int row, double x) const noexcept;
  double floor_half_width(int row, double x) const noexcept;
  double river_width(int row, double x) const noexcept;
  // Signed northing offset of the county road from the river centreline.
  double road_offset(int row, double x) const noexcept;
  // Half the distance to the neighbouring valley on `side` (where the ridge is).
  double ridge_distance(int row, int side, double x) const noexcept;

  // Side valleys of the cell (col, row), on both sides of its river.
  std::vector<Gully> gullies(int col, int row) const;
  double gully_x(const Gully& g, double y) const noexcept;
  // The stream bed from the river (first point on the river centreline) up to `t_max` of the way
  // to the ridge, a vertex every ~20 m.
  Polyline stream_line(const Gully& g, double t_max) const;

  // A row-wide line y = valley_y + offset(x), sampled at x = k * step for every integer k in
  // [x_from, x_to]: vertices depend only on k, so neighbouring villages get identical ones.
  Polyline river_line(int row, double x_from, double x_to, double step) const;
  Polyline county_road_line(int row, double x_from, double x_to, double step) const;

  const CountyLayout& layout() const noexcept { return *m_layout; }

 private:
  double ridge_relief(double x, double y) const noexcept;
  int side_gullies(int col, int row, int side, Gully out[2]) const noexcept;
  const ColumnCache::Entry& column(ColumnCache& cache, int row, double x) const noexcept;
  const CountyLayout* m_layout;
  std::uint64_t m_seed;
};

// A regular grid of heights (a DEM) over a box; cell centres at min + (i + 0.5) * cell.
struct HeightGrid {
  double min_x = 0, max_y = 0, cell = 10;
  int nx = 0, ny = 0;
  std::vector<float> z;  // row-major from the north

  // Fills the grid covering `box` (snapped outwards to multiples of `cell`) from the terrain.
  static HeightGrid sample(const Terrain& terrain, const BBox& box, double cell);

  double at(double x, double y) const noexcept;  // bilinear, clamped at the edges
  Coord gradient(double x, double y) const noexcept;  // dz/dx, dz/dy
  double slope(double x, double y) const noexcept { return norm(gradient(x, y)); }  // rise over run
  BBox extent() const noexcept { return {min_x, max_y - ny * cell, min_x + nx * cell, max_y}; }
};

}  // namespace minqing::generate
