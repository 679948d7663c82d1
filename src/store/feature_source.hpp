#pragma once
// Where the renderer and the query engines get features from: a bounding-box query by class.
// Implemented by the raw serving index (the CLI's render, benchmarks) and by
// query::ScopedReader, which answers only what one caller may see, with values already masked —
// the only implementation a server handler ever gets.

#include <string_view>
#include <vector>

#include "geo/coord.hpp"
#include "store/served_feature.hpp"

namespace minqing::store {

class FeatureSource {
 public:
  virtual ~FeatureSource() = default;

  // Appends to `out` the features of `class_name` whose bbox intersects `bbox` (EPSG:3857), in
  // no particular order. Unknown classes yield nothing. Thread-safe in every implementation.
  virtual void query(std::string_view class_name, const geo::BBox& bbox, std::vector<ServedFeaturePtr>& out) const = 0;
};

}  // namespace minqing::store
