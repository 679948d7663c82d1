// Evaluating CQL2 filters on features in memory: each construct, null semantics, LIKE on Chinese
// text, and the spatial predicates on EPSG:3857 geometries (S_DWITHIN in ground metres).

#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "query/cql2_evaluator.hpp"
#include "query/cql2_parser.hpp"
#include "query/crs.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::query::cql2;

namespace {

const model::FeatureClassDef& households() {
  static const auto c = model::LayerCatalog::load_directory(test::layers_dir());
  return *c.find_class("households");
}

std::vector<int> all_fields() {
  std::vector<int> out;
  for (std::size_t i = 0; i < households().fields.size(); ++i) {
    if (!households().fields[i].personal) out.push_back(static_cast<int>(i));
  }
  return out;
}

// A household at lon/lat with the given attributes (others null).
store::ServedFeature household(geo::Coord lonlat, const std::string& employment, std::int64_t members,
                               const std::string& grid_id = "", bool null_members = false) {
  const auto& def = households();
  store::ServedFeature sf;
  sf.feature.fid = 1;
  sf.feature.values.resize(def.fields.size());
  sf.feature.values[static_cast<std::size_t>(def.field_index("employment"))] = employment;
  if (!null_members) sf.feature.values[static_cast<std::size_t>(def.field_index("members"))] = members;
  if (!grid_id.empty()) sf.feature.values[static_cast<std::size_t>(def.field_index("grid_id"))] = grid_id;
  sf.feature.geometry = geo::Geometry::point(geo::lonlat_to_mercator(lonlat));
  sf.bbox = sf.feature.geometry.bbox();
  return sf;
}

// Parses `text`, moves its spatial literals from CRS84 to 3857, and evaluates it on `f`.
bool eval(const std::string& text, const store::ServedFeature& f) {
  INFO(text);
  const auto fields = all_fields();
  Filter filter = parse(text, households(), fields);
  std::vector<Node*> stack{filter.root.get()};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (auto& c : n->children) stack.push_back(c.get());
    for (auto& c : n->geometry.coords) c = query::to_mercator(query::crs84(), c);
  }
  Evaluator ev(filter);
  return ev.matches(f);
}

}  // namespace

TEST_CASE("cql2 evaluation: comparisons and logic", "[query][cql2]") {
  const auto f = household({119.48, 28.45}, "migrant", 4, "331124207202-G01");
  CHECK(eval("employment = 'migrant'", f));
  CHECK_FALSE(eval("employment <> 'migrant'", f));
  CHECK(eval("members > 3 AND members < 5", f));
  CHECK(eval("members >= 4 AND members <= 4", f));
  CHECK(eval("members = 3 OR employment = 'migrant'", f));
  CHECK_FALSE(eval("NOT (members = 4)", f));
  CHECK(eval("members = 4.0", f));
  CHECK(eval("employment IN ('business', 'migrant')", f));
  CHECK_FALSE(eval("employment NOT IN ('business', 'migrant')", f));
  CHECK(eval("members BETWEEN 4 AND 6", f));
  CHECK_FALSE(eval("members NOT BETWEEN 4 AND 6", f));
  CHECK(eval("employment > 'local_work'", f));  // text order is code point order
  CHECK(eval("TRUE", f));
  CHECK_FALSE(eval("FALSE OR 1 = 2", f));
  CHECK(eval("1 = 1", f));
  CHECK(eval("building_id IS NULL", f));
  CHECK_FALSE(eval("grid_id IS NULL", f));
}

TEST_CASE("cql2 evaluation: nulls are unknown, and NOT of unknown stays unknown", "[query][cql2]") {
  const auto f = household({119.48, 28.45}, "farming", 0, "", true);
  CHECK_FALSE(eval("members = 0", f));
  CHECK_FALSE(eval("NOT (members = 0)", f));
  CHECK_FALSE(eval("members IN (1, 2)", f));
  CHECK(eval("members IS NULL", f));
  CHECK(eval("members = 1 OR employment = 'farming'", f));
  CHECK_FALSE(eval("members = 1 AND employment = 'farming'", f));
}

TEST_CASE("cql2 evaluation: LIKE is case-sensitive, per character, on Chinese text", "[query][cql2]") {
  CHECK(like_match("王家村", "%家%"));
  CHECK(like_match("王家村", "王_村"));
  CHECK_FALSE(like_match("王家村", "王_"));
  CHECK(like_match("王家村", "王%"));
  CHECK(like_match("abc", "a%c"));
  CHECK(like_match("abc", "%"));
  CHECK(like_match("", "%"));
  CHECK_FALSE(like_match("", "_"));
  CHECK_FALSE(like_match("ABC", "abc"));
  CHECK(like_match("50%", "50\\%"));
  CHECK_FALSE(like_match("500", "50\\%"));
  CHECK(like_match("a_b", "a\\_b"));
  CHECK(like_match("aaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%b"));
  CHECK_FALSE(like_match(std::string(3000, 'a'), "%a%a%a%a%a%a%a%a%b"));  // no exponential blow-up
  const auto f = household({119.48, 28.45}, "migrant", 4, "张家坞-G01");
  CHECK(eval("grid_id LIKE '%家%'", f));
  CHECK_FALSE(eval("grid_id NOT LIKE '%家%'", f));
  CHECK_FALSE(eval("grid_id LIKE '%李%'", f));
}

TEST_CASE("cql2 evaluation: spatial predicates on 3857 geometries", "[query][cql2]") {
  const auto f = household({119.48, 28.45}, "migrant", 4);
  CHECK(eval("S_INTERSECTS(geometry, BBOX(119.47, 28.44, 119.49, 28.46))", f));
  CHECK_FALSE(eval("S_INTERSECTS(geometry, BBOX(119.49, 28.44, 119.50, 28.46))", f));
  CHECK(eval("S_WITHIN(geometry, POLYGON((119.47 28.44, 119.49 28.44, 119.49 28.46, 119.47 28.46, 119.47 28.44)))", f));
  CHECK(eval("S_DISJOINT(geometry, POINT(119.0 28.0))", f));
  CHECK(eval("S_INTERSECTS(geometry, POINT(119.48 28.45))", f));
  CHECK(eval("S_EQUALS(geometry, POINT(119.48 28.45))", f));
  CHECK(eval("S_INTERSECTS(geometry, MULTIPOINT((119.48 28.45), (119.0 28.0)))", f));
  CHECK_FALSE(eval("S_CONTAINS(geometry, LINESTRING(119.47 28.44, 119.49 28.46))", f));
  CHECK(eval("S_TOUCHES(geometry, LINESTRING(119.48 28.45, 119.49 28.46))", f));
  CHECK(eval("S_INTERSECTS(geometry, BBOX(119.47, 28.44, 119.49, 28.46)) AND employment = 'migrant'", f));
}

TEST_CASE("cql2 evaluation: S_DWITHIN measures ground metres, not 3857 units", "[query][cql2]") {
  // 0.01° of latitude north of the house is 1,109 m on the ground at 28.45°N (WGS 84 ellipsoid);
  // in 3857 units it is 1/cos(28.45°) ≈ 1.14 times longer. Bounds: the true distance ±1%.
  const auto f = household({119.48, 28.45}, "migrant", 4);
  CHECK(eval("S_DWITHIN(geometry, POINT(119.48 28.46), 1120)", f));
  CHECK_FALSE(eval("S_DWITHIN(geometry, POINT(119.48 28.46), 1097)", f));
  // Eastward: 0.01° of longitude is 979.5 m at 28.45°N.
  CHECK(eval("S_DWITHIN(geometry, POINT(119.49 28.45), 990)", f));
  CHECK_FALSE(eval("S_DWITHIN(geometry, POINT(119.49 28.45), 969)", f));
  CHECK(eval("S_DWITHIN(geometry, LINESTRING(119.49 28.40, 119.49 28.50), 985)", f));
  CHECK(ground_scale(0) == Approx(1.0));
}
