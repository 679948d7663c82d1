#pragma once
// The data version printed on a sheet: a digest of every feature the caller sees on it (ids,
// values in the caller's form, geometry), so that two sheets with the same version show the same
// data, a reprint after an edit shows a new one, and the version survives a server restart (the
// serving index's counters do not).

#include <string>
#include <vector>

#include "geo/coord.hpp"
#include "model/layer_catalog.hpp"
#include "query/scoped_reader.hpp"

namespace minqing::print {

// 8 lower-case hex digits (FNV-1a 64, folded) over the features of every class of `maps` that
// `reader` sees inside `extent` (EPSG:3857), in class and fid order. Deterministic.
std::string data_version(const query::ScopedReader& reader, const model::LayerCatalog& catalog,
                         const std::vector<std::string>& maps, const geo::BBox& extent);

}  // namespace minqing::print
