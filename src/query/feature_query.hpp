#pragma once
// Feature queries over the serving index: one feature class, an optional bbox, attribute
// equality filters and a CQL2 filter, answered as one page of features in fid order together with
// how many features match in all. Everything is evaluated in memory on the index's EPSG:3857
// features; no query text reaches SQL.
//
// Plan: the index's R-tree answers the intersection of the request bbox and the envelope of a
// spatial predicate ANDed at the top of the filter; without either, the whole class is scanned.
// The candidates are sorted by fid (stable paging), then tested exactly (bbox, equality, the
// filter). A bbox in CRS84, EPSG:4326 or EPSG:3857 is a rectangle in EPSG:3857 and is tested by
// geo::intersects_rect; a bbox in another CRS becomes a densified polygon tested with GEOS.

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/coord.hpp"
#include "model/layer_catalog.hpp"
#include "model/value.hpp"
#include "query/class_view.hpp"
#include "query/cql2_ast.hpp"
#include "query/crs.hpp"
#include "query/scoped_reader.hpp"

namespace minqing::query {

// The default and the largest page size of an items request.
inline constexpr std::size_t kDefaultLimit = 100;
inline constexpr std::size_t kMaxLimit = 10000;

struct FeatureQuery {
  // Features whose geometry intersects this box, given in `bbox_crs` axis order
  // (min axis 1, min axis 2, max axis 1, max axis 2).
  std::optional<geo::BBox> bbox;
  const Crs* bbox_crs = &crs84();
  // field == value, for queryable fields of the view.
  std::vector<std::pair<int, model::Value>> equals;
  // A parsed filter (cql2::parse against the view's fields); its spatial literals in `filter_crs`.
  std::optional<cql2::Filter> filter;
  const Crs* filter_crs = &crs84();
  std::size_t limit = kDefaultLimit;
  std::size_t offset = 0;
};

struct FeaturePage {
  std::vector<store::ServedFeaturePtr> features;  // at most limit, fid order
  std::size_t matched = 0;                        // all matching features, before paging
};

// Runs `q` (whose filter's spatial literals are transformed to EPSG:3857 in place) on the
// features of `view`'s class that `reader` gives its caller, in the caller's form (a predicate
// sees a hidden value as null); equality and filter predicates must name queryable fields of the
// view. Thread-safe for distinct queries.
// @throws RequestError when a bbox or filter geometry lies outside its CRS's domain.
FeaturePage run_feature_query(const ScopedReader& reader, const ClassView& view, FeatureQuery& q);

// `text` as a value of field `def` for an equality filter: integer, real, or text/date as given.
// @throws RequestError naming the field when the text is not a value of its type.
model::Value parse_field_value(const model::FieldDef& def, std::string_view text);

}  // namespace minqing::query
