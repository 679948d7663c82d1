#pragma once
// `minqing export`: what an administrator hands to another GIS tool — the features of some maps,
// for one village, one township or the whole county, as GeoPackage, Shapefile, GeoJSON, KML or
// CSV, in the store CRS (EPSG:4549) or any CRS PROJ knows. Fields keep their names and types
// (a Shapefile cuts names to 10 characters; `minqing import` reads them back), geometries their
// coordinates; `minqing import` of the result gives back the same features (issue 13).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/layer_catalog.hpp"

namespace minqing::store {

enum class ExportFormat { gpkg, shp, geojson, kml, csv };

// "GPKG", "SHP", "GeoJSON", "KML", "CSV" (any case) → the format; nullopt for anything else.
std::optional<ExportFormat> parse_export_format(const std::string& name);

struct ExportOptions {
  std::string store;
  // Which villages: a village code, or a township (its 9-digit code prefix or its name as in
  // villages.township); neither: the whole store.
  std::optional<std::string> village;
  std::optional<std::string> township;
  std::vector<std::string> maps;  // empty: every map that is not confidential
  ExportFormat format = ExportFormat::gpkg;
  // GPKG and KML: one file holding a layer per class. SHP, GeoJSON, CSV: a directory holding one
  // file per class (<class>.shp / .geojson / .csv).
  std::filesystem::path out;
  std::string crs = "EPSG:4549";  // target CRS; KML is always WGS 84 (its format says so)
};

struct ExportReport {
  std::vector<std::pair<std::string, std::int64_t>> exported;  // per class, catalog order
  std::vector<std::string> files;                             // written
  std::vector<std::string> notes;
};

// Writes the selected features. Refuses to overwrite an existing output.
// @throws RequestError naming the option for a bad village/township/map/CRS, StoreError when
// the output cannot be written.
ExportReport export_features(const ExportOptions& options, const model::LayerCatalog& catalog);

}  // namespace minqing::store
