#pragma once
// Evaluates a parsed CQL2 filter against served features, in memory: attribute predicates on
// model::Feature values, spatial predicates with GEOS on EPSG:3857 geometries (each literal
// prepared once). Comparisons with a null value are unknown (SQL's three-valued logic): NOT of
// unknown stays unknown, and only a filter that is true selects a feature.

#include <memory>

#include "geo/coord.hpp"
#include "query/cql2_ast.hpp"
#include "store/serving_index.hpp"

namespace minqing::query::cql2 {

// One per request and thread: owns a GEOS context. Not thread-safe.
class Evaluator {
 public:
  // `filter` must outlive the evaluator, with its spatial literals already in EPSG:3857
  // (prepare_spatial in feature_query.hpp). @throws DataError when GEOS refuses a literal.
  explicit Evaluator(const Filter& filter);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  bool matches(const store::ServedFeature& feature) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// True when `text` matches the CQL2 LIKE `pattern`: '%' any run of characters, '_' exactly one
// character (UTF-8 code point), '\' escapes the next character; case-sensitive.
bool like_match(std::string_view text, std::string_view pattern);

// Ground metres per EPSG:3857 unit at 3857 northing `y` (cos of the latitude).
double ground_scale(double mercator_y) noexcept;

// The 3857 box outside which no feature can satisfy the spatial predicate `node` (its literal's
// envelope, widened by the distance of S_DWITHIN), or an empty box when the predicate does not
// restrict the search area (S_DISJOINT).
geo::BBox search_box(const Node& node);

}  // namespace minqing::query::cql2
