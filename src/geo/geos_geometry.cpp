#include "geo/geos_geometry.hpp"

#include <cmath>
#include <vector>

#include <geos_c.h>

#include "base/error.hpp"

namespace minqing::geo {

GeosGeometry& GeosGeometry::operator=(GeosGeometry&& o) noexcept {
  if (this != &o) {
    reset();
    m_ctx = o.m_ctx;
    m_geom = o.m_geom;
    o.m_geom = nullptr;
  }
  return *this;
}

void GeosGeometry::reset() noexcept {
  if (m_geom && m_ctx) GEOSGeom_destroy_r(m_ctx->handle(), m_geom);
  m_geom = nullptr;
}

namespace {

GEOSCoordSequence* make_sequence(GEOSContextHandle_t h, const Coord* first, std::size_t n) {
  // GEOS 3.10+ copies a whole buffer of interleaved doubles in one call.
  return GEOSCoordSeq_copyFromBuffer_r(h, &first->x, static_cast<unsigned>(n), 0, 0);
}

[[noreturn]] void fail(const GeosContext& ctx, const char* what) {
  throw DataError(std::string("GEOS cannot build ") + what + ": " + ctx.last_message());
}

}  // namespace

GeosGeometry to_geos(const GeosContext& ctx, const Geometry& g) {
  const auto h = ctx.handle();
  std::vector<GEOSGeometry*> parts;
  std::uint32_t begin = 0;
  auto cleanup = [&] {
    for (auto* p : parts) GEOSGeom_destroy_r(h, p);
  };
  switch (g.kind) {
    case GeometryKind::point:
      for (const Coord& c : g.coords) parts.push_back(GEOSGeom_createPointFromXY_r(h, c.x, c.y));
      if (parts.size() == 1) return {ctx, parts[0]};
      return {ctx, GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, parts.data(),
                                               static_cast<unsigned>(parts.size()))};
    case GeometryKind::line:
      for (auto end : g.part_ends) {
        auto* seq = make_sequence(h, g.coords.data() + begin, end - begin);
        auto* line = seq ? GEOSGeom_createLineString_r(h, seq) : nullptr;
        if (!line) {
          cleanup();
          fail(ctx, "a line");
        }
        parts.push_back(line);
        begin = end;
      }
      if (parts.size() == 1) return {ctx, parts[0]};
      return {ctx, GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, parts.data(),
                                               static_cast<unsigned>(parts.size()))};
    case GeometryKind::polygon: {
      std::uint32_t ring_begin = 0;
      for (auto poly_end : g.polygon_ends) {
        std::vector<GEOSGeometry*> rings;
        for (auto r = ring_begin; r < poly_end; ++r) {
          const auto end = g.part_ends[r];
          auto* seq = make_sequence(h, g.coords.data() + begin, end - begin);
          auto* ring = seq ? GEOSGeom_createLinearRing_r(h, seq) : nullptr;
          begin = end;
          if (!ring) {
            for (auto* x : rings) GEOSGeom_destroy_r(h, x);
            cleanup();
            fail(ctx, "a polygon ring (a ring needs at least 4 points, first == last)");
          }
          rings.push_back(ring);
        }
        if (rings.empty()) continue;
        parts.push_back(GEOSGeom_createPolygon_r(h, rings[0], rings.data() + 1,
                                                 static_cast<unsigned>(rings.size() - 1)));
        ring_begin = poly_end;
      }
      if (parts.size() == 1) return {ctx, parts[0]};
      return {ctx, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(),
                                               static_cast<unsigned>(parts.size()))};
    }
  }
  return {};
}

namespace {

void append_sequence(GEOSContextHandle_t h, const GEOSCoordSequence* seq, Geometry& out) {
  unsigned n = 0;
  GEOSCoordSeq_getSize_r(h, seq, &n);
  const auto base = out.coords.size();
  out.coords.resize(base + n);
  if (n > 0) GEOSCoordSeq_copyToBuffer_r(h, seq, &out.coords[base].x, 0, 0);
  out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
}

void collect(GEOSContextHandle_t h, const GEOSGeometry* g, GeometryKind kind, Geometry& out) {
  const int type = GEOSGeomTypeId_r(h, g);
  switch (type) {
    case GEOS_POINT:
      if (kind == GeometryKind::point && !GEOSisEmpty_r(h, g)) {
        append_sequence(h, GEOSGeom_getCoordSeq_r(h, g), out);
      }
      return;
    case GEOS_LINESTRING:
      if (kind == GeometryKind::line && !GEOSisEmpty_r(h, g)) {
        append_sequence(h, GEOSGeom_getCoordSeq_r(h, g), out);
      }
      return;
    case GEOS_POLYGON: {
      if (kind != GeometryKind::polygon || GEOSisEmpty_r(h, g)) return;
      append_sequence(h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)), out);
      const int holes = GEOSGetNumInteriorRings_r(h, g);
      for (int i = 0; i < holes; ++i) {
        append_sequence(h, GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g, i)), out);
      }
      out.polygon_ends.push_back(static_cast<std::uint32_t>(out.part_ends.size()));
      return;
    }
    default: {
      const int n = GEOSGetNumGeometries_r(h, g);
      for (int i = 0; i < n; ++i) collect(h, GEOSGetGeometryN_r(h, g, i), kind, out);
    }
  }
}

}  // namespace

Geometry from_geos(const GeosContext& ctx, const GEOSGeometry* g, GeometryKind kind) {
  Geometry out;
  out.kind = kind;
  if (g) collect(ctx.handle(), g, kind, out);
  return out;
}

std::optional<std::string> invalid_reason(const GeosContext& ctx, const Geometry& g) {
  if (g.empty()) return std::string("empty geometry");
  for (const Coord& c : g.coords) {
    if (!std::isfinite(c.x) || !std::isfinite(c.y)) return std::string("non-finite coordinate");
  }
  GeosGeometry geos;
  try {
    geos = to_geos(ctx, g);
  } catch (const DataError& e) {
    return std::string(e.what());
  }
  if (GEOSisValid_r(ctx.handle(), geos.get()) == 1) return std::nullopt;
  char* reason = GEOSisValidReason_r(ctx.handle(), geos.get());
  std::string out = reason ? reason : "invalid geometry";
  if (reason) GEOSFree_r(ctx.handle(), reason);
  return out;
}

Geometry make_valid(const GeosContext& ctx, const Geometry& g) {
  GeosGeometry geos = to_geos(ctx, g);
  GeosGeometry valid(ctx, GEOSMakeValid_r(ctx.handle(), geos.get()));
  if (!valid) throw DataError("GEOS MakeValid failed: " + ctx.last_message());
  return from_geos(ctx, valid.get(), g.kind);
}

}  // namespace minqing::geo
