#include "route/village_evacuees.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "geo/ground_measures.hpp"
#include "geo/tile.hpp"
#include "store/serving_index.hpp"

namespace minqing::route {

namespace {

const geo::BBox kEverything{-1e300, -1e300, 1e300, 1e300};

const model::Value* value_of(const model::FeatureClassDef& def, const model::Feature& f, std::string_view field) {
  const int i = def.field_index(field);
  if (i < 0 || static_cast<std::size_t>(i) >= f.values.size()) return nullptr;
  return &f.values[static_cast<std::size_t>(i)];
}

std::string text_of(const model::FeatureClassDef& def, const model::Feature& f, std::string_view field) {
  const auto* v = value_of(def, f, field);
  const auto* s = v ? std::get_if<std::string>(v) : nullptr;
  return s ? *s : std::string{};
}

int int_of(const model::FeatureClassDef& def, const model::Feature& f, std::string_view field) {
  const auto* v = value_of(def, f, field);
  if (!v) return 0;
  if (const auto* i = std::get_if<std::int64_t>(v)) return static_cast<int>(std::clamp<std::int64_t>(*i, 0, 1000000));
  if (const auto* d = std::get_if<double>(v)) return static_cast<int>(std::clamp(*d, 0.0, 1e6));
  return 0;
}

// The features of `cls` with village_code `code` inside `box`, in fid order.
std::vector<store::ServedFeaturePtr> of_village(const store::ServingIndex& index, std::string_view cls,
                                                std::string_view code, const geo::BBox& box) {
  std::vector<store::ServedFeaturePtr> found, out;
  const auto* def = index.catalog().find_class(cls);
  if (!def) return out;
  index.query(cls, box, found);
  for (auto& f : found) {
    if (!f->feature.geometry.empty() && text_of(*def, f->feature, "village_code") == code) out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
  return out;
}

// Squared distance from p to segment ab.
double segment_distance2(geo::Coord p, geo::Coord a, geo::Coord b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return ex * ex + ey * ey;
}

}  // namespace

bool near_hazard_zone(const RoadNetwork& net, geo::Coord p, double distance_m) {
  const double lat = geo::mercator_to_lonlat(p).y;
  const double d = std::max(0.0, distance_m) * geo::mercator_units_per_metre(lat);
  for (const auto& z : net.zones()) {
    if (!z.bbox.buffered(d).contains(p)) continue;
    if (polygon_contains(z.polygon, p)) return true;
    std::uint32_t begin = 0;
    for (std::uint32_t end : z.polygon.part_ends) {
      for (std::uint32_t i = begin; i + 1 < end; ++i) {
        if (segment_distance2(p, z.polygon.coords[i], z.polygon.coords[i + 1]) <= d * d) return true;
      }
      begin = end;
    }
  }
  return false;
}

bool village_exists(const query::Dataset& data, std::string_view code) {
  return !of_village(data.unscoped_index(), "villages", code, kEverything).empty();
}

std::vector<std::string> village_codes(const query::Dataset& data) {
  const auto& index = data.unscoped_index();
  std::set<std::string> codes;
  if (const auto* def = index.catalog().find_class("villages")) {
    std::vector<store::ServedFeaturePtr> found;
    index.query("villages", kEverything, found);
    for (const auto& f : found) {
      if (auto c = text_of(*def, f->feature, "village_code"); !c.empty()) codes.insert(std::move(c));
    }
  }
  return {codes.begin(), codes.end()};
}

VillageEvacuees village_evacuees(const query::Dataset& data, const RoadNetwork& net, std::string_view code,
                                 PlanScope scope, double risk_distance_m) {
  const auto& index = data.unscoped_index();
  VillageEvacuees out;
  out.village_code = std::string(code);
  // The village's own polygon bounds the search for its households and shelters (a few hundred
  // candidates from the R-tree rather than the county's every household).
  geo::BBox box;
  for (const auto& v : of_village(index, "villages", code, kEverything)) box.expand(v->bbox);
  if (box.empty()) return out;
  // Generous: a house recorded just outside the drawn boundary still belongs to its village.
  box = box.buffered(std::max(box.width(), box.height()) * 0.25);

  if (const auto* def = index.catalog().find_class("households")) {
    for (const auto& f : of_village(index, "households", code, box)) {
      ++out.households_in_village;
      const geo::Coord at = f->feature.geometry.coords.front();
      if (scope == PlanScope::at_risk && !near_hazard_zone(net, at, risk_distance_m)) continue;
      out.households.push_back({f->feature.fid, at, std::max(1, int_of(*def, f->feature, "members"))});
    }
  }
  if (const auto* def = index.catalog().find_class("shelters")) {
    for (const auto& f : of_village(index, "shelters", code, box)) {
      out.shelters.push_back({f->feature.fid, f->feature.geometry.coords.front(), int_of(*def, f->feature, "capacity")});
    }
  }
  return out;
}

}  // namespace minqing::route
