#include "geo/projection.hpp"

#include <cmath>
#include <vector>

#include <proj.h>

#include "base/error.hpp"

namespace minqing::geo {

struct Transform::Impl {
  PJ_CONTEXT* ctx = nullptr;
  PJ* pj = nullptr;
  ~Impl() {
    if (pj) proj_destroy(pj);
    if (ctx) proj_context_destroy(ctx);
  }
};

Transform::Transform(const std::string& from, const std::string& to)
    : m_impl(std::make_unique<Impl>()), m_from(from), m_to(to) {
  m_impl->ctx = proj_context_create();
  proj_log_level(m_impl->ctx, PJ_LOG_NONE);
  PJ* raw = proj_create_crs_to_crs(m_impl->ctx, from.c_str(), to.c_str(), nullptr);
  if (!raw) {
    throw ProjError("no transformation from " + from.substr(0, 80) + " to " + to.substr(0, 80) +
                    ": " + proj_context_errno_string(m_impl->ctx, proj_context_errno(m_impl->ctx)));
  }
  m_impl->pj = proj_normalize_for_visualization(m_impl->ctx, raw);
  proj_destroy(raw);
  if (!m_impl->pj) throw ProjError("cannot normalise axis order for " + from.substr(0, 80));
}

Transform::~Transform() = default;
Transform::Transform(Transform&&) noexcept = default;
Transform& Transform::operator=(Transform&&) noexcept = default;

void Transform::apply(std::span<Coord> coords) const {
  if (coords.empty()) return;
  proj_errno_reset(m_impl->pj);
  proj_trans_generic(m_impl->pj, PJ_FWD, &coords[0].x, sizeof(Coord), coords.size(), &coords[0].y,
                     sizeof(Coord), coords.size(), nullptr, 0, 0, nullptr, 0, 0);
  for (const Coord& c : coords) {
    if (!std::isfinite(c.x) || !std::isfinite(c.y)) {
      throw ProjError("coordinate outside the domain of " + m_from.substr(0, 80) + " → " +
                      m_to.substr(0, 80));
    }
  }
}

Coord Transform::apply(Coord c) const {
  apply(std::span<Coord>(&c, 1));
  return c;
}

BBox Transform::apply(const BBox& box) const {
  constexpr int kSteps = 16;
  std::vector<Coord> edge;
  for (int i = 0; i <= kSteps; ++i) {
    const double t = static_cast<double>(i) / kSteps;
    const double x = box.min_x + t * box.width();
    const double y = box.min_y + t * box.height();
    edge.push_back({x, box.min_y});
    edge.push_back({x, box.max_y});
    edge.push_back({box.min_x, y});
    edge.push_back({box.max_x, y});
  }
  apply(edge);
  BBox out;
  for (const Coord& c : edge) out.expand(c);
  return out;
}

std::string epsg(int code) { return "EPSG:" + std::to_string(code); }

bool is_known_crs(const std::string& definition) {
  PJ_CONTEXT* ctx = proj_context_create();
  proj_log_level(ctx, PJ_LOG_NONE);
  PJ* crs = proj_create(ctx, definition.c_str());
  const bool ok = crs != nullptr && proj_is_crs(crs);
  if (crs) proj_destroy(crs);
  proj_context_destroy(ctx);
  return ok;
}

}  // namespace minqing::geo
