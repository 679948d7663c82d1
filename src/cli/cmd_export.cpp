// `minqing export --store S [--village CODE | --township CODE] [--maps M,…] --format F --out PATH
// [--crs EPSG:n]` — features out, for another GIS tool.

#include <cstdio>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/layer_catalog.hpp"
#include "store/exporter.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

int run_export(const Args& args) {
  store::ExportOptions options;
  std::string layers_dir = model::LayerCatalog::default_directory().string();
  std::string village, township, maps, format = "GPKG", out;
  po::options_description desc(
      "minqing export --store STORE.gpkg [--village CODE | --township CODE] --format F --out PATH\n\n"
      "Writes the features of the chosen maps, for one village, one township or the whole store, as\n"
      "GPKG or KML (one file) or SHP, GeoJSON, CSV (a directory, one file per class), in the store\n"
      "CRS or --crs. `minqing import` reads every one of them back.\n\noptions");
  desc.add_options()("help,h", "show this help")                                         //
      ("store", po::value(&options.store)->required(), "the store to export from")        //
      ("village", po::value(&village), "one village: its 12-digit code")                  //
      ("township", po::value(&township), "one township: its 9-digit code or its name")    //
      ("maps", po::value(&maps), "comma-separated maps (default: every map that is not confidential)")  //
      ("format", po::value(&format)->default_value("GPKG"), "GPKG | SHP | GeoJSON | KML | CSV")  //
      ("out", po::value(&out)->required(), "output file (GPKG, KML) or directory (SHP, GeoJSON, CSV)")  //
      ("crs", po::value(&options.crs)->default_value("EPSG:4549"), "output CRS, e.g. EPSG:4490")  //
      ("layers", po::value(&layers_dir), "layer definition directory");
  po::variables_map vm;
  if (const auto stop = parse_options("export", desc, args, vm)) return *stop;
  if (!village.empty() && !township.empty()) {
    std::fprintf(stderr, "minqing export: give --village or --township, not both\n");
    return 2;
  }
  const auto parsed = store::parse_export_format(format);
  if (!parsed) {
    std::fprintf(stderr, "minqing export: --format %s: not one of GPKG, SHP, GeoJSON, KML, CSV\n", format.c_str());
    return 2;
  }
  options.format = *parsed;
  options.out = out;
  if (!village.empty()) options.village = village;
  if (!township.empty()) options.township = township;
  std::stringstream list(maps);
  for (std::string m; std::getline(list, m, ',');) {
    if (!m.empty()) options.maps.push_back(m);
  }

  const auto catalog = model::LayerCatalog::load_directory(layers_dir);
  const auto report = store::export_features(options, catalog);
  for (const auto& note : report.notes) std::printf("note: %s\n", note.c_str());
  std::int64_t total = 0;
  for (const auto& [cls, n] : report.exported) {
    std::printf("%-22s %8lld\n", cls.c_str(), static_cast<long long>(n));
    total += n;
  }
  std::printf("exported %lld features to %s\n", static_cast<long long>(total), out.c_str());
  return 0;
}

}  // namespace minqing::cli
