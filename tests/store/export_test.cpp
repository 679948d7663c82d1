// Issue 13, out: `minqing export` writes what an administrator hands to another GIS tool, and an
// export imported into an empty store gives back the same features — ids, fields, geometry within
// 1 mm — for the whole sample as a GeoPackage, and for one village as Shapefile, GeoJSON, CSV and
// KML.

#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "store/exporter.hpp"
#include "store/feature_store.hpp"
#include "support/foreign_county.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

const model::LayerCatalog& catalog() { return test::county_catalog(); }

std::vector<std::string> all_maps() {
  std::vector<std::string> out;
  for (const auto& m : catalog().maps()) out.push_back(m.name);
  return out;
}

// A value as it compares across formats: a date-time at midnight is the day it was stored as
// (the sample predates date-times), an empty text is a null (DBF cannot tell them apart).
std::string comparable(const model::Value& v, const model::FieldDef& f) {
  std::string s = model::to_display_string(v);
  if (f.type == model::FieldType::datetime && s.size() == 19 && s.substr(10) == "T00:00:00") s.resize(10);
  return s;
}

// The largest distance between corresponding vertices of two geometries with the same parts. A
// ring may come back reversed and starting elsewhere (a Shapefile stores outer rings clockwise):
// rings compare as cycles in either direction.
double geometry_distance(const geo::Geometry& a, const geo::Geometry& b) {
  auto d = [](geo::Coord p, geo::Coord q) { return std::hypot(p.x - q.x, p.y - q.y); };
  double worst = 0;
  std::uint32_t begin = 0;
  for (auto end : a.part_ends) {
    const std::uint32_t n = end - begin;
    double best = 0;
    for (std::uint32_t i = begin; i < end; ++i) best = std::max(best, d(a.coords[i], b.coords[i]));
    if (a.kind == geo::GeometryKind::polygon && n > 1) {
      const std::uint32_t m = n - 1;  // closed ring: the last vertex repeats the first
      for (int dir : {1, -1}) {
        for (std::uint32_t shift = 0; shift < m; ++shift) {
          double w = 0;
          for (std::uint32_t k = 0; k < m && w < best; ++k) {
            const long long mm = m, j = ((static_cast<long long>(shift) + dir * static_cast<long long>(k)) % mm + mm) % mm;
            w = std::max(w, d(a.coords[begin + k], b.coords[begin + j]));
          }
          best = std::min(best, w);
        }
      }
    }
    worst = std::max(worst, best);
    begin = end;
  }
  return worst;
}

// Every feature of every class in `classes` of `expected_store` (restricted to `village` when set)
// is in `actual_store` in the same order with the same values and coordinates within `tolerance`.
void check_same_features(const std::string& expected_store, const std::string& actual_store,
                         const std::vector<std::string>& maps, const std::string& village = {}, double tolerance = 0.001) {
  const auto expected = store::FeatureStore::open(expected_store, catalog(), store::FeatureStore::Mode::read_only);
  const auto actual = store::FeatureStore::open(actual_store, catalog(), store::FeatureStore::Mode::read_only);
  std::int64_t compared = 0;
  for (const auto& map : maps) {
    for (const auto& cls : catalog().find_map(map)->classes) {
      const auto& def = *catalog().find_class(cls);
      const auto key = static_cast<std::size_t>(def.field_index(def.village_key));
      std::vector<model::Feature> want, got;
      expected.for_each(cls, [&](model::Feature& f) {
        if (village.empty() || model::to_display_string(f.values[key]) == village) want.push_back(f);
      });
      actual.for_each(cls, [&](model::Feature& f) { got.push_back(f); });
      INFO("class " << cls);
      REQUIRE(got.size() == want.size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        for (std::size_t k = 0; k < def.fields.size(); ++k) {
          INFO("feature " << i << " field " << def.fields[k].name);
          CHECK(comparable(got[i].values[k], def.fields[k]) == comparable(want[i].values[k], def.fields[k]));
        }
        const auto& a = want[i].geometry;
        const auto& b = got[i].geometry;
        REQUIRE(a.coords.size() == b.coords.size());
        CHECK(a.part_ends == b.part_ends);
        const double worst = geometry_distance(a, b);
        CHECK(worst <= tolerance);
        ++compared;
      }
    }
  }
  CHECK(compared > 0);
}

store::ExportReport export_to(const std::filesystem::path& out, store::ExportFormat format,
                              const std::function<void(store::ExportOptions&)>& tweak = {}) {
  store::ExportOptions o;
  o.store = test::sample_store().string();
  o.format = format;
  o.out = out;
  if (tweak) tweak(o);
  return store::export_features(o, catalog());
}

constexpr const char* kVillage = "331124207202";  // 小吊门村

}  // namespace

TEST_CASE("export the sample as a GeoPackage and import it into an empty store: the same features", "[store][export][issue13]") {
  const auto dir = test::scratch_dir("export_roundtrip_gpkg");
  const auto report = export_to(dir / "county.gpkg", store::ExportFormat::gpkg, [](store::ExportOptions& o) { o.maps = all_maps(); });
  CHECK(report.files == std::vector<std::string>{(dir / "county.gpkg").string()});
  std::int64_t total = 0;
  for (const auto& [cls, n] : report.exported) total += n;
  CHECK(total > 1000);

  const std::string store = (dir / "again.gpkg").string();
  test::import_into(store, {(dir / "county.gpkg").string()});
  check_same_features(test::sample_store().string(), store, all_maps());
}

TEST_CASE("export one village as Shapefile, GeoJSON, CSV and KML: each imports back", "[store][export][issue13]") {
  struct Case {
    store::ExportFormat format;
    const char* name;
    double tolerance;
  };
  // KML is always WGS 84: a field polygon of the sample whose vertices nearly touch comes back
  // self-intersecting from the trip through degrees (import refuses it; --repair would fix it), so
  // KML is checked on the disaster and organization maps.
  for (const Case c : {Case{store::ExportFormat::shp, "shp", 0.001}, Case{store::ExportFormat::geojson, "geojson", 0.001},
                       Case{store::ExportFormat::csv, "csv", 0.001}, Case{store::ExportFormat::kml, "kml", 0.01}}) {
    const std::vector<std::string> maps =
        c.format == store::ExportFormat::kml ? std::vector<std::string>{"disaster", "organization"} : std::vector<std::string>{"terrain", "disaster"};
    INFO("format " << c.name);
    const auto dir = test::scratch_dir(std::string("export_roundtrip_") + c.name);
    const auto out = dir / (std::string("village.") + c.name);
    const auto report = export_to(out, c.format, [&](store::ExportOptions& o) {
      o.village = kVillage;
      o.maps = maps;
    });
    std::vector<std::string> sources = report.files;
    const std::string store = (dir / "again.gpkg").string();
    test::import_into(store, sources, [&](store::ImportOptions& o) {
      if (c.format == store::ExportFormat::csv) o.source_crs = "EPSG:4549";  // CSV carries no CRS
    });
    check_same_features(test::sample_store().string(), store, maps, kVillage, c.tolerance);
  }
}

TEST_CASE("KML: what reprojection to WGS 84 breaks is repaired or reported, never dropped silently", "[store][export][issue13]") {
  const auto dir = test::scratch_dir("export_kml_terrain");
  const auto report = export_to(dir / "t.kml", store::ExportFormat::kml, [](store::ExportOptions& o) {
    o.village = kVillage;
    o.maps = {"terrain"};
  });
  int made_valid = 0, without = 0;
  for (const auto& n : report.notes) {
    INFO(n);
    made_valid += n.find(": made valid for KML (Self-intersection") != std::string::npos;
    without += n.find(": written without geometry; libkml refused it") != std::string::npos;
  }
  CHECK(made_valid >= 1);  // 溪塘畈, whose vertices nearly touch
  CHECK(without >= 1);     // a three-vertex sliver
}

TEST_CASE("export in another CRS and by township, bad options refused naming the option", "[store][export][issue13]") {
  const auto dir = test::scratch_dir("export_options");
  export_to(dir / "t.gpkg", store::ExportFormat::gpkg, [](store::ExportOptions& o) {
    o.township = std::string(kVillage).substr(0, 9);
    o.maps = {"terrain"};
    o.crs = "EPSG:4490";
  });
  const auto villages = test::read_class((dir / "t.gpkg").string(), "villages");  // read in the file's own CRS
  REQUIRE_FALSE(villages.empty());
  CHECK(villages[0].geometry.coords[0].x == Approx(119.5).margin(1.0));  // degrees, not metres

  CHECK_THROWS_WITH(export_to(dir / "x.gpkg", store::ExportFormat::gpkg, [](store::ExportOptions& o) { o.village = "331124999999"; }),
                    Catch::Contains("--village 331124999999: no such village"));
  CHECK_THROWS_WITH(export_to(dir / "y.gpkg", store::ExportFormat::gpkg, [](store::ExportOptions& o) { o.maps = {"weather"}; }),
                    Catch::Contains("--maps weather: no such map"));
  CHECK_THROWS_WITH(export_to(dir / "z.gpkg", store::ExportFormat::gpkg, [](store::ExportOptions& o) { o.crs = "EPSG:999999"; }),
                    Catch::Contains("--crs EPSG:999999"));
  CHECK_THROWS_WITH(export_to(dir / "t.gpkg", store::ExportFormat::gpkg), Catch::Contains("already exists"));
  CHECK(store::parse_export_format("GeoJSON") == store::ExportFormat::geojson);
  CHECK_FALSE(store::parse_export_format("dxf"));
}
