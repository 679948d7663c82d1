#include "store/importer.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "base/error.hpp"
#include "geo/geos_geometry.hpp"
#include "geo/polygon_locator.hpp"
#include "geo/projection.hpp"
#include "model/field_mapping.hpp"
#include "model/validation.hpp"
#include "geo/prepared_geometry.hpp"
#include "store/dem_import.hpp"
#include "store/feature_store.hpp"
#include "store/gdal_init.hpp"
#include "store/ogr_datetime.hpp"
#include "store/ogr_geometry.hpp"

namespace minqing::store {

namespace {

using model::ascii_lower;

struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};

// A feature read and converted, waiting for its village code, validation and the write phase.
struct PendingFeature {
  const model::FeatureClassDef* def;
  model::Feature feature;
  std::string where;  // "file layer L feature N", for messages
};

// Reads an OGR field as a Value in its own type; nullopt for types we cannot represent.
std::optional<model::Value> read_field(OGRFeature& f, int k) {
  if (!f.IsFieldSetAndNotNull(k)) return model::Value{};
  switch (f.GetFieldDefnRef(k)->GetType()) {
    case OFTInteger:
    case OFTInteger64: return model::Value(static_cast<std::int64_t>(f.GetFieldAsInteger64(k)));
    case OFTReal: return model::Value(f.GetFieldAsDouble(k));
    case OFTString: return model::Value(std::string(f.GetFieldAsString(k)));
    case OFTDate:
    case OFTDateTime: return model::Value(ogr_datetime_text(f, k));
    default: return std::nullopt;  // lists, binary, time of day
  }
}

// What a lossless conversion did, for the report ("" when the value kept its form).
std::string conversion_kind(const model::Value& from, const model::Value& to, model::FieldType type) {
  if (model::is_null(from) || model::is_null(to)) return {};
  const bool from_text = std::holds_alternative<std::string>(from);
  if (std::holds_alternative<double>(from) && type == model::FieldType::integer) return "reals without a fraction read as integers";
  if (from_text && type == model::FieldType::integer) return "numbers written as text read as integers";
  if (from_text && type == model::FieldType::real) return "numbers written as text read as reals";
  if (!from_text && type == model::FieldType::text) return "numbers read as text";
  if (from_text && (type == model::FieldType::date || type == model::FieldType::datetime) && from != to) {
    return type == model::FieldType::date ? "date-times at midnight read as dates" : "date-times written in another ISO form normalised";
  }
  return {};
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

// Counts per (layer, message), turned into one note each at the end: a thousand households with
// members written as reals make one line, not a thousand.
class TallyNotes {
 public:
  void add(const std::string& where, const std::string& what) { ++m_counts[{where, what}]; }
  void flush(std::vector<std::string>& notes) {
    for (const auto& [key, n] : m_counts) notes.push_back(key.first + ": " + std::to_string(n) + " " + key.second);
    m_counts.clear();
  }

 private:
  std::map<std::pair<std::string, std::string>, std::int64_t> m_counts;
};

class SourceReader {
 public:
  SourceReader(const ImportOptions& options, const model::LayerCatalog& catalog, const model::FieldMapping* mapping,
               int store_epsg, ImportReport& report, const geo::GeosContext& geos)
      : m_options(options), m_catalog(catalog), m_mapping(mapping), m_store_crs(geo::epsg(store_epsg)),
        m_report(report), m_geos(geos) {}

  void read(const std::string& source, std::vector<PendingFeature>& out) {
    // "GPKG:county.gpkg:dem" names one raster table: the file's layers come with the file itself.
    if (source.rfind("GPKG:", 0) == 0 && holds_raster(source)) return;
    std::unique_ptr<GDALDataset, DatasetCloser> ds(GDALDataset::FromHandle(
        GDALOpenEx(source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
    if (!ds || ds->GetLayerCount() == 0) {
      if (holds_raster(source)) return;  // a DEM only: store/dem_import.hpp
      if (!ds) throw DataError(source + ": cannot be read as vector data: " + CPLGetLastErrorMsg());
      throw DataError(source + ": holds no layer");
    }
    m_geojson = ds->GetDriver() && std::string(ds->GetDriver()->GetDescription()) == "GeoJSON";
    for (OGRLayer* layer : ds->GetLayers()) read_layer(source, *layer, out);
    m_tally.flush(m_report.notes);
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& why) const { throw DataError(where + ": " + why); }

  const model::FeatureClassDef& class_for(const std::string& source, const std::string& layer_name,
                                          const model::LayerMapping* mapped) const {
    const std::string wanted =
        m_options.target_class ? *m_options.target_class : mapped ? mapped->class_name : ascii_lower(layer_name);
    if (const auto* def = m_catalog.find_class(wanted)) return *def;
    std::string known;
    for (const auto& c : m_catalog.classes()) known += (known.empty() ? "" : ", ") + c.name;
    fail(source + " layer " + layer_name,
         "matches no feature class (name the layer after one of: " + known + "; or pass --class or --map-fields)");
  }

  std::string source_crs(const std::string& where, OGRLayer& layer) {
    if (m_options.source_crs) return *m_options.source_crs;
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    if (m_geojson && (!srs || (srs->IsGeographic() && srs->GetAuthorityCode(nullptr) &&
                               std::string(srs->GetAuthorityCode(nullptr)) == "4326"))) {
      // RFC 7946: GeoJSON coordinates are CRS84 (longitude, latitude on WGS 84); GDAL reports a
      // file without a "crs" member as WGS 84.
      m_report.notes.push_back(where + ": read as CRS84 (longitude, latitude), the CRS of GeoJSON without a \"crs\" member");
      return "OGC:CRS84";
    }
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

  // Source field k → definition field index: by the mapping, by name, or by a DBF-cut name.
  std::vector<int> map_fields(const std::string& where, OGRFeatureDefn& defn, const model::FeatureClassDef& def,
                              const model::LayerMapping* mapped) {
    std::vector<int> target(static_cast<std::size_t>(defn.GetFieldCount()), -1);
    for (int k = 0; k < defn.GetFieldCount(); ++k) {
      const std::string source_name = defn.GetFieldDefn(k)->GetNameRef();
      const std::string name = ascii_lower(source_name);
      int& t = target[static_cast<std::size_t>(k)];
      if (mapped) {
        if (auto it = mapped->fields.find(name); it != mapped->fields.end()) {
          t = def.field_index(it->second);
          m_report.notes.push_back(where + ": field \"" + source_name + "\" read as " + it->second + " (field mapping)");
          continue;
        }
      }
      t = def.field_index(name);
      if (t < 0) {
        t = truncated_field_index(def, name);
        if (t >= 0) {
          m_report.notes.push_back(where + ": field \"" + source_name + "\" read as " +
                                   def.fields[static_cast<std::size_t>(t)].name +
                                   " (a name cut to 10 characters by the DBF format)");
        }
      }
      if (t < 0 && name != "fid" && name != "ogc_fid") {
        m_report.notes.push_back(where + ": field \"" + source_name + "\" is not defined for " + def.name + "; left out");
      }
    }
    // Two source fields filling one field would make the result depend on field order.
    for (std::size_t a = 0; a < target.size(); ++a) {
      for (std::size_t b = a + 1; b < target.size(); ++b) {
        if (target[a] >= 0 && target[a] == target[b]) {
          fail(where, "fields \"" + std::string(defn.GetFieldDefn(static_cast<int>(a))->GetNameRef()) + "\" and \"" +
                          defn.GetFieldDefn(static_cast<int>(b))->GetNameRef() + "\" both fill " +
                          def.fields[static_cast<std::size_t>(target[a])].name);
        }
      }
    }
    return target;
  }

  void read_layer(const std::string& source, OGRLayer& layer, std::vector<PendingFeature>& out) {
    const std::string layer_name = layer.GetName();
    const std::string where = source + " layer " + layer_name;
    const model::LayerMapping* mapped = m_mapping ? m_mapping->layer(layer_name) : nullptr;
    const model::FeatureClassDef& def = class_for(source, layer_name, mapped);

    std::optional<geo::Transform> transform;
    try {
      transform.emplace(source_crs(where, layer), m_store_crs);
    } catch (const ProjError& e) {
      fail(where, std::string("unknown CRS: ") + e.what());
    }

    OGRFeatureDefn* defn = layer.GetLayerDefn();
    const std::vector<int> target = map_fields(where, *defn, def, mapped);

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
        auto raw = read_field(*src, k);
        if (!raw) {
          fail(feature_where, "field " + field.name + ": unknown field type " +
                                  OGRFieldDefn::GetFieldTypeName(defn->GetFieldDefn(k)->GetType()));
        }
        if (mapped && !model::is_null(*raw)) {
          if (auto table = mapped->values.find(field.name); table != mapped->values.end()) {
            if (auto v = table->second.find(model::to_display_string(*raw)); v != table->second.end()) {
              m_tally.add(where, "values of " + field.name + " mapped (field mapping)");
              *raw = v->second;
            }
          }
        }
        reason.clear();
        auto converted = model::convert_lossless(field, *raw, reason);
        if (!converted) {
          fail(feature_where, "field " + field.name + ": \"" + model::to_display_string(*raw) +
                                  "\" cannot be converted to " + std::string(model::to_string(field.type)) +
                                  " without loss" + (reason.empty() ? "" : ": it " + reason));
        }
        if (auto kind = conversion_kind(*raw, *converted, field.type); !kind.empty()) {
          m_tally.add(where, "values of " + field.name + ": " + kind);
        }
        f.values[static_cast<std::size_t>(t)] = std::move(*converted);
      }

      const OGRGeometry* g = src->GetGeometryRef();
      if (!g || g->IsEmpty()) fail(feature_where, "has no geometry");
      auto geometry = from_ogr(*g, def.geometry, reason);
      if (!geometry) fail(feature_where, "wrong geometry type: " + reason + " (class " + def.name + ")");
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
      if (def.geometry == geo::GeometryKind::point && geometry->coords.size() > 1) {
        explode_points(std::move(pending), *geometry, out);
        continue;
      }
      f.geometry = std::move(*geometry);
      out.push_back(std::move(pending));
    }
  }

  // The class holds single points: a multipoint becomes one feature per point, keys suffixed
  // "-1", "-2"… (every point and every value is kept), reported.
  void explode_points(PendingFeature pending, const geo::Geometry& points, std::vector<PendingFeature>& out) {
    const auto& def = *pending.def;
    const int id = def.id_field.empty() ? -1 : def.field_index(def.id_field);
    std::string ids;
    for (std::size_t i = 0; i < points.coords.size(); ++i) {
      PendingFeature one = pending;
      one.feature.geometry = geo::Geometry::point(points.coords[i]);
      one.where = pending.where + " point " + std::to_string(i + 1);
      if (id >= 0 && !model::is_null(one.feature.values[static_cast<std::size_t>(id)])) {
        auto& v = one.feature.values[static_cast<std::size_t>(id)];
        v = model::to_display_string(v) + "-" + std::to_string(i + 1);
        ids += (ids.empty() ? "" : ", ") + model::to_display_string(v);
      }
      out.push_back(std::move(one));
    }
    m_report.notes.push_back(pending.where + ": a multipoint of " + std::to_string(points.coords.size()) +
                             " points where " + def.name + " holds single points; exploded into " +
                             std::to_string(points.coords.size()) + " features" +
                             (ids.empty() ? "" : " (" + def.id_field + " " + ids + ")"));
  }

  const ImportOptions& m_options;
  const model::LayerCatalog& m_catalog;
  const model::FieldMapping* m_mapping;
  std::string m_store_crs;
  ImportReport& m_report;
  const geo::GeosContext& m_geos;
  TallyNotes m_tally;
  bool m_geojson = false;
};

// Gives every pending feature without a village code the code of the village polygon it lies in
// (issue 13): points by containment, polygons by the largest share of area, lines split at village
// boundaries, one piece per village. Features outside every village get `outside_code`, or are
// refused (all of them named in one error).
class VillageDeriver {
 public:
  VillageDeriver(const model::LayerCatalog& catalog, const geo::GeosContext& geos, const ImportOptions& options,
                 ImportReport& report)
      : m_catalog(catalog), m_geos(geos), m_options(options), m_report(report) {}

  void run(std::vector<PendingFeature>& pending, const FeatureStore* existing) {
    if (std::none_of(pending.begin(), pending.end(), [&](const PendingFeature& p) { return needs_code(p); })) return;
    collect_villages(pending, existing);
    geo::PolygonLocator locator(m_geos, m_village_shapes);
    std::vector<PendingFeature> out;
    out.reserve(pending.size());
    for (auto& p : pending) {
      if (!needs_code(p)) {
        out.push_back(std::move(p));
        continue;
      }
      switch (p.def->geometry) {
        case geo::GeometryKind::point: key_point(locator, std::move(p), out); break;
        case geo::GeometryKind::polygon: key_polygon(locator, std::move(p), out); break;
        case geo::GeometryKind::line: key_line(locator, std::move(p), out); break;
      }
    }
    if (!m_outside.empty()) {
      std::string list;
      const std::size_t shown = std::min<std::size_t>(m_outside.size(), 20);
      for (std::size_t i = 0; i < shown; ++i) list += "\n  " + m_outside[i];
      if (shown < m_outside.size()) list += "\n  … and " + std::to_string(m_outside.size() - shown) + " more";
      throw DataError(std::to_string(m_outside.size()) + " feature(s) have no village code and lie outside every village" +
                      std::string(m_village_shapes.empty() ? " (neither the store nor the import holds villages)" : "") +
                      " (give them a village_code, import the villages, or pass --outside keep --outside-code CODE):" + list);
    }
    pending = std::move(out);
    for (const auto& c : m_catalog.classes()) {
      if (auto it = m_derived.find(c.name); it != m_derived.end()) m_report.derived.emplace_back(c.name, it->second);
      if (auto it = m_split.find(c.name); it != m_split.end()) m_report.split.emplace_back(c.name, it->second);
    }
  }

 private:
  std::size_t key_index(const PendingFeature& p) const { return static_cast<std::size_t>(p.def->field_index(p.def->village_key)); }

  bool needs_code(const PendingFeature& p) const {
    if (p.def->village_key.empty() || p.def->name == kVillages) return false;  // a village's code is its key
    return model::is_null(p.feature.values[key_index(p)]);
  }

  void collect_villages(const std::vector<PendingFeature>& pending, const FeatureStore* existing) {
    const auto* villages = m_catalog.find_class(kVillages);
    if (!villages) return;
    const auto k = static_cast<std::size_t>(villages->field_index(villages->village_key));
    auto add = [&](const model::Feature& f) {
      if (model::is_null(f.values[k]) || f.geometry.empty()) return;
      m_village_codes.push_back(model::to_display_string(f.values[k]));
      m_village_shapes.push_back(f.geometry);
    };
    if (existing) existing->for_each(kVillages, [&](model::Feature& f) { add(f); });
    for (const auto& p : pending) {
      if (p.def == villages) add(p.feature);
    }
  }

  // Returns false (and records the feature as outside) when there is no code to give.
  bool assign(PendingFeature& p, const std::optional<std::size_t>& village) {
    std::string code;
    if (village) {
      code = m_village_codes[*village];
      ++m_derived[p.def->name];
    } else if (m_options.outside_code) {
      code = *m_options.outside_code;
      m_report.notes.push_back(p.where + describe(p) + ": outside every village; kept with code " + code + " (--outside keep)");
    } else {
      m_outside.push_back(p.where + describe(p));
      return false;
    }
    p.feature.values[key_index(p)] = code;
    return true;
  }

  // " (H17)" or " (松古线)": the key or name a person finds the feature by.
  static std::string describe(const PendingFeature& p) {
    for (const std::string& field : {p.def->id_field, std::string("name")}) {
      const int k = field.empty() ? -1 : p.def->field_index(field);
      if (k >= 0 && !model::is_null(p.feature.values[static_cast<std::size_t>(k)])) {
        return " (" + model::to_display_string(p.feature.values[static_cast<std::size_t>(k)]) + ")";
      }
    }
    return {};
  }

  void key_point(const geo::PolygonLocator& locator, PendingFeature p, std::vector<PendingFeature>& out) {
    if (assign(p, locator.locate(p.feature.geometry.coords.front()))) out.push_back(std::move(p));
  }

  void key_polygon(const geo::PolygonLocator& locator, PendingFeature p, std::vector<PendingFeature>& out) {
    const auto share = locator.locate_area(p.feature.geometry);
    if (share && share->fraction < 0.999) {
      m_report.notes.push_back(p.where + describe(p) + ": spans villages; keyed to " + m_village_codes[share->polygon] +
                               ", which holds " + std::to_string(static_cast<int>(share->fraction * 100 + 0.5)) +
                               "% of its area");
    }
    if (assign(p, share ? std::optional<std::size_t>(share->polygon) : std::nullopt)) out.push_back(std::move(p));
  }

  void key_line(const geo::PolygonLocator& locator, PendingFeature p, std::vector<PendingFeature>& out) {
    auto pieces = locator.split_line(p.feature.geometry);
    if (pieces.size() == 1) {
      p.feature.geometry = std::move(pieces.front().geometry);
      if (assign(p, pieces.front().polygon)) out.push_back(std::move(p));
      return;
    }
    const int id = p.def->id_field.empty() ? -1 : p.def->field_index(p.def->id_field);
    std::string codes;
    bool kept = true;
    std::vector<PendingFeature> made;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      PendingFeature piece = p;
      piece.feature.geometry = std::move(pieces[i].geometry);
      piece.where = p.where + " piece " + std::to_string(i + 1);
      if (id >= 0 && !model::is_null(piece.feature.values[static_cast<std::size_t>(id)])) {
        auto& v = piece.feature.values[static_cast<std::size_t>(id)];
        v = model::to_display_string(v) + "-" + std::to_string(i + 1);
      }
      kept = assign(piece, pieces[i].polygon) && kept;
      codes += (codes.empty() ? "" : ", ") + model::to_display_string(piece.feature.values[key_index(piece)]);
      made.push_back(std::move(piece));
    }
    if (!kept) return;
    auto& [lines, made_pieces] = m_split[p.def->name];
    ++lines;
    made_pieces += static_cast<std::int64_t>(made.size());
    m_report.notes.push_back(p.where + describe(p) + ": split at village boundaries into " + std::to_string(made.size()) +
                             " pieces (" + codes + ")" + (id >= 0 ? ", " + p.def->id_field + " suffixed -1…-" + std::to_string(made.size()) : ""));
    for (auto& m : made) out.push_back(std::move(m));
  }

  static constexpr const char* kVillages = "villages";
  const model::LayerCatalog& m_catalog;
  const geo::GeosContext& m_geos;
  const ImportOptions& m_options;
  ImportReport& m_report;
  std::vector<std::string> m_village_codes;
  std::vector<geo::Geometry> m_village_shapes;
  std::vector<std::string> m_outside;
  std::map<std::string, std::int64_t> m_derived;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> m_split;
};

std::string village_code_of(const model::Feature& village) {
  return model::to_display_string(village.values.at(0));  // villages: village_code comes first (layers/terrain.json)
}

// A DEM checked and the file it will become.
struct PendingDem {
  DemSource dem;
  std::filesystem::path target;  // <store>.dem/dem-<name>.tif
  geo::BBox crop;                // store CRS: the villages it covers, with a margin
};

// "dem-county_dem" for "/data/county-dem.tif" or "GPKG:/data/county.gpkg:dem".
std::string dem_file_name(const std::string& source) {
  std::string name = std::filesystem::path(source).filename().string();
  if (auto colon = name.rfind(':'); colon != std::string::npos) name = name.substr(colon + 1);
  if (auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '_';
  }
  return "dem-" + name + ".tif";
}

// Checks every raster source as a DEM over the villages of the store and the import: refused when
// it covers none of them. The crop keeps the covered villages' extent plus a margin for the
// hillshade's edge, so a county DEM under a few villages keeps only what they need.
std::vector<PendingDem> check_dems(const ImportOptions& options, int store_epsg, const std::filesystem::path& relief_dir,
                                   const std::vector<PendingFeature>& pending, const FeatureStore* existing,
                                   const geo::GeosContext& geos, ImportReport& report) {
  std::vector<PendingDem> out;
  std::vector<std::pair<std::string, geo::Geometry>> villages;
  bool loaded = false;
  for (const auto& source : options.sources) {
    if (!holds_raster(source)) {
      // Several raster tables: which one is the DEM is for the user to say, not to guess.
      const auto names = raster_subdatasets(source);
      const bool one_named = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return std::find(options.sources.begin(), options.sources.end(), n) != options.sources.end();
      });
      if (!names.empty() && !one_named) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw DataError(source + ": holds " + std::to_string(names.size()) +
                        " rasters; name the DEM among them as a source of its own: " + list);
      }
      continue;
    }
    if (!loaded) {
      loaded = true;
      if (existing) {
        existing->for_each("villages", [&](model::Feature& f) { villages.emplace_back(village_code_of(f), f.geometry); });
      }
      for (const auto& p : pending) {
        if (p.def->name == "villages") villages.emplace_back(village_code_of(p.feature), p.feature.geometry);
      }
    }
    PendingDem d{check_dem(source, options.source_crs, store_epsg), {}, {}};
    const auto& e = d.dem.extent;
    const geo::PreparedGeometry footprint(geos, geo::Geometry::polygon({{e.min_x, e.min_y}, {e.max_x, e.min_y}, {e.max_x, e.max_y}, {e.min_x, e.max_y}}));
    int covered = 0;
    for (const auto& [code, shape] : villages) {
      if (!shape.empty() && footprint.intersects(shape)) {
        ++covered;
        d.crop.expand(shape.bbox());
      }
    }
    if (covered == 0) {
      throw DataError(source + ": DEM refused: it covers no village " +
                      (villages.empty() ? std::string("(neither the store nor the import holds villages)")
                                        : "of the store or the import (its extent in the store CRS: " +
                                              std::to_string(static_cast<long long>(e.min_x)) + "," + std::to_string(static_cast<long long>(e.min_y)) + " – " +
                                              std::to_string(static_cast<long long>(e.max_x)) + "," + std::to_string(static_cast<long long>(e.max_y)) + ")"));
    }
    constexpr double kMargin = 500;  // metres of relief around the villages
    d.crop = {std::max(d.crop.min_x - kMargin, e.min_x), std::max(d.crop.min_y - kMargin, e.min_y),
              std::min(d.crop.max_x + kMargin, e.max_x), std::min(d.crop.max_y + kMargin, e.max_y)};
    d.target = relief_dir / dem_file_name(source);
    report.dems.push_back(source + ": " + std::to_string(d.dem.width) + "×" + std::to_string(d.dem.height) + " cells in " +
                          d.dem.crs_name + ", covers " + std::to_string(covered) + " village(s); stored as " +
                          d.target.string() + " in EPSG:" + std::to_string(store_epsg) + " (tiled, overviews)");
    out.push_back(std::move(d));
  }
  return out;
}

void validate_all(const std::vector<PendingFeature>& pending, const model::LayerCatalog& catalog) {
  std::map<std::string, model::FeatureValidator> validators;
  for (const auto& def : catalog.classes()) validators.emplace(def.name, model::FeatureValidator(def));
  for (const auto& p : pending) {
    if (auto err = validators.at(p.def->name).check(p.feature)) throw DataError(p.where + ": " + *err);
  }
}

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
  std::optional<model::FieldMapping> mapping;
  if (options.field_mapping) mapping.emplace(model::FieldMapping::load(*options.field_mapping, catalog));
  const bool store_exists = std::filesystem::exists(options.store) || options.store.rfind("PG:", 0) == 0;

  // Phase 1: read, convert, derive and validate everything, touching nothing.
  std::optional<FeatureStore> existing;
  if (store_exists) existing.emplace(FeatureStore::open(options.store, catalog, FeatureStore::Mode::read_only));
  const int store_epsg = existing ? existing->epsg() : options.new_store_epsg;
  ImportReport report;
  std::vector<PendingFeature> pending;
  geo::GeosContext geos;
  {
    SourceReader reader(options, catalog, mapping ? &*mapping : nullptr, store_epsg, report, geos);
    for (const auto& source : options.sources) reader.read(source, pending);
  }
  VillageDeriver(catalog, geos, options, report).run(pending, existing ? &*existing : nullptr);
  validate_all(pending, catalog);
  check_unique_ids(pending, existing ? &*existing : nullptr);

  const auto relief_dir = relief_directory_of(options.store);
  const auto dems = check_dems(options, store_epsg, relief_dir, pending, existing ? &*existing : nullptr, geos, report);
  existing.reset();

  std::map<std::string, std::int64_t> counts;
  for (const auto& p : pending) ++counts[p.def->name];
  for (const auto& c : catalog.classes()) {
    if (auto it = counts.find(c.name); it != counts.end()) report.imported.emplace_back(c.name, it->second);
  }
  if (options.dry_run) return report;

  // Phase 2: DEMs reprojected to files beside their final names (the relief loader reads *.tif
  // only), then the features in one transaction, then the DEM files moved into place: a failure
  // anywhere before the move leaves the store and its relief as they were.
  const bool relief_dir_existed = std::filesystem::exists(relief_dir);
  std::vector<std::filesystem::path> staged;
  auto drop_staged = [&] {
    for (const auto& f : staged) std::filesystem::remove(f);
    if (!relief_dir_existed && std::filesystem::is_empty(relief_dir)) std::filesystem::remove(relief_dir);
  };
  std::optional<FeatureStore> store;
  try {
    if (!dems.empty()) std::filesystem::create_directories(relief_dir);
    for (const auto& d : dems) {
      staged.push_back(d.target.string() + ".importing");
      write_store_dem(d.dem, store_epsg, d.crop, staged.back());
    }
    if (!pending.empty() || !store_exists) {
      store.emplace(store_exists ? FeatureStore::open(options.store, catalog, FeatureStore::Mode::update)
                                 : FeatureStore::create(options.store, catalog, store_epsg));
      store->begin();
      for (const auto& p : pending) store->insert(p.def->name, p.feature);
      store->commit();
    }
  } catch (...) {
    if (store) store->rollback();
    store.reset();  // close the file before removing a store this import created
    if (!store_exists) std::filesystem::remove(options.store);
    drop_staged();
    throw;
  }
  for (std::size_t i = 0; i < dems.size(); ++i) std::filesystem::rename(staged[i], dems[i].target);
  report.written = true;
  return report;
}

}  // namespace minqing::store
