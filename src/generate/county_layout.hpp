#pragma once
// Where the villages lie: a county-wide grid of cells ~2.3 km wide, one administrative village per
// cell, grouped into townships of ~20 neighbouring villages. Cell corners are jittered and cell
// edges wiggled by displacements that are pure functions of the edge, so two neighbouring villages
// compute bit-identical shared boundaries.
//
// Immutable after construction; safe to share between threads.

#include <cstdint>
#include <string>
#include <vector>

#include "generate/planar.hpp"

namespace minqing::generate {

struct Township {
  std::string name;       // 古市镇, 安民乡 …
  std::string code;       // 3 digits: 1xx for 镇/街道, 2xx for 乡
  std::string gov_unit;   // 古市镇人民政府, 西屏街道办事处 …
  int first_village = 0;  // index of its first (seat) village
  int village_count = 0;
};

struct VillageSpec {
  int index = 0;  // position in generation order
  int col = 0;    // cell column, west to east
  int row = 0;    // cell row, north to south
  int township = 0;
  std::string code;  // 12 digits: 331124 + township + village
  std::string name;  // 杨家堂村 …
  int household_target = 300;
  bool township_seat = false;
};

class CountyLayout {
 public:
  static constexpr double kCell = 2300.0;  // nominal cell size, metres
  static constexpr int kBlockCols = 5;     // a township block is 5 × 4 cells
  static constexpr int kBlockRows = 4;
  static constexpr int kBlocksAcross = 5;
  static constexpr int kColumns = kBlockCols * kBlocksAcross;

  // `origin_center` is the county centre in the store CRS (EPSG:4549 metres).
  CountyLayout(int villages, std::uint64_t seed, Coord origin_center);

  std::uint64_t seed() const noexcept { return m_seed; }
  const std::vector<VillageSpec>& villages() const noexcept { return m_villages; }
  const std::vector<Township>& townships() const noexcept { return m_townships; }
  int rows() const noexcept { return m_rows; }

  // Nominal cell geometry: x of column line i, y of row line j (rows grow southwards).
  double column_x(double i) const noexcept { return m_x0 + i * kCell; }
  double row_y(double j) const noexcept { return m_y0 - j * kCell; }
  // Continuous column/row coordinate of a point.
  double column_of(double x) const noexcept { return (x - m_x0) / kCell; }
  double row_of(double y) const noexcept { return (m_y0 - y) / kCell; }

  // The jittered corner between cells; i in [0, kColumns], j in [0, rows()].
  Coord corner(int i, int j) const noexcept;
  // The wiggled edge between corners (i0,j0) and (i1,j1) (adjacent), ordered from the first to the
  // second; identical coordinates whichever way it is asked for.
  Polyline edge(int i0, int j0, int i1, int j1) const;
  // The village's closed boundary ring, counter-clockwise.
  Polyline village_ring(int col, int row) const;
  // Its west and east edges, each ordered north to south.
  Polyline west_edge(int col, int row) const { return edge(col, row, col, row + 1); }
  Polyline east_edge(int col, int row) const { return edge(col + 1, row, col + 1, row + 1); }

 private:
  std::uint64_t m_seed;
  double m_x0 = 0, m_y0 = 0;  // north-west corner of the grid
  int m_rows = 0;
  std::vector<VillageSpec> m_villages;
  std::vector<Township> m_townships;
};

}  // namespace minqing::generate
