#include "store/feature_store.hpp"

#include <mutex>
#include <utility>
#include <vector>

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "base/error.hpp"
#include "store/gdal_init.hpp"
#include "store/ogr_datetime.hpp"
#include "store/ogr_geometry.hpp"
#include "store/ogr_types.hpp"

namespace minqing::store {

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

std::string last_gdal_error() {
  const char* msg = CPLGetLastErrorMsg();
  return msg && *msg ? msg : "unknown GDAL error";
}

}  // namespace

struct FeatureStore::Impl {
  std::string location;
  const model::LayerCatalog* catalog = nullptr;
  DatasetPtr ds;
  int epsg = kDefaultStoreEpsg;
  bool in_transaction = false;

  OGRLayer* layer(const std::string& class_name) const {
    if (!catalog->find_class(class_name)) throw StoreError(location + ": unknown feature class " + class_name);
    return ds->GetLayerByName(class_name.c_str());
  }

  void create_layer(const model::FeatureClassDef& def, OGRSpatialReference& srs) {
    char** options = nullptr;
    options = CSLSetNameValue(options, "FID", "fid");
    options = CSLSetNameValue(options, "GEOMETRY_NAME", "geom");
    options = CSLSetNameValue(options, "DESCRIPTION", def.title.zh.c_str());
    OGRLayer* l = ds->CreateLayer(def.name.c_str(), &srs, ogr_geometry_type(def.geometry), options);
    CSLDestroy(options);
    if (!l) throw StoreError(location + ": cannot create table " + def.name + ": " + last_gdal_error());
    add_missing_fields(def, *l);
  }

  void add_missing_fields(const model::FeatureClassDef& def, OGRLayer& l) {
    for (const auto& f : def.fields) {
      if (const int k = l.GetLayerDefn()->GetFieldIndex(f.name.c_str()); k >= 0) {
        widen_date_column(def, f, l, k);
        continue;
      }
      OGRFieldDefn field(f.name.c_str(), ogr_field_type(f.type));
      field.SetNullable(!f.required);
      field.SetAlternativeName(f.title.c_str());
      if (l.CreateField(&field) != OGRERR_NONE) {
        throw StoreError(location + ": cannot add field " + def.name + "." + f.name + ": " + last_gdal_error());
      }
    }
  }

  // A store written before a field became a date-time (villages.updated_at, issue 13) has a DATE
  // column: writing a time into it would drop the time, so opening it for writing widens the
  // column to DATETIME. Its dates stay as they are (a day whose time was not recorded).
  void widen_date_column(const model::FeatureClassDef& def, const model::FieldDef& f, OGRLayer& l, int k) {
    OGRFieldDefn* have = l.GetLayerDefn()->GetFieldDefn(k);
    if (f.type != model::FieldType::datetime || have->GetType() != OFTDate) return;
    OGRFieldDefn wider(have);
    wider.SetType(OFTDateTime);
    if (l.AlterFieldDefn(k, &wider, ALTER_TYPE_FLAG) != OGRERR_NONE) {
      throw StoreError(location + ": cannot widen " + def.name + "." + f.name + " to a date-time: " + last_gdal_error());
    }
  }

  // Column of each definition field in `l` (-1: the store has no such column).
  static std::vector<int> column_index(const model::FeatureClassDef& def, OGRLayer& l) {
    std::vector<int> index;
    for (const auto& f : def.fields) index.push_back(l.GetLayerDefn()->GetFieldIndex(f.name.c_str()));
    return index;
  }

  // An OGR feature as a model feature: values in field order, geometry in the store CRS.
  static void convert(const model::FeatureClassDef& def, const std::vector<int>& index, OGRFeature& feature,
                      model::Feature& out) {
    out.fid = feature.GetFID();
    out.values.assign(def.fields.size(), model::Value{});
    for (std::size_t i = 0; i < index.size(); ++i) {
      const int k = index[i];
      if (k < 0 || !feature.IsFieldSetAndNotNull(k)) continue;
      switch (def.fields[i].type) {
        case model::FieldType::integer: out.values[i] = static_cast<std::int64_t>(feature.GetFieldAsInteger64(k)); break;
        case model::FieldType::real: out.values[i] = feature.GetFieldAsDouble(k); break;
        case model::FieldType::text: out.values[i] = std::string(feature.GetFieldAsString(k)); break;
        case model::FieldType::date:
        case model::FieldType::datetime: {
          const auto column = feature.GetFieldDefnRef(k)->GetType();
          if (column != OFTDate && column != OFTDateTime) {
            out.values[i] = std::string(feature.GetFieldAsString(k));
            break;
          }
          std::string text = ogr_datetime_text(feature, k);
          if (def.fields[i].type == model::FieldType::date) text.resize(10);
          out.values[i] = std::move(text);
          break;
        }
      }
    }
    std::string reason;
    const OGRGeometry* g = feature.GetGeometryRef();
    out.geometry = geo::Geometry{};
    out.geometry.kind = def.geometry;
    if (g) {
      if (auto converted = from_ogr(*g, def.geometry, reason)) out.geometry = std::move(*converted);
    }
  }

  // Values and geometry of `f` onto an OGR feature of class `def`.
  static void fill(const model::FeatureClassDef& def, const model::Feature& f, OGRFeature& feature) {
    for (std::size_t i = 0; i < def.fields.size() && i < f.values.size(); ++i) {
      const int k = feature.GetFieldIndex(def.fields[i].name.c_str());
      const model::Value& v = f.values[i];
      if (k < 0) continue;
      if (model::is_null(v)) {
        feature.SetFieldNull(k);
      } else if (auto* iv = std::get_if<std::int64_t>(&v)) {
        feature.SetField(k, static_cast<GIntBig>(*iv));
      } else if (auto* dv = std::get_if<double>(&v)) {
        feature.SetField(k, *dv);
      } else {
        feature.SetField(k, std::get<std::string>(v).c_str());
      }
    }
    if (!f.geometry.empty()) feature.SetGeometryDirectly(to_ogr(f.geometry).release());
    else feature.SetGeometryDirectly(nullptr);
  }

  OGRLayer* writable_layer(const std::string& class_name) const {
    OGRLayer* l = layer(class_name);
    if (!l) throw StoreError(location + ": store has no table " + class_name + " (open it in update mode)");
    return l;
  }

  // One PRAGMA through OGR (the GPKG driver hands it to SQLite); returns its first value, if any.
  std::string pragma(const std::string& statement) {
    OGRLayer* result = ds->ExecuteSQL(statement.c_str(), nullptr, nullptr);
    std::string value;
    if (result) {
      if (OGRFeature* row = result->GetNextFeature()) {
        if (row->GetFieldCount() > 0) value = row->GetFieldAsString(0);
        OGRFeature::DestroyFeature(row);
      }
      ds->ReleaseResultSet(result);
    }
    return value;
  }

  // WAL with synchronous commits: a COMMIT returns only once the change is on disk (fsync of the
  // WAL), and a crash at any moment leaves the last committed state — never a half-written one.
  void make_durable() {
    if (std::string(ds->GetDriver()->GetDescription()) != "GPKG") return;
    const std::string mode = pragma("PRAGMA journal_mode=WAL");
    if (mode != "wal") throw StoreError(location + ": cannot switch the store to SQLite's WAL journal (journal_mode is '" + mode + "')");
    pragma("PRAGMA synchronous=FULL");
    if (pragma("PRAGMA synchronous") != "2") throw StoreError(location + ": cannot make commits synchronous (PRAGMA synchronous=FULL)");
  }

  void create_history_table() {
    if (ds->GetLayerByName(kHistoryTable)) return;
    char** options = nullptr;
    options = CSLSetNameValue(options, "FID", "seq");
    options = CSLSetNameValue(options, "DESCRIPTION", "Minqing Map: every change to a feature, with who, when, before and after");
    OGRLayer* l = ds->CreateLayer(kHistoryTable, nullptr, wkbNone, options);
    CSLDestroy(options);
    if (!l) throw StoreError(location + ": cannot create the history table: " + last_gdal_error());
    const std::pair<const char*, OGRFieldType> columns[] = {
        {"class", OFTString},      {"fid", OFTInteger64}, {"version", OFTInteger64}, {"op", OFTString},
        {"user", OFTString},       {"time", OFTString},   {"request_id", OFTString}, {"before", OFTString},
        {"after", OFTString}};
    for (const auto& [name, type] : columns) {
      OGRFieldDefn field(name, type);
      if (l->CreateField(&field) != OGRERR_NONE) {
        throw StoreError(location + ": cannot create the history table: " + last_gdal_error());
      }
    }
  }

  void detect_epsg() {
    for (const auto& c : catalog->classes()) {
      OGRLayer* l = ds->GetLayerByName(c.name.c_str());
      if (!l || !l->GetSpatialRef()) continue;
      const OGRSpatialReference* srs = l->GetSpatialRef();
      const char* code = srs->GetAuthorityCode(nullptr);
      if (code) {
        epsg = std::atoi(code);
        return;
      }
    }
  }
};

FeatureStore::FeatureStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
FeatureStore::FeatureStore(FeatureStore&&) noexcept = default;
FeatureStore& FeatureStore::operator=(FeatureStore&&) noexcept = default;

FeatureStore::~FeatureStore() {
  if (m_impl && m_impl->in_transaction && m_impl->ds) m_impl->ds->RollbackTransaction();
}

FeatureStore FeatureStore::open(const std::string& location, const model::LayerCatalog& catalog, Mode mode) {
  ensure_gdal_registered();
  const unsigned flags = GDAL_OF_VECTOR | (mode == Mode::update ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
  auto impl = std::make_unique<Impl>();
  impl->location = location;
  impl->catalog = &catalog;
  if (location.rfind("PG:", 0) != 0 && !std::filesystem::exists(location)) {
    throw StoreError(location + ": no such store (create one with `minqing generate` or `minqing import`)");
  }
  impl->ds.reset(GDALDataset::FromHandle(GDALOpenEx(location.c_str(), flags, nullptr, nullptr, nullptr)));
  if (!impl->ds) throw StoreError(location + ": cannot open store: " + last_gdal_error());
  impl->detect_epsg();
  if (mode == Mode::update) {
    OGRSpatialReference srs;
    srs.importFromEPSG(impl->epsg);
    for (const auto& c : catalog.classes()) {
      if (OGRLayer* l = impl->ds->GetLayerByName(c.name.c_str())) impl->add_missing_fields(c, *l);
      else impl->create_layer(c, srs);
    }
    impl->create_history_table();
    impl->make_durable();
  }
  return FeatureStore(std::move(impl));
}

FeatureStore FeatureStore::create(const std::filesystem::path& path, const model::LayerCatalog& catalog, int epsg) {
  ensure_gdal_registered();
  if (std::filesystem::exists(path)) throw StoreError(path.string() + ": already exists; refusing to overwrite");
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (!driver) throw StoreError("the GDAL GPKG driver is not available");
  auto impl = std::make_unique<Impl>();
  impl->location = path.string();
  impl->catalog = &catalog;
  impl->epsg = epsg;
  impl->ds.reset(driver->Create(impl->location.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!impl->ds) throw StoreError(impl->location + ": cannot create GeoPackage: " + last_gdal_error());
  OGRSpatialReference srs;
  if (srs.importFromEPSG(epsg) != OGRERR_NONE) throw StoreError("unknown store CRS EPSG:" + std::to_string(epsg));
  impl->ds->StartTransaction();
  for (const auto& c : catalog.classes()) impl->create_layer(c, srs);
  impl->ds->CommitTransaction();
  return FeatureStore(std::move(impl));
}

const std::string& FeatureStore::location() const noexcept { return m_impl->location; }
int FeatureStore::epsg() const noexcept { return m_impl->epsg; }
const model::LayerCatalog& FeatureStore::catalog() const noexcept { return *m_impl->catalog; }

void FeatureStore::for_each(const std::string& class_name, const std::function<void(model::Feature&)>& fn) const {
  const model::FeatureClassDef* def = m_impl->catalog->find_class(class_name);
  if (!def) throw StoreError(m_impl->location + ": unknown feature class " + class_name);
  OGRLayer* l = m_impl->ds->GetLayerByName(class_name.c_str());
  if (!l) return;  // an older store without this class: it simply has no features yet
  const std::vector<int> index = m_impl->column_index(*def, *l);
  l->ResetReading();
  model::Feature out;
  for (auto& feature : *l) {
    m_impl->convert(*def, index, *feature, out);
    fn(out);
  }
}

std::int64_t FeatureStore::count(const std::string& class_name) const {
  OGRLayer* l = m_impl->layer(class_name);
  return l ? l->GetFeatureCount(TRUE) : 0;
}

void FeatureStore::begin() {
  if (m_impl->ds->StartTransaction() != OGRERR_NONE) {
    throw StoreError(m_impl->location + ": cannot start a transaction: " + last_gdal_error());
  }
  m_impl->in_transaction = true;
}

void FeatureStore::commit() {
  m_impl->in_transaction = false;
  if (m_impl->ds->CommitTransaction() != OGRERR_NONE) {
    throw StoreError(m_impl->location + ": commit failed: " + last_gdal_error());
  }
}

void FeatureStore::rollback() {
  if (!m_impl->in_transaction) return;
  m_impl->in_transaction = false;
  m_impl->ds->RollbackTransaction();
}

std::int64_t FeatureStore::insert(const std::string& class_name, const model::Feature& f) {
  const model::FeatureClassDef* def = m_impl->catalog->find_class(class_name);
  OGRLayer* l = m_impl->writable_layer(class_name);
  OGRFeature feature(l->GetLayerDefn());
  Impl::fill(*def, f, feature);
  if (f.fid > 0) feature.SetFID(f.fid);
  if (l->CreateFeature(&feature) != OGRERR_NONE) {
    throw StoreError(m_impl->location + ": cannot write a feature of " + class_name + ": " + last_gdal_error());
  }
  return feature.GetFID();
}

std::optional<model::Feature> FeatureStore::read(const std::string& class_name, std::int64_t fid) const {
  const model::FeatureClassDef* def = m_impl->catalog->find_class(class_name);
  OGRLayer* l = m_impl->layer(class_name);
  if (!l) return std::nullopt;
  std::unique_ptr<OGRFeature> feature(l->GetFeature(fid));
  if (!feature) return std::nullopt;
  model::Feature out;
  Impl::convert(*def, Impl::column_index(*def, *l), *feature, out);
  return out;
}

void FeatureStore::update(const std::string& class_name, const model::Feature& f) {
  const model::FeatureClassDef* def = m_impl->catalog->find_class(class_name);
  OGRLayer* l = m_impl->writable_layer(class_name);
  OGRFeature feature(l->GetLayerDefn());
  Impl::fill(*def, f, feature);
  feature.SetFID(f.fid);
  const OGRErr err = l->SetFeature(&feature);
  if (err == OGRERR_NON_EXISTING_FEATURE) {
    throw StoreError(m_impl->location + ": no feature " + std::to_string(f.fid) + " in " + class_name);
  }
  if (err != OGRERR_NONE) {
    throw StoreError(m_impl->location + ": cannot update feature " + std::to_string(f.fid) + " of " + class_name + ": " +
                     last_gdal_error());
  }
}

void FeatureStore::remove(const std::string& class_name, std::int64_t fid) {
  OGRLayer* l = m_impl->writable_layer(class_name);
  const OGRErr err = l->DeleteFeature(fid);
  if (err == OGRERR_NON_EXISTING_FEATURE) {
    throw StoreError(m_impl->location + ": no feature " + std::to_string(fid) + " in " + class_name);
  }
  if (err != OGRERR_NONE) {
    throw StoreError(m_impl->location + ": cannot delete feature " + std::to_string(fid) + " of " + class_name + ": " +
                     last_gdal_error());
  }
}

std::int64_t FeatureStore::append_history(const HistoryRow& row) {
  OGRLayer* l = m_impl->ds->GetLayerByName(kHistoryTable);
  if (!l) throw StoreError(m_impl->location + ": the store has no history table (open it in update mode)");
  OGRFeature feature(l->GetLayerDefn());
  feature.SetField("class", row.class_name.c_str());
  feature.SetField("fid", static_cast<GIntBig>(row.fid));
  feature.SetField("version", static_cast<GIntBig>(row.version));
  feature.SetField("op", row.op.c_str());
  feature.SetField("user", row.user.c_str());
  feature.SetField("time", row.time.c_str());
  feature.SetField("request_id", row.request_id.c_str());
  if (row.before.empty()) feature.SetFieldNull(feature.GetFieldIndex("before"));
  else feature.SetField("before", row.before.c_str());
  if (row.after.empty()) feature.SetFieldNull(feature.GetFieldIndex("after"));
  else feature.SetField("after", row.after.c_str());
  if (l->CreateFeature(&feature) != OGRERR_NONE) {
    throw StoreError(m_impl->location + ": cannot write the history of " + row.class_name + " " + std::to_string(row.fid) +
                     ": " + last_gdal_error());
  }
  return feature.GetFID();
}

void FeatureStore::for_each_history(const std::function<void(const HistoryRow&)>& fn) const {
  OGRLayer* l = m_impl->ds->GetLayerByName(kHistoryTable);
  if (!l) return;
  l->ResetReading();
  HistoryRow row;
  auto text = [](OGRFeature& f, const char* name) {
    const int k = f.GetFieldIndex(name);
    return k >= 0 && f.IsFieldSetAndNotNull(k) ? std::string(f.GetFieldAsString(k)) : std::string();
  };
  for (auto& f : *l) {
    row.seq = f->GetFID();
    row.class_name = text(*f, "class");
    row.fid = f->GetFieldAsInteger64("fid");
    row.version = f->GetFieldAsInteger64("version");
    row.op = text(*f, "op");
    row.user = text(*f, "user");
    row.time = text(*f, "time");
    row.request_id = text(*f, "request_id");
    row.before = text(*f, "before");
    row.after = text(*f, "after");
    fn(row);
  }
}

std::filesystem::path FeatureStore::relief_directory() const { return relief_directory_of(m_impl->location); }

std::filesystem::path relief_directory_of(const std::string& location) {
  const std::filesystem::path p(location);
  return p.parent_path() / (p.stem().string() + ".dem");
}

std::filesystem::path relief_path(const std::filesystem::path& relief_dir, const std::string& village_code) {
  return relief_dir / (village_code + ".tif");
}

}  // namespace minqing::store
