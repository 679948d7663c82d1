#include "generate/county_layout.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "generate/names.hpp"
#include "generate/random.hpp"

namespace minqing::generate {

namespace {

struct TownshipName {
  const char* name;
  int code;
};

// Generation order: the mountainous north-west townships first, so the default three-village
// sample lies in 四都乡. Codes follow the brief: 1xx for 街道/镇, 2xx for 乡.
constexpr TownshipName kTownships[] = {
    {"四都乡", 207}, {"三都乡", 205}, {"竹源乡", 206}, {"西屏街道", 101}, {"水南街道", 102},
    {"望松街道", 103}, {"古市镇", 104}, {"叶村乡", 211}, {"斋坛乡", 210}, {"象溪镇", 107},
    {"赤寿乡", 203}, {"樟溪乡", 204}, {"大东坝镇", 105}, {"新兴镇", 106}, {"枫坪乡", 209},
    {"玉岩镇", 108}, {"安民乡", 201}, {"板桥乡", 202}, {"裕溪乡", 208}, {"新处乡", 212}};
constexpr int kTownshipCount = static_cast<int>(std::size(kTownships));
constexpr int kNominalRows = 17;  // 401 villages; fixes where the grid centre lies

std::string gov_unit_of(const std::string& name) {
  if (name.find("街道") != std::string::npos) return name + "办事处";
  return name + "人民政府";
}

}  // namespace

CountyLayout::CountyLayout(int villages, std::uint64_t seed, Coord origin_center) : m_seed(seed) {
  villages = std::max(1, villages);
  m_x0 = std::round(origin_center.x - kCell * kColumns / 2.0);
  m_y0 = std::round(origin_center.y + kCell * kNominalRows / 2.0);
  const int per_block = kBlockCols * kBlockRows;
  const int blocks = (villages + per_block - 1) / per_block;
  m_rows = ((blocks + kBlocksAcross - 1) / kBlocksAcross) * kBlockRows;

  // Townships: ~20 consecutive villages each (consecutive villages form a contiguous block).
  const int township_count = std::max(1, static_cast<int>(std::lround(villages / 20.0)));
  for (int t = 0; t < township_count; ++t) {
    Township tw;
    const auto& base = kTownships[t % kTownshipCount];
    tw.name = base.name;
    int code = base.code;
    if (t >= kTownshipCount) {
      tw.name += "（" + chinese_number(t / kTownshipCount + 1) + "片）";
      code += 20 * (t / kTownshipCount);
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03d", code % 1000);
    tw.code = buf;
    tw.gov_unit = gov_unit_of(tw.name);
    tw.first_village = static_cast<int>(static_cast<long long>(t) * villages / township_count);
    const int next = static_cast<int>(static_cast<long long>(t + 1) * villages / township_count);
    tw.village_count = next - tw.first_village;
    m_townships.push_back(tw);
  }

  std::set<std::string> used_names;
  Rng names_rng({seed, 0x4e414d45ULL});
  int township = 0;
  for (int i = 0; i < villages; ++i) {
    while (township + 1 < township_count && i >= m_townships[township + 1].first_village) ++township;
    VillageSpec v;
    v.index = i;
    const int block = i / per_block, local = i % per_block;
    v.col = (block % kBlocksAcross) * kBlockCols + local % kBlockCols;
    v.row = (block / kBlocksAcross) * kBlockRows + local / kBlockCols;
    v.township = township;
    const Township& tw = m_townships[township];
    v.township_seat = i == tw.first_village;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%03d", 201 + (i - tw.first_village));
    v.code = "331124" + tw.code + buf;
    v.name = unique_place_name(names_rng, used_names) + "村";
    Rng size_rng({seed, 0x53495a45ULL, static_cast<std::uint64_t>(i)});
    const bool big = township == 0 || v.township_seat;
    const double target = big ? 300.0 * std::exp(size_rng.normal(0, 0.1)) : 172.0 * std::exp(size_rng.normal(-0.05, 0.33));
    v.household_target = static_cast<int>(std::clamp(std::round(target), 60.0, 460.0));
    m_villages.push_back(std::move(v));
  }
}

Coord CountyLayout::corner(int i, int j) const noexcept {
  const double jitter = 0.12 * kCell;
  const double jx = (unit_of(hash_of({m_seed, 0x434fULL, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j), 0})) * 2 - 1) * jitter;
  const double jy = (unit_of(hash_of({m_seed, 0x434fULL, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j), 1})) * 2 - 1) * jitter;
  return {std::round((column_x(i) + jx) * 100) / 100, std::round((row_y(j) + jy) * 100) / 100};
}

Polyline CountyLayout::edge(int i0, int j0, int i1, int j1) const {
  const bool reversed = std::make_pair(j0, i0) > std::make_pair(j1, i1);
  if (reversed) {
    std::swap(i0, i1);
    std::swap(j0, j1);
  }
  const Coord a = corner(i0, j0), b = corner(i1, j1);
  const std::uint64_t key = hash_of({m_seed, 0x4544ULL, static_cast<std::uint64_t>(i0), static_cast<std::uint64_t>(j0),
                                     static_cast<std::uint64_t>(i1), static_cast<std::uint64_t>(j1)});
  const double a1 = 0.6 + 0.4 * unit_of(hash_of({key, 1})), a2 = 0.5 * unit_of(hash_of({key, 2})),
               a3 = 0.3 * unit_of(hash_of({key, 3}));
  const double p1 = 6.283 * unit_of(hash_of({key, 4})), p2 = 6.283 * unit_of(hash_of({key, 5})),
               p3 = 6.283 * unit_of(hash_of({key, 6}));
  const double len = distance(a, b);
  const Coord n = perp(normalized(b - a));
  constexpr int kSegments = 24;
  Polyline out;
  out.reserve(kSegments + 1);
  out.push_back(a);
  for (int k = 1; k < kSegments; ++k) {
    const double t = static_cast<double>(k) / kSegments;
    const double d = len * 0.032 * std::sin(std::numbers::pi * t) *
                     (a1 * std::sin(2 * std::numbers::pi * t + p1) + a2 * std::sin(5 * std::numbers::pi * t + p2) +
                      a3 * std::sin(9 * std::numbers::pi * t + p3));
    const Coord p = lerp(a, b, t) + n * d;
    out.push_back({std::round(p.x * 100) / 100, std::round(p.y * 100) / 100});
  }
  out.push_back(b);
  if (reversed) std::reverse(out.begin(), out.end());
  return out;
}

Polyline CountyLayout::village_ring(int col, int row) const {
  Polyline ring = edge(col, row, col, row + 1);  // west, north to south
  const auto append = [&ring](const Polyline& e) { ring.insert(ring.end(), e.begin() + 1, e.end()); };
  append(edge(col, row + 1, col + 1, row + 1));  // south, west to east
  append(edge(col + 1, row + 1, col + 1, row));  // east, south to north
  append(edge(col + 1, row, col, row));          // north, east to west
  return ring;
}

}  // namespace minqing::generate
