#pragma once
// `minqing import`: reads anything OGR reads (GeoPackage, Shapefile, GeoJSON, KML…), maps source
// layers onto feature classes and source fields onto fields (by name, or by a field mapping),
// converts values as other GIS tools write them (losslessly, or refuses), derives missing village
// codes from the village polygons, reprojects to the store CRS, validates every feature, and
// writes all of it in one transaction — or nothing.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/layer_catalog.hpp"

namespace minqing::store {

struct ImportOptions {
  std::vector<std::string> sources;        // files (or any GDAL connection string)
  std::string store;                       // target store; created when absent
  int new_store_epsg = 4549;               // CRS of a store created by this import
  bool repair = false;                     // make invalid geometries valid (GEOS MakeValid), reported
  std::optional<std::string> source_crs;   // CRS for sources that declare none ("EPSG:4490")
  std::optional<std::string> target_class; // import every source layer into this class
  std::optional<std::filesystem::path> field_mapping;  // --map-fields (model/field_mapping.hpp)
  bool dry_run = false;                    // read, convert, derive and validate; write nothing
  // --outside keep: the (county-level) 12-digit code given to features that lie outside every
  // village polygon; unset: such features are refused.
  std::optional<std::string> outside_code;
};

struct ImportReport {
  std::vector<std::pair<std::string, std::int64_t>> imported;  // per class, catalog order
  // Village codes derived from the village polygons, per class (catalog order): points by
  // containment, polygons by the largest share of area, lines per piece after splitting.
  std::vector<std::pair<std::string, std::int64_t>> derived;
  // Lines split at village boundaries, per class: (source lines split, pieces made).
  std::vector<std::pair<std::string, std::pair<std::int64_t, std::int64_t>>> split;
  // DEMs stored, one line each: source, size, CRS, the file written, the villages it covers.
  std::vector<std::string> dems;
  std::vector<std::string> notes;  // fields left out, values converted, geometries repaired…
  bool written = false;            // false for a dry run
};

// A source holding a raster (GeoTIFF, a GeoPackage raster table, an ASCII grid…) is a DEM
// (store/dem_import.hpp): refused when it has no CRS, is not a single band or covers no village of
// the store or the import; else reprojected into the store's relief directory with the rest.
//
// Imports all sources or nothing. On any bad feature — unconvertible value, a feature outside
// every village without `outside_code`, invalid geometry (without `repair`), wrong geometry type,
// unknown CRS, unknown layer — throws DataError naming the file, layer, feature id and reason,
// and leaves the store exactly as it was (a store this call would have created is not created).
// @throws DataError for bad input, ConfigError for a bad field mapping, StoreError when the
// store cannot be written.
ImportReport import_sources(const ImportOptions& options, const model::LayerCatalog& catalog);

}  // namespace minqing::store
