// `minqing render --village CODE --maps terrain[,disaster] --size 2048 [--store FILE] out.png` —
// an overview image of one village.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "render/map_renderer.hpp"
#include "render/relief_source.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "style/style.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int run_render(const Args& args) {
  std::string village;
  std::string maps_arg = "terrain";
  int size = 2048;
  double scale = 1;
  double margin = 0.06;
  std::string store_path = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  std::string layers_dir = model::LayerCatalog::default_directory().string();
  std::string styles_dir = style::StyleSet::default_directory().string();
  std::string out;
  int level = 6;
  bool palette = false;
  po::options_description desc(
      "minqing render --village CODE [--maps terrain,disaster] [--size 2048] [--store FILE] OUT.png\n\n"
      "Draws an overview image of one village: the extent of its village polygon plus a margin, the\n"
      "longer side --size pixels, the maps drawn in the order given.\n\noptions");
  desc.add_options()("help,h", "show this help")                                                          //
      ("village", po::value(&village)->required(), "12-digit village code")                              //
      ("maps", po::value(&maps_arg)->default_value(maps_arg), "maps to draw, comma-separated, bottom first")  //
      ("size", po::value(&size)->default_value(size), "pixels along the longer side")                    //
      ("scale", po::value(&scale)->default_value(scale), "device pixels per style pixel (2 = bigger lines and text)")  //
      ("margin", po::value(&margin)->default_value(margin), "margin around the village, as a fraction of its size")  //
      ("store", po::value(&store_path)->default_value(store_path), "the feature store")                     //
      ("layers", po::value(&layers_dir)->default_value(layers_dir), "layer definition directory")          //
      ("styles", po::value(&styles_dir)->default_value(styles_dir), "style directory")                     //
      ("png-level", po::value(&level)->default_value(level), "zlib compression level 0-9")                 //
      ("palette", po::bool_switch(&palette), "write an 8-bit palette PNG")                                 //
      ("out", po::value(&out)->required(), "output PNG (positional)");
  po::positional_options_description positional;
  positional.add("out", 1);
  po::variables_map vm;
  if (const auto stop = parse_options("render", desc, args, vm, &positional)) return *stop;
  if (size < 16 || size > 16384) {
    std::fprintf(stderr, "minqing render: --size must be in [16, 16384]\n");
    return 2;
  }
  const auto maps = split_list(maps_arg);
  if (maps.empty()) {
    std::fprintf(stderr, "minqing render: --maps names no map\n");
    return 2;
  }

  const auto catalog = model::LayerCatalog::load_directory(layers_dir);
  const auto styles = style::StyleSet::load_directory(styles_dir, catalog);
  for (const auto& m : maps) {
    if (!styles.find(m)) throw RequestError("--maps: no style for map \"" + m + "\" in " + styles_dir);
  }
  const auto store = store::FeatureStore::open(store_path, catalog, store::FeatureStore::Mode::read_only);
  const auto index = store::ServingIndex::load(store, load_threads());  // opened read-only
  const auto relief = render::ReliefSource::load_directory(store.relief_directory());

  // The village polygon's extent.
  const auto* villages = catalog.find_class("villages");
  const int code_field = villages ? villages->field_index("village_code") : -1;
  std::vector<store::ServedFeaturePtr> all;
  index->query("villages", index->extent(), all);
  geo::BBox box;
  for (const auto& v : all) {
    const auto& value = v->feature.values.at(static_cast<std::size_t>(code_field));
    if (const auto* s = std::get_if<std::string>(&value); s && *s == village) box.expand(v->bbox);
  }
  if (box.empty()) throw RequestError("--village: no village " + village + " in " + store_path);
  const double pad = std::max(box.width(), box.height()) * margin;
  box = box.buffered(pad);

  render::RenderRequest request;
  request.maps = maps;
  request.scale = scale;
  if (box.width() >= box.height()) {
    request.width_px = size;
    request.height_px = std::max(1, static_cast<int>(std::lround(size * box.height() / box.width())));
  } else {
    request.height_px = size;
    request.width_px = std::max(1, static_cast<int>(std::lround(size * box.width() / box.height())));
  }
  // Keep the aspect exact: grow the shorter side of the extent to the pixel grid.
  const double res = std::max(box.width() / request.width_px, box.height() / request.height_px);
  const geo::Coord c = box.center();
  request.extent = geo::BBox{c.x - res * request.width_px / 2, c.y - res * request.height_px / 2,
                             c.x + res * request.width_px / 2, c.y + res * request.height_px / 2};
  request.zoom = render::zoom_for(request.extent, request.width_px, scale);

  render::PngOptions png;
  png.compression_level = level;
  png.palette = palette;
  request.features = index.get();  // the command line draws everything: it reads the store file itself
  const std::string bytes = render::render_png(render::MapRenderer(styles, relief.get()), request, png);
  std::ofstream f(out, std::ios::binary);
  if (!f.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !f.flush()) {
    throw Error(out + ": cannot write");
  }
  std::printf("%s: %dx%d px, zoom %.2f, %zu bytes\n", out.c_str(), request.width_px, request.height_px, request.zoom,
              bytes.size());
  return 0;
}

}  // namespace minqing::cli
