#include "store/exporter.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "base/error.hpp"
#include "geo/geos_geometry.hpp"
#include "geo/projection.hpp"
#include "model/field_mapping.hpp"
#include "store/feature_store.hpp"
#include "store/gdal_init.hpp"
#include "store/ogr_geometry.hpp"
#include "store/ogr_types.hpp"

namespace minqing::store {

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

std::string last_error() {
  const char* msg = CPLGetLastErrorMsg();
  return msg && *msg ? msg : "unknown GDAL error";
}

struct FormatInfo {
  const char* driver;
  const char* extension;  // of the per-class files, or of the one file
  bool one_file;          // all classes as layers of one file
};

FormatInfo info(ExportFormat f) {
  switch (f) {
    case ExportFormat::gpkg: return {"GPKG", ".gpkg", true};
    case ExportFormat::shp: return {"ESRI Shapefile", ".shp", false};
    case ExportFormat::geojson: return {"GeoJSON", ".geojson", false};
    // LIBKML: GDAL's plain KML writer shifts the attributes of a class without a name field.
    case ExportFormat::kml: return {"LIBKML", ".kml", true};
    case ExportFormat::csv: return {"CSV", ".csv", false};
  }
  return {"GPKG", ".gpkg", true};
}

// The store's field type, except where the format has none: DBF has no date-time, so a Shapefile
// gets the ISO text, which keeps the time (import reads it back).
OGRFieldType field_type(model::FieldType t, ExportFormat f) {
  if (t == model::FieldType::datetime && f == ExportFormat::shp) return OFTString;
  return ogr_field_type(t);
}

// The village codes selected by --village / --township; nullopt: all.
std::optional<std::set<std::string>> select_villages(const ExportOptions& o, const FeatureStore& store) {
  if (!o.village && !o.township) return std::nullopt;
  const auto* def = store.catalog().find_class("villages");
  const auto code_k = static_cast<std::size_t>(def->field_index("village_code"));
  const auto township_k = static_cast<std::size_t>(def->field_index("township"));
  std::set<std::string> codes;
  store.for_each("villages", [&](model::Feature& f) {
    const std::string code = model::to_display_string(f.values[code_k]);
    if (o.village && code == *o.village) codes.insert(code);
    if (o.township && (code.rfind(*o.township, 0) == 0 || model::to_display_string(f.values[township_k]) == *o.township)) {
      codes.insert(code);
    }
  });
  if (codes.empty()) {
    throw RequestError(o.village ? "--village " + *o.village + ": no such village in " + o.store
                                 : "--township " + *o.township + ": no village of that township code or name in " + o.store);
  }
  return codes;
}

std::vector<const model::FeatureClassDef*> select_classes(const ExportOptions& o, const model::LayerCatalog& catalog) {
  std::set<std::string> maps(o.maps.begin(), o.maps.end());
  for (const auto& m : maps) {
    if (!catalog.find_map(m)) {
      std::string known;
      for (const auto& d : catalog.maps()) known += (known.empty() ? "" : ", ") + d.name;
      throw RequestError("--maps " + m + ": no such map (" + known + ")");
    }
  }
  std::vector<const model::FeatureClassDef*> out;
  std::set<std::string> seen;
  for (const auto& m : catalog.maps()) {
    if (maps.empty() ? m.confidential : !maps.count(m.name)) continue;
    for (const auto& c : m.classes) {
      if (seen.insert(c).second) out.push_back(catalog.find_class(c));
    }
  }
  return out;
}

// libkml silently writes a placemark without its geometry when it finds the geometry invalid
// after its own conversion (a three-vertex sliver that collapses in degrees): read the file back
// and name every such feature, so nothing is dropped unsaid.
void note_dropped_kml_geometries(const std::filesystem::path& file,
                                 const std::map<std::string, std::vector<std::int64_t>>& written, ExportReport& report) {
  DatasetPtr ds(GDALDataset::FromHandle(GDALOpenEx(file.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  if (!ds) throw StoreError(file.string() + ": cannot read back the KML written: " + last_error());
  for (const auto& [cls, fids] : written) {
    OGRLayer* layer = ds->GetLayerByName(cls.c_str());
    if (!layer) continue;
    std::size_t i = 0;
    for (auto& f : *layer) {
      const OGRGeometry* g = f->GetGeometryRef();
      if ((!g || g->IsEmpty()) && i < fids.size()) {
        report.notes.push_back(cls + " feature " + std::to_string(fids[i]) +
                               ": written without geometry; libkml refused it (invalid in WGS 84)");
      }
      ++i;
    }
  }
}

}  // namespace

std::optional<ExportFormat> parse_export_format(const std::string& name) {
  const std::string n = model::ascii_lower(name);
  if (n == "gpkg" || n == "geopackage") return ExportFormat::gpkg;
  if (n == "shp" || n == "shapefile") return ExportFormat::shp;
  if (n == "geojson" || n == "json") return ExportFormat::geojson;
  if (n == "kml") return ExportFormat::kml;
  if (n == "csv") return ExportFormat::csv;
  return std::nullopt;
}

ExportReport export_features(const ExportOptions& o, const model::LayerCatalog& catalog) {
  ensure_gdal_registered();
  const FeatureStore store = FeatureStore::open(o.store, catalog, FeatureStore::Mode::read_only);
  const auto villages = select_villages(o, store);
  const auto classes = select_classes(o, catalog);
  const FormatInfo fmt = info(o.format);
  const std::string crs = o.format == ExportFormat::kml ? "EPSG:4326" : o.crs;
  OGRSpatialReference srs;
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE) throw RequestError("--crs " + crs + ": not a CRS PROJ knows");
  std::optional<geo::Transform> transform;
  try {
    transform.emplace(geo::epsg(store.epsg()), crs);
  } catch (const ProjError& e) {
    throw RequestError("--crs " + crs + ": " + e.what());
  }
  if (std::filesystem::exists(o.out)) throw StoreError(o.out.string() + ": already exists; refusing to overwrite");

  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(fmt.driver);
  if (!driver) throw StoreError(std::string("the GDAL driver ") + fmt.driver + " is not available");

  ExportReport report;
  geo::GeosContext geos;
  std::map<std::string, std::vector<std::int64_t>> written;  // store fids per class, in file order
  DatasetPtr one;
  if (fmt.one_file) {
    one.reset(driver->Create(o.out.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!one) throw StoreError(o.out.string() + ": cannot create: " + last_error());
    report.files.push_back(o.out.string());
  } else {
    std::filesystem::create_directories(o.out);
  }
  if (o.format == ExportFormat::kml) report.notes.push_back("KML is always WGS 84 (longitude, latitude)");

  // WKT (CSV) with every digit of a double: 15 digits can move a vertex enough to make a valid
  // polygon self-intersect when read back.
  CPLConfigOptionSetter wkt_precision("OGR_WKT_PRECISION", "17", false);
  for (const auto* def : classes) {
    DatasetPtr own;
    GDALDataset* ds = one.get();
    const std::string file = (o.out / (def->name + fmt.extension)).string();
    if (!ds) {
      own.reset(driver->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      if (!own) throw StoreError(file + ": cannot create: " + last_error());
      ds = own.get();
    }
    char** options = nullptr;
    if (o.format == ExportFormat::shp) options = CSLSetNameValue(options, "ENCODING", "UTF-8");
    if (o.format == ExportFormat::csv) {
      options = CSLSetNameValue(options, "GEOMETRY", "AS_WKT");
      options = CSLSetNameValue(options, "CREATE_CSVT", "YES");
    }
    if (o.format == ExportFormat::gpkg) options = CSLSetNameValue(options, "DESCRIPTION", def->title.zh.c_str());
    OGRLayer* layer = ds->CreateLayer(def->name.c_str(), &srs, ogr_geometry_type(def->geometry), options);
    CSLDestroy(options);
    if (!layer) throw StoreError((one ? o.out.string() : file) + ": cannot create layer " + def->name + ": " + last_error());
    for (const auto& f : def->fields) {
      OGRFieldDefn field(f.name.c_str(), field_type(f.type, o.format));
      if (layer->CreateField(&field) != OGRERR_NONE) {
        throw StoreError(file + ": cannot create field " + def->name + "." + f.name + ": " + last_error());
      }
    }
    const int key = def->village_key.empty() ? -1 : def->field_index(def->village_key);
    std::int64_t n = 0;
    const bool in_transaction = ds->StartTransaction() == OGRERR_NONE;  // GeoPackage: one write per class
    store.for_each(def->name, [&](model::Feature& f) {
      if (villages && key >= 0 && !villages->count(model::to_display_string(f.values[static_cast<std::size_t>(key)]))) return;
      OGRFeature out(layer->GetLayerDefn());
      for (std::size_t i = 0; i < def->fields.size(); ++i) {
        const model::Value& v = f.values[i];
        const int k = static_cast<int>(i);  // fields were created in definition order
        if (model::is_null(v)) out.SetFieldNull(k);
        else if (auto* iv = std::get_if<std::int64_t>(&v)) out.SetField(k, static_cast<GIntBig>(*iv));
        else if (auto* dv = std::get_if<double>(&v)) out.SetField(k, *dv);
        else out.SetField(k, std::get<std::string>(v).c_str());
      }
      if (!f.geometry.empty()) {
        geo::Geometry g = f.geometry;
        transform->apply(g.coords);
        // libkml drops a polygon that is not valid, and reprojecting to degrees can make a valid
        // polygon whose vertices nearly touch touch itself: such a polygon is made valid, and said.
        if (o.format == ExportFormat::kml && g.kind == geo::GeometryKind::polygon) {
          if (auto why = geo::invalid_reason(geos, g)) {
            g = geo::make_valid(geos, g);
            report.notes.push_back(def->name + " feature " + std::to_string(f.fid) + ": made valid for KML (" + *why +
                                   " after reprojection to WGS 84)");
          }
        }
        out.SetGeometryDirectly(to_ogr(g).release());
      }
      if (layer->CreateFeature(&out) != OGRERR_NONE) {
        throw StoreError(file + ": cannot write a feature of " + def->name + ": " + last_error());
      }
      written[def->name].push_back(f.fid);
      ++n;
    });
    if (in_transaction && ds->CommitTransaction() != OGRERR_NONE) {
      throw StoreError(file + ": cannot commit " + def->name + ": " + last_error());
    }
    report.exported.emplace_back(def->name, n);
    if (!one) report.files.push_back(file);
  }
  if (o.format == ExportFormat::kml) {
    one.reset();  // libkml writes the file on close
    note_dropped_kml_geometries(o.out, written, report);
  }
  return report;
}

}  // namespace minqing::store
