#include "geo/projection.hpp"

#include <cmath>
#include <map>
#include <mutex>
#include <utility>
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

namespace {

// PROJ's search for the operation between two CRSs reads its database and costs ~50 ms, most of it
// opening the database and filling the context's caches; a program makes the same few transforms
// on every thread (the sheets' grid, the DEM's CRS, the store's). So every search runs in one
// shared context (its database open and its caches warm after the first), and the operation found
// is kept there as a prototype — never used to transform, only cloned, under the mutex, into the
// context of each Transform that asks for it again.
class Operations {
 public:
  // The operation from `from` to `to` in traditional GIS axis order, as a new object in `ctx`.
  // @throws ProjError naming both CRSs when either is unknown or no transformation exists.
  PJ* make(PJ_CONTEXT* ctx, const std::string& from, const std::string& to) {
    std::lock_guard lock(m_mutex);
    auto it = m_ops.find({from, to});
    if (it == m_ops.end()) {
      if (!m_ctx) {
        m_ctx = proj_context_create();
        proj_log_level(m_ctx, PJ_LOG_NONE);
      }
      PJ* raw = proj_create_crs_to_crs(m_ctx, from.c_str(), to.c_str(), nullptr);
      if (!raw) {
        throw ProjError("no transformation from " + from.substr(0, 80) + " to " + to.substr(0, 80) + ": " +
                        proj_context_errno_string(m_ctx, proj_context_errno(m_ctx)));
      }
      PJ* op = proj_normalize_for_visualization(m_ctx, raw);
      proj_destroy(raw);
      if (!op) throw ProjError("cannot normalise axis order for " + from.substr(0, 80));
      it = m_ops.emplace(std::make_pair(from, to), op).first;
    }
    PJ* copy = proj_clone(ctx, it->second);
    if (!copy) throw ProjError("cannot copy the transformation from " + from.substr(0, 80) + " to " + to.substr(0, 80));
    return copy;
  }

 private:
  std::mutex m_mutex;
  PJ_CONTEXT* m_ctx = nullptr;
  std::map<std::pair<std::string, std::string>, PJ*> m_ops;  // kept for the program's life
};

Operations& operations() {
  static Operations* o = new Operations;  // never destroyed: threads may still make transforms at exit
  return *o;
}

}  // namespace

Transform::Transform(const std::string& from, const std::string& to)
    : m_impl(std::make_unique<Impl>()), m_from(from), m_to(to) {
  m_impl->ctx = proj_context_create();
  proj_log_level(m_impl->ctx, PJ_LOG_NONE);
  m_impl->pj = operations().make(m_impl->ctx, from, to);
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
