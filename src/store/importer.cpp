#include "store/importer.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "base/error.hpp"
#include "geo/geos_geometry.hpp"
#include "geo/projection.hpp"
#include "model/validation.hpp"
#include "store/feature_store.hpp"
#include "store/gdal_init.hpp"
#include "store/ogr_geometry.hpp"

namespace minqing::store {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};

// A feature read, converted and validated, waiting for the write phase.
struct PendingFeature {
  const model::FeatureClassDef* def;
  model::Feature feature;
  std::string where;  // "file layer L feature N", for messages
};

// Reads an OGR field as a Value in its own type; nullopt for types we cannot represent.
std::optional<model::Value> read_field(OGRFeature& f, int k, const model::FieldDef& target) {
  if (!f.IsFieldSetAndNotNull(k)) return model::Value{};
  switch (f.GetFieldDefnRef(k)->GetType()) {
    case OFTInteger:
    case OFTInteger64: return model::Value(static_cast<std::int64_t>(f.GetFieldAsInteger64(k)));
    case OFTReal: return model::Value(f.GetFieldAsDouble(k));
    case OFTString: return model::Value(std::string(f.GetFieldAsString(k)));
    case OFTDate:
    case OFTDateTime: {
      int y = 0, m = 0, d = 0, hh = 0, mm = 0, tz = 0;
      float ss = 0;
      f.GetFieldAsDateTime(k, &y, &m, &d, &hh, &mm, &ss, &tz);
      char buf[32];
      if (target.type == model::FieldType::date && hh == 0 && mm == 0 && ss == 0) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
      } else {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02.0f", y, m, d, hh, mm, static_cast<double>(ss));
      }
      return model::Value(std::string(buf));
    }
    default: return std::nullopt;  // lists, binary, time of day
  }
}

// Shapefiles (DBF) cut field names to 10 characters: "village_code" arrives as "village_co".
// Such a name maps to the one definition field it is a cut of, if there is exactly one.
int truncated_field_index(const model::FeatureClassDef& def, const std::string& name) {
  constexpr std::size_t kDbfNameLength = 10;
  if (name.size() != kDbfNameLength) return -1;
  int found = -1;
  for (std::size_t i = 0; i < def.fields.size(); ++i) {
    if (def.fields[i].name.size() > kDbfNameLength && def.fields[i].name.compare(0, kDbfNameLength, name) == 0) {
      if (found >= 0) return -1;  // ambiguous
      found = static_cast<int>(i);
    }
  }
  return found;
}

class SourceReader {
 public:
  SourceReader(const ImportOptions& options, const model::LayerCatalog& catalog, int store_epsg,
               ImportReport& report)
      : m_options(options), m_catalog(catalog), m_store_crs(geo::epsg(store_epsg)), m_report(report) {
    for (const auto& def : catalog.classes()) m_validators.emplace(def.name, model::FeatureValidator(def));
  }

  void read(const std::string& source, std::vector<PendingFeature>& out) {
    std::unique_ptr<GDALDataset, DatasetCloser> ds(GDALDataset::FromHandle(
        GDALOpenEx(source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
    if (!ds) throw DataError(source + ": cannot be read as vector data: " + CPLGetLastErrorMsg());
    if (ds->GetLayerCount() == 0) throw DataError(source + ": holds no layer");
    for (OGRLayer* layer : ds->GetLayers()) read_layer(source, *layer, out);
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& why) const { throw DataError(where + ": " + why); }

  const model::FeatureClassDef& class_for(const std::string& source, const std::string& layer_name) const {
    const std::string wanted = m_options.target_class ? *m_options.target_class : lower(layer_name);
    if (const auto* def = m_catalog.find_class(wanted)) return *def;
    std::string known;
    for (const auto& c : m_catalog.classes()) known += (known.empty() ? "" : ", ") + c.name;
    fail(source + " layer " + layer_name,
         "matches no feature class (name the layer after one of: " + known + "; or pass --class)");
  }

  std::string source_crs(const std::string& where, OGRLayer& layer) const {
    if (m_options.source_crs) return *m_options.source_crs;
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    if (!srs || srs->IsLocal() || (!srs->IsGeographic() && !srs->IsProjected())) {
      fail(where, "unknown CRS: the source declares no usable coordinate system (pass --source-crs EPSG:NNNN)");
    }
    const char* name = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (name && code) return std::string(name) + ":" + code;
    OGRSpatialReference copy(*srs);
    if (copy.AutoIdentifyEPSG() == OGRERR_NONE && copy.GetAuthorityCode(nullptr)) {
      return std::string("EPSG:") + copy.GetAuthorityCode(nullptr);
    }
    // GeoPackage's srs_id 0 / -1 and similar placeholders come back as "Undefined … SRS" on an
    // "unknown" datum: a coordinate system in name only.
    const std::string crs_name = srs->GetName() ? srs->GetName() : "";
    const char* datum = srs->GetAttrValue("DATUM");
    if (crs_name.rfind("Undefined", 0) == 0 || (datum && std::string(datum) == "unknown")) {
      fail(where, "unknown CRS: \"" + crs_name + "\" (pass --source-crs EPSG:NNNN)");
    }
    char* wkt = nullptr;
    const char* const options[] = {"FORMAT=WKT2_2018", nullptr};
    srs->exportToWkt(&wkt, options);
    std::string out = wkt ? wkt : "";
    CPLFree(wkt);
    if (out.empty()) fail(where, "unknown CRS: the source's coordinate system cannot be read");
    return out;
  }

  void read_layer(const std::string& source, OGRLayer& layer, std::vector<PendingFeature>& out) {
    const std::string layer_name = layer.GetName();
    const std::string where = source + " layer " + layer_name;
    const model::FeatureClassDef& def = class_for(source, layer_name);
    const model::FeatureValidator& validator = m_validators.at(def.name);

    std::optional<geo::Transform> transform;
    try {
      transform.emplace(source_crs(where, layer), m_store_crs);
    } catch (const ProjError& e) {
      fail(where, std::string("unknown CRS: ") + e.what());
    }

    // Source field k → definition field index, by name, case-insensitively.
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    std::vector<int> target(static_cast<std::size_t>(defn->GetFieldCount()), -1);
    for (int k = 0; k < defn->GetFieldCount(); ++k) {
      const std::string name = lower(defn->GetFieldDefn(k)->GetNameRef());
      target[static_cast<std::size_t>(k)] = def.field_index(name);
      if (target[static_cast<std::size_t>(k)] < 0) {
        target[static_cast<std::size_t>(k)] = truncated_field_index(def, name);
        if (target[static_cast<std::size_t>(k)] >= 0) {
          m_report.notes.push_back(where + ": field \"" + defn->GetFieldDefn(k)->GetNameRef() + "\" read as " +
                                   def.fields[static_cast<std::size_t>(target[static_cast<std::size_t>(k)])].name +
                                   " (a name cut to 10 characters by the DBF format)");
        }
      }
      if (target[static_cast<std::size_t>(k)] < 0 && name != "fid" && name != "ogc_fid") {
        m_report.notes.push_back(where + ": field \"" + defn->GetFieldDefn(k)->GetNameRef() +
                                 "\" is not defined for " + def.name + "; left out");
      }
    }

    layer.ResetReading();
    std::string reason;
    for (auto& src : layer) {
      const std::string feature_where = where + " feature " + std::to_string(src->GetFID());
      PendingFeature pending{&def, {}, feature_where};
      model::Feature& f = pending.feature;
      f.values.assign(def.fields.size(), model::Value{});
      for (int k = 0; k < defn->GetFieldCount(); ++k) {
        const int t = target[static_cast<std::size_t>(k)];
        if (t < 0) continue;
        const model::FieldDef& field = def.fields[static_cast<std::size_t>(t)];
        auto raw = read_field(*src, k, field);
        if (!raw) {
          fail(feature_where, "field " + field.name + ": unknown field type " +
                                  OGRFieldDefn::GetFieldTypeName(defn->GetFieldDefn(k)->GetType()));
        }
        auto converted = model::convert_lossless(field, *raw);
        if (!converted) {
          fail(feature_where, "field " + field.name + ": \"" + model::to_display_string(*raw) +
                                  "\" cannot be converted to " + std::string(model::to_string(field.type)) +
                                  " without loss");
        }
        f.values[static_cast<std::size_t>(t)] = std::move(*converted);
      }
      if (model::is_null(f.values[static_cast<std::size_t>(def.field_index(def.village_key))])) {
        fail(feature_where, "missing village key " + def.village_key);
      }
      if (auto err = validator.check(f)) fail(feature_where, *err);

      const OGRGeometry* g = src->GetGeometryRef();
      if (!g || g->IsEmpty()) fail(feature_where, "has no geometry");
      auto geometry = from_ogr(*g, def.geometry, reason);
      if (!geometry) fail(feature_where, "wrong geometry type: " + reason + " (class " + def.name + ")");
      if (def.geometry == geo::GeometryKind::point && geometry->coords.size() != 1) {
        fail(feature_where, "wrong geometry type: a multipoint where one point is expected (class " + def.name + ")");
      }
      try {
        transform->apply(geometry->coords);
      } catch (const ProjError& e) {
        fail(feature_where, e.what());
      }
      if (auto invalid = geo::invalid_reason(m_geos, *geometry)) {
        if (!m_options.repair) fail(feature_where, "invalid geometry: " + *invalid + " (use --repair to fix)");
        *geometry = geo::make_valid(m_geos, *geometry);
        if (geometry->empty()) fail(feature_where, "invalid geometry that repair reduces to nothing: " + *invalid);
        m_report.notes.push_back(feature_where + ": repaired invalid geometry (" + *invalid + ")");
      }
      f.geometry = std::move(*geometry);
      out.push_back(std::move(pending));
    }
  }

  const ImportOptions& m_options;
  const model::LayerCatalog& m_catalog;
  std::string m_store_crs;
  ImportReport& m_report;
  std::map<std::string, model::FeatureValidator> m_validators;
  geo::GeosContext m_geos;
};

// Keys must stay unique: within the import and against what the store already holds.
void check_unique_ids(const std::vector<PendingFeature>& pending, const FeatureStore* existing) {
  std::map<std::string, std::set<std::string>> seen;
  for (const auto& p : pending) {
    if (p.def->id_field.empty()) continue;
    auto& ids = seen[p.def->name];
    if (ids.empty() && existing) {
      const auto k = static_cast<std::size_t>(p.def->field_index(p.def->id_field));
      existing->for_each(p.def->name, [&](model::Feature& f) { ids.insert(model::to_display_string(f.values[k])); });
    }
    const auto k = static_cast<std::size_t>(p.def->field_index(p.def->id_field));
    const std::string id = model::to_display_string(p.feature.values[k]);
    if (!ids.insert(id).second) {
      throw DataError(p.where + ": " + p.def->id_field + " \"" + id +
                      "\" occurs twice (in the sources or already in the store)");
    }
  }
}

}  // namespace

ImportReport import_sources(const ImportOptions& options, const model::LayerCatalog& catalog) {
  ensure_gdal_registered();
  if (options.sources.empty()) throw DataError("no source to import");
  if (options.target_class && !catalog.find_class(*options.target_class)) {
    throw DataError("--class " + *options.target_class + ": no such feature class");
  }
  const bool store_exists = std::filesystem::exists(options.store) || options.store.rfind("PG:", 0) == 0;

  // Phase 1: read, convert and validate everything, touching nothing.
  std::optional<FeatureStore> existing;
  if (store_exists) existing.emplace(FeatureStore::open(options.store, catalog, FeatureStore::Mode::read_only));
  const int store_epsg = existing ? existing->epsg() : options.new_store_epsg;
  ImportReport report;
  std::vector<PendingFeature> pending;
  SourceReader reader(options, catalog, store_epsg, report);
  for (const auto& source : options.sources) reader.read(source, pending);
  check_unique_ids(pending, existing ? &*existing : nullptr);
  existing.reset();

  // Phase 2: write it all in one transaction.
  std::map<std::string, std::int64_t> counts;
  std::optional<FeatureStore> store;
  try {
    store.emplace(store_exists ? FeatureStore::open(options.store, catalog, FeatureStore::Mode::update)
                               : FeatureStore::create(options.store, catalog, store_epsg));
    store->begin();
    for (const auto& p : pending) {
      store->insert(p.def->name, p.feature);
      ++counts[p.def->name];
    }
    store->commit();
  } catch (...) {
    if (store) store->rollback();
    store.reset();  // close the file before removing a store this import created
    if (!store_exists) std::filesystem::remove(options.store);
    throw;
  }
  for (const auto& c : catalog.classes()) {
    if (auto it = counts.find(c.name); it != counts.end()) report.imported.emplace_back(c.name, it->second);
  }
  return report;
}

}  // namespace minqing::store
