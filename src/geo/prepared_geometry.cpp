#include "geo/prepared_geometry.hpp"

#include <string>

#include <geos_c.h>

#include "base/error.hpp"

namespace minqing::geo {

PreparedGeometry::PreparedGeometry(const GeosContext& ctx, GeosGeometry geometry)
    : m_ctx(&ctx), m_geometry(std::move(geometry)) {
  if (m_geometry) m_prepared = GEOSPrepare_r(ctx.handle(), m_geometry.get());
  if (!m_prepared) throw DataError("GEOS cannot prepare a geometry: " + ctx.last_message());
}

PreparedGeometry::PreparedGeometry(const GeosContext& ctx, const Geometry& g) : PreparedGeometry(ctx, to_geos(ctx, g)) {}

PreparedGeometry::~PreparedGeometry() { destroy(); }

PreparedGeometry::PreparedGeometry(PreparedGeometry&& o) noexcept
    : m_ctx(o.m_ctx), m_geometry(std::move(o.m_geometry)), m_prepared(o.m_prepared) {
  o.m_prepared = nullptr;
}

PreparedGeometry& PreparedGeometry::operator=(PreparedGeometry&& o) noexcept {
  if (this != &o) {
    destroy();  // before the geometry it indexes
    m_ctx = o.m_ctx;
    m_geometry = std::move(o.m_geometry);
    m_prepared = o.m_prepared;
    o.m_prepared = nullptr;
  }
  return *this;
}

void PreparedGeometry::destroy() noexcept {
  if (m_prepared) GEOSPreparedGeom_destroy_r(m_ctx->handle(), m_prepared);
  m_prepared = nullptr;
}

std::optional<bool> PreparedGeometry::relation(SpatialRelation relation, const GeosGeometry& other) const noexcept {
  const auto h = m_ctx->handle();
  const GEOSGeometry* g = other.get();
  char r = 2;
  switch (relation) {
    case SpatialRelation::intersects: r = GEOSPreparedIntersects_r(h, m_prepared, g); break;
    case SpatialRelation::disjoint: r = GEOSPreparedDisjoint_r(h, m_prepared, g); break;
    case SpatialRelation::touches: r = GEOSPreparedTouches_r(h, m_prepared, g); break;
    case SpatialRelation::contains: r = GEOSPreparedContains_r(h, m_prepared, g); break;
    case SpatialRelation::within: r = GEOSPreparedWithin_r(h, m_prepared, g); break;
    case SpatialRelation::covers: r = GEOSPreparedCovers_r(h, m_prepared, g); break;
    case SpatialRelation::overlaps: r = GEOSPreparedOverlaps_r(h, m_prepared, g); break;
    case SpatialRelation::crosses: r = GEOSPreparedCrosses_r(h, m_prepared, g); break;
    case SpatialRelation::equals: r = GEOSEquals_r(h, g, m_geometry.get()); break;
  }
  if (r == 2) return std::nullopt;
  return r == 1;
}

bool PreparedGeometry::checked(SpatialRelation relation, const GeosGeometry& other) const {
  const auto r = this->relation(relation, other);
  if (!r) throw DataError("GEOS cannot test a spatial relation: " + m_ctx->last_message());
  return *r;
}

bool PreparedGeometry::checked(SpatialRelation relation, const Geometry& other) const {
  return checked(relation, to_geos(*m_ctx, other));
}

bool PreparedGeometry::intersects(const GeosGeometry& other) const { return checked(SpatialRelation::intersects, other); }
bool PreparedGeometry::intersects(const Geometry& other) const { return checked(SpatialRelation::intersects, other); }
bool PreparedGeometry::contains(const GeosGeometry& other) const { return checked(SpatialRelation::contains, other); }
bool PreparedGeometry::contains(const Geometry& other) const { return checked(SpatialRelation::contains, other); }
bool PreparedGeometry::covers(const GeosGeometry& other) const { return checked(SpatialRelation::covers, other); }
bool PreparedGeometry::covers(const Geometry& other) const { return checked(SpatialRelation::covers, other); }
bool PreparedGeometry::within(const GeosGeometry& other) const { return checked(SpatialRelation::within, other); }
bool PreparedGeometry::within(const Geometry& other) const { return checked(SpatialRelation::within, other); }

bool PreparedGeometry::distance_within(const GeosGeometry& other, double distance) const {
  const char r = GEOSPreparedDistanceWithin_r(m_ctx->handle(), m_prepared, other.get(), distance);
  if (r == 2) throw DataError("GEOS cannot measure a distance: " + m_ctx->last_message());
  return r == 1;
}

bool PreparedGeometry::distance_within(const Geometry& other, double distance) const {
  return distance_within(to_geos(*m_ctx, other), distance);
}

}  // namespace minqing::geo
