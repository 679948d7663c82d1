#pragma once
// Coordinate transformation through PROJ. The only file that includes proj.h.

#include <memory>
#include <span>
#include <string>

#include "geo/coord.hpp"

namespace minqing::geo {

// A transformation between two CRSs, always in traditional GIS axis order (x = easting or
// longitude, y = northing or latitude), whatever the CRS's official axis order.
//
// A CRS is named by anything PROJ reads: "EPSG:4549", a WKT string, a PROJ string.
// Not thread-safe: each thread must use its own Transform (each owns its PROJ context).
class Transform {
 public:
  // @throws ProjError naming both CRSs when either is unknown or no transformation exists.
  Transform(const std::string& from, const std::string& to);
  ~Transform();
  Transform(Transform&&) noexcept;
  Transform& operator=(Transform&&) noexcept;
  Transform(const Transform&) = delete;
  Transform& operator=(const Transform&) = delete;

  // Transforms in place. @throws ProjError when a coordinate cannot be transformed (it is then
  // outside the CRS's domain); the span's content is unspecified after a throw.
  void apply(std::span<Coord> coords) const;
  Coord apply(Coord c) const;
  BBox apply(const BBox& box) const;  // transforms the box's edges densely and returns their extent

  const std::string& from() const noexcept { return m_from; }
  const std::string& to() const noexcept { return m_to; }

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::string m_from;
  std::string m_to;
};

// "EPSG:4549" for 4549.
std::string epsg(int code);

// True when PROJ knows this CRS definition.
bool is_known_crs(const std::string& definition);

}  // namespace minqing::geo
