#pragma once
// Writes small vector source files (GeoJSON, Shapefile, GeoPackage, KML…) through OGR, for
// import tests. Values are given as text and OGR converts them to each field's type.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "store/gdal_init.hpp"

namespace minqing::test {

struct SourceField {
  std::string name;
  OGRFieldType type = OFTString;
};

struct SourceFeature {
  std::vector<std::string> values;  // one per field, "" for null
  std::string wkt;                  // geometry in the source CRS, "" for none
};

// Creates `path` with one layer. `epsg` 0 writes no CRS at all.
inline void write_source(const std::filesystem::path& path, const std::string& driver_name,
                         const std::string& layer_name, int epsg, OGRwkbGeometryType type,
                         const std::vector<SourceField>& fields, const std::vector<SourceFeature>& features) {
  store::ensure_gdal_registered();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name.c_str());
  if (!driver) throw std::runtime_error("no GDAL driver " + driver_name);
  std::filesystem::remove(path);
  GDALDataset* ds = driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr);
  if (!ds) throw std::runtime_error("cannot create " + path.string());
  OGRSpatialReference srs;
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (epsg) srs.importFromEPSG(epsg);
  OGRLayer* layer = ds->CreateLayer(layer_name.c_str(), epsg ? &srs : nullptr, type, nullptr);
  if (!layer) throw std::runtime_error("cannot create layer " + layer_name);
  for (const auto& f : fields) {
    OGRFieldDefn defn(f.name.c_str(), f.type);
    layer->CreateField(&defn);
  }
  for (const auto& sf : features) {
    OGRFeature feature(layer->GetLayerDefn());
    for (std::size_t i = 0; i < fields.size() && i < sf.values.size(); ++i) {
      if (!sf.values[i].empty()) feature.SetField(static_cast<int>(i), sf.values[i].c_str());
    }
    if (!sf.wkt.empty()) {
      OGRGeometry* g = nullptr;
      if (OGRGeometryFactory::createFromWkt(sf.wkt.c_str(), nullptr, &g) != OGRERR_NONE) {
        throw std::runtime_error("bad test WKT " + sf.wkt);
      }
      feature.SetGeometryDirectly(g);
    }
    if (layer->CreateFeature(&feature) != OGRERR_NONE) throw std::runtime_error("cannot write test feature");
  }
  GDALClose(ds);
}

}  // namespace minqing::test
