#pragma once
// XYZ tile math in EPSG:3857 (Web Mercator, 256 px tiles, y counted from the north).

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "geo/coord.hpp"
#include "geo/ellipsoid.hpp"

namespace minqing::geo {

// Half the width of the Web Mercator square, in metres.
inline constexpr double kMercatorHalfWorld = 20037508.342789244;
inline constexpr double kEarthRadius = kSemiMajorAxis;  // the 3857 sphere
inline constexpr int kMaxZoom = 24;

struct TileId {
  int z = 0;
  std::uint32_t x = 0;
  std::uint32_t y = 0;
  friend bool operator==(const TileId&, const TileId&) = default;
};

// True when x and y lie in the 2^z × 2^z grid and z is in [0, kMaxZoom].
constexpr bool is_valid(const TileId& t) noexcept {
  if (t.z < 0 || t.z > kMaxZoom) return false;
  const std::uint64_t n = std::uint64_t{1} << t.z;
  return t.x < n && t.y < n;
}

// Width of one tile at zoom z, in metres.
constexpr double tile_span(int z) noexcept {
  return 2 * kMercatorHalfWorld / static_cast<double>(std::uint64_t{1} << z);
}

// The tile's extent in EPSG:3857 metres. @pre is_valid(t)
constexpr BBox tile_bbox(const TileId& t) noexcept {
  const double span = tile_span(t.z);
  const double min_x = -kMercatorHalfWorld + t.x * span;
  const double max_y = kMercatorHalfWorld - t.y * span;
  return {min_x, max_y - span, min_x + span, max_y};
}

// Metres per pixel at zoom z for tiles of `tile_px` pixels.
constexpr double resolution(int z, int tile_px = 256) noexcept { return tile_span(z) / tile_px; }

// The tile at zoom z containing a 3857 point (clamped to the grid). @pre 0 <= z <= kMaxZoom
inline TileId tile_at(Coord m, int z) noexcept {
  const double n = static_cast<double>(std::uint64_t{1} << z);
  const double fx = (m.x + kMercatorHalfWorld) / (2 * kMercatorHalfWorld) * n;
  const double fy = (kMercatorHalfWorld - m.y) / (2 * kMercatorHalfWorld) * n;
  auto clamp = [n](double v) {
    return static_cast<std::uint32_t>(std::fmin(std::fmax(std::floor(v), 0.0), n - 1));
  };
  return {z, clamp(fx), clamp(fy)};
}

// Every tile at zoom z whose extent intersects `m` (EPSG:3857), row by row. @pre 0 <= z <= kMaxZoom
inline std::vector<TileId> tiles_covering(const BBox& m, int z) {
  std::vector<TileId> out;
  if (m.empty()) return out;
  const TileId a = tile_at({m.min_x, m.max_y}, z);
  const TileId b = tile_at({m.max_x, m.min_y}, z);
  for (std::uint32_t y = a.y; y <= b.y; ++y) {
    for (std::uint32_t x = a.x; x <= b.x; ++x) out.push_back({z, x, y});
  }
  return out;
}

// Spherical Web Mercator, exact for EPSG:3857; cheaper than PROJ for lon/lat already in WGS 84.
inline Coord lonlat_to_mercator(Coord lonlat) noexcept {
  constexpr double d2r = std::numbers::pi / 180.0;
  const double lat = std::fmax(std::fmin(lonlat.y, 85.0511287798066), -85.0511287798066);
  return {kEarthRadius * lonlat.x * d2r,
          kEarthRadius * std::log(std::tan(std::numbers::pi / 4 + lat * d2r / 2))};
}

inline Coord mercator_to_lonlat(Coord m) noexcept {
  constexpr double r2d = 180.0 / std::numbers::pi;
  return {m.x / kEarthRadius * r2d,
          (2 * std::atan(std::exp(m.y / kEarthRadius)) - std::numbers::pi / 2) * r2d};
}

}  // namespace minqing::geo
