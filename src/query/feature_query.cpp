#include "query/feature_query.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "geo/prepared_geometry.hpp"
#include "geo/planar_predicates.hpp"
#include "query/cql2_evaluator.hpp"

namespace minqing::query {

namespace {

constexpr geo::BBox kEverything{-1e300, -1e300, 1e300, 1e300};

// A bbox given in `crs` as a 3857 polygon: its edges densified so that a box in a projected CRS
// keeps its shape after the transform.
geo::Geometry bbox_polygon(const geo::BBox& box, const Crs& crs) {
  constexpr int kSteps = 16;
  std::vector<geo::Coord> ring;
  auto edge = [&](geo::Coord a, geo::Coord b) {
    for (int i = 0; i < kSteps; ++i) {
      const double t = static_cast<double>(i) / kSteps;
      ring.push_back(to_mercator(crs, {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}));
    }
  };
  const geo::Coord p0{box.min_x, box.min_y}, p1{box.max_x, box.min_y}, p2{box.max_x, box.max_y}, p3{box.min_x, box.max_y};
  edge(p0, p1);
  edge(p1, p2);
  edge(p2, p3);
  edge(p3, p0);
  return geo::Geometry::polygon(std::move(ring));
}

// Whether a box in `crs` is an axis-parallel rectangle in EPSG:3857: in CRS84, EPSG:4326 (Web
// Mercator maps meridians and parallels to vertical and horizontal lines) and EPSG:3857 itself.
bool is_rectangle_in_mercator(const Crs& crs) { return crs.epsg == 4326 || crs.epsg == 3857; }

// That rectangle, from the box's corners.
geo::BBox mercator_rect(const geo::BBox& box, const Crs& crs) {
  const geo::Coord a = to_mercator(crs, {box.min_x, box.min_y});
  const geo::Coord b = to_mercator(crs, {box.max_x, box.max_y});
  return {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)};
}

void transform_literals(cql2::Node& n, const Crs& crs) {
  for (auto& c : n.children) transform_literals(*c, crs);
  if (n.kind != cql2::Node::Kind::spatial) return;
  try {
    for (auto& c : n.geometry.coords) c = to_mercator(crs, c);
  } catch (const ProjError&) {
    throw RequestError("filter: geometry at " + std::to_string(n.position) + " lies outside " + crs.uri +
                       " (check filter-crs and the axis order)");
  }
}

// The 3857 box that bounds every feature the filter can select, from spatial predicates ANDed
// at its top; kEverything when there is none.
geo::BBox filter_box(const cql2::Node& root) {
  auto of = [](const cql2::Node& n) {
    const geo::BBox b = cql2::search_box(n);
    return b.empty() ? kEverything : b;
  };
  if (root.kind == cql2::Node::Kind::spatial) return of(root);
  geo::BBox out = kEverything;
  if (root.kind == cql2::Node::Kind::and_) {
    for (const auto& c : root.children) {
      if (c->kind != cql2::Node::Kind::spatial) continue;
      const geo::BBox b = of(*c);
      out = {std::max(out.min_x, b.min_x), std::max(out.min_y, b.min_y), std::min(out.max_x, b.max_x),
             std::min(out.max_y, b.max_y)};
    }
  }
  return out;
}

bool equal_values(const model::Value& stored, const model::Value& wanted) {
  if (model::is_null(stored)) return false;
  if (const auto* s = std::get_if<std::string>(&wanted)) {
    const auto* t = std::get_if<std::string>(&stored);
    return t && *t == *s;
  }
  auto num = [](const model::Value& v, double& out) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) out = static_cast<double>(*i);
    else if (const auto* d = std::get_if<double>(&v)) out = *d;
    else return false;
    return true;
  };
  double a = 0, b = 0;
  return num(stored, a) && num(wanted, b) && a == b;
}

}  // namespace

model::Value parse_field_value(const model::FieldDef& def, std::string_view text) {
  const auto* begin = text.data();
  const auto* end = begin + text.size();
  switch (def.type) {
    case model::FieldType::integer: {
      std::int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(begin, end, v);
      if (text.empty() || ec != std::errc() || ptr != end) {
        throw RequestError("parameter " + def.name + ": '" + std::string(text) + "' is not an integer");
      }
      return v;
    }
    case model::FieldType::real: {
      double v = 0;
      const auto [ptr, ec] = std::from_chars(begin, end, v);
      if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
        throw RequestError("parameter " + def.name + ": '" + std::string(text) + "' is not a number");
      }
      return v;
    }
    case model::FieldType::text:
    case model::FieldType::date:
    case model::FieldType::datetime: break;
  }
  return std::string(text);
}

FeaturePage run_feature_query(const ScopedReader& reader, const ClassView& view, FeatureQuery& q) {
  geo::GeosContext ctx;
  geo::BBox search = kEverything;
  std::optional<geo::PreparedGeometry> bbox_prepared;
  std::optional<geo::BBox> bbox_rect;  // the bbox when it is a rectangle in EPSG:3857 too
  if (q.bbox) {
    try {
      if (is_rectangle_in_mercator(*q.bbox_crs)) {
        bbox_rect = mercator_rect(*q.bbox, *q.bbox_crs);
        search = *bbox_rect;
      } else {
        const geo::Geometry poly = bbox_polygon(*q.bbox, *q.bbox_crs);
        search = poly.bbox();
        bbox_prepared.emplace(ctx, poly);
      }
    } catch (const ProjError&) {
      throw RequestError("parameter bbox: lies outside " + q.bbox_crs->uri + " (check bbox-crs and the axis order)");
    }
  }

  if (q.filter && q.filter->root) {
    transform_literals(*q.filter->root, *q.filter_crs);
    const geo::BBox fb = filter_box(*q.filter->root);
    search = {std::max(search.min_x, fb.min_x), std::max(search.min_y, fb.min_y), std::min(search.max_x, fb.max_x),
              std::min(search.max_y, fb.max_y)};
  }
  std::optional<cql2::Evaluator> evaluator;
  if (q.filter && q.filter->root) evaluator.emplace(*q.filter);

  std::vector<store::ServedFeaturePtr> candidates;
  if (!search.empty()) reader.query(view.def->name, search, candidates);
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });

  FeaturePage page;
  for (const auto& sf : candidates) {
    if (bbox_rect && !geo::intersects_rect(sf->feature.geometry, *bbox_rect)) continue;
    if (bbox_prepared) {
      if (!search.intersects(sf->bbox) || sf->feature.geometry.empty()) continue;
      const geo::GeosGeometry g = geo::to_geos(ctx, sf->feature.geometry);
      if (!bbox_prepared->relation(geo::SpatialRelation::intersects, g).value_or(false)) continue;
    }
    bool ok = true;
    for (const auto& [field, value] : q.equals) {
      const auto idx = static_cast<std::size_t>(field);
      if (idx >= sf->feature.values.size() || !equal_values(sf->feature.values[idx], value)) {
        ok = false;
        break;
      }
    }
    if (!ok || (evaluator && !evaluator->matches(*sf))) continue;
    if (page.matched >= q.offset && page.features.size() < q.limit) page.features.push_back(sf);
    ++page.matched;
  }
  return page;
}

}  // namespace minqing::query
