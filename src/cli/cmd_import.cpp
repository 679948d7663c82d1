// `minqing import SRC... --into STORE.gpkg` — all-or-nothing import of vector data.

#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/layer_catalog.hpp"
#include "store/importer.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

namespace {

std::int64_t count_of(const std::vector<std::pair<std::string, std::int64_t>>& list, const std::string& cls) {
  for (const auto& [c, n] : list) {
    if (c == cls) return n;
  }
  return 0;
}

// Notes first, then one row per class: features, village codes derived, lines split → pieces.
void print_import_report(const store::ImportReport& report, const std::string& store) {
  for (const auto& note : report.notes) std::printf("note: %s\n", note.c_str());
  for (const auto& dem : report.dems) std::printf("DEM: %s\n", dem.c_str());
  std::printf("%-22s %8s %8s %14s\n", "class", "features", "derived", "split (pieces)");
  std::int64_t total = 0;
  for (const auto& [cls, n] : report.imported) {
    std::string split = "-";
    for (const auto& [c, s] : report.split) {
      if (c == cls) split = std::to_string(s.first) + " (" + std::to_string(s.second) + ")";
    }
    std::printf("%-22s %8lld %8lld %14s\n", cls.c_str(), static_cast<long long>(n),
                static_cast<long long>(count_of(report.derived, cls)), split.c_str());
    total += n;
  }
  if (report.written) {
    std::printf("imported %lld features into %s\n", static_cast<long long>(total), store.c_str());
  } else {
    std::printf("dry run: %lld features would be imported into %s; nothing written\n", static_cast<long long>(total),
                store.c_str());
  }
}

}  // namespace

int run_import(const Args& args) {
  store::ImportOptions options;
  std::string layers_dir = model::LayerCatalog::default_directory().string();
  std::string source_crs;
  std::string target_class;
  std::string field_mapping;
  std::string outside = "refuse";
  std::string outside_code;
  po::options_description desc(
      "minqing import SRC... --into STORE.gpkg\n\n"
      "Imports GeoPackage, Shapefile, GeoJSON, KML (anything GDAL/OGR reads). A source layer goes\n"
      "into the feature class of the same name; fields map by name (or by --map-fields). Values are\n"
      "converted only without loss (DateTime, reals without a fraction, numbers as text, DBF-cut\n"
      "names); a feature without village_code gets it from the village polygons (lines are split\n"
      "at village boundaries). Everything is validated first, then written in one transaction: on\n"
      "any bad feature nothing is written.\n\noptions");
  desc.add_options()("help,h", "show this help")                                      //
      ("into", po::value(&options.store)->required(), "target store (created when absent)")  //
      ("repair", po::bool_switch(&options.repair), "make invalid geometries valid (GEOS MakeValid) and report each")  //
      ("source-crs", po::value(&source_crs), "CRS of sources that declare none, e.g. EPSG:4490")  //
      ("class", po::value(&target_class), "import every source layer into this feature class")  //
      ("store-crs", po::value(&options.new_store_epsg)->default_value(4549), "EPSG code of a newly created store")  //
      ("map-fields", po::value(&field_mapping), "field mapping JSON: source layer/field/value → class/field/value")  //
      ("dry-run", po::bool_switch(&options.dry_run), "validate everything and print the report; write nothing")  //
      ("outside", po::value(&outside), "features outside every village: refuse (default) or keep (needs --outside-code)")  //
      ("outside-code", po::value(&outside_code), "12-digit county-level code for features kept by --outside keep")  //
      ("layers", po::value(&layers_dir), "layer definition directory")  //
      ("source", po::value(&options.sources)->multitoken(), "source file (positional)");
  po::positional_options_description positional;
  positional.add("source", -1);
  po::variables_map vm;
  if (const auto stop = parse_options("import", desc, args, vm, &positional)) return *stop;
  if (options.sources.empty()) {
    std::fprintf(stderr, "minqing import: name at least one source file\n");
    return 2;
  }
  if (!source_crs.empty()) options.source_crs = source_crs;
  if (!target_class.empty()) options.target_class = target_class;
  if (!field_mapping.empty()) options.field_mapping = field_mapping;
  if (outside == "keep") {
    if (outside_code.empty()) {
      std::fprintf(stderr, "minqing import: --outside keep needs --outside-code CODE (a 12-digit county-level code)\n");
      return 2;
    }
    options.outside_code = outside_code;
  } else if (outside != "refuse") {
    std::fprintf(stderr, "minqing import: --outside: \"%s\" is neither refuse nor keep\n", outside.c_str());
    return 2;
  }

  const auto catalog = model::LayerCatalog::load_directory(layers_dir);
  const auto report = store::import_sources(options, catalog);
  print_import_report(report, options.store);
  return 0;
}

}  // namespace minqing::cli
