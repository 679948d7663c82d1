#pragma once
// One feature of a feature class: its store id, attribute values in the class's field order,
// and its geometry (in whatever CRS the holder keeps: the store CRS on disk, 3857 when served).

#include <cstdint>
#include <vector>

#include "geo/geometry.hpp"
#include "model/value.hpp"

namespace minqing::model {

struct Feature {
  std::int64_t fid = 0;       // the store's feature id; 0 before the feature is stored
  std::vector<Value> values;  // one per FeatureClassDef::fields, same order
  geo::Geometry geometry;
};

}  // namespace minqing::model
