// `minqing import SRC... --into STORE.gpkg` — all-or-nothing import of vector data.

#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/commands.hpp"
#include "model/layer_catalog.hpp"
#include "store/importer.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

int run_import(const Args& args) {
  store::ImportOptions options;
  std::string layers_dir = model::LayerCatalog::default_directory().string();
  std::string source_crs;
  std::string target_class;
  po::options_description desc(
      "minqing import SRC... --into STORE.gpkg\n\n"
      "Imports GeoPackage, Shapefile, GeoJSON, KML (anything GDAL/OGR reads). A source layer goes\n"
      "into the feature class of the same name; fields map by name. Everything is validated first,\n"
      "then written in one transaction: on any bad feature nothing is written.\n\noptions");
  desc.add_options()("help,h", "show this help")                                      //
      ("into", po::value(&options.store)->required(), "target store (created when absent)")  //
      ("repair", po::bool_switch(&options.repair), "make invalid geometries valid (GEOS MakeValid) and report each")  //
      ("source-crs", po::value(&source_crs), "CRS of sources that declare none, e.g. EPSG:4490")  //
      ("class", po::value(&target_class), "import every source layer into this feature class")  //
      ("store-crs", po::value(&options.new_store_epsg)->default_value(4549), "EPSG code of a newly created store")  //
      ("layers", po::value(&layers_dir), "layer definition directory")  //
      ("source", po::value(&options.sources)->multitoken(), "source file (positional)");
  po::positional_options_description positional;
  positional.add("source", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "minqing import: %s\n\n", e.what());
    std::cerr << desc << "\n";
    return 2;
  }
  if (options.sources.empty()) {
    std::fprintf(stderr, "minqing import: name at least one source file\n");
    return 2;
  }
  if (!source_crs.empty()) options.source_crs = source_crs;
  if (!target_class.empty()) options.target_class = target_class;

  const auto catalog = model::LayerCatalog::load_directory(layers_dir);
  const auto report = store::import_sources(options, catalog);
  for (const auto& note : report.notes) std::printf("note: %s\n", note.c_str());
  std::int64_t total = 0;
  for (const auto& [cls, n] : report.imported) {
    std::printf("%-22s %8lld\n", cls.c_str(), static_cast<long long>(n));
    total += n;
  }
  std::printf("imported %lld features into %s\n", static_cast<long long>(total), options.store.c_str());
  return 0;
}

}  // namespace minqing::cli
