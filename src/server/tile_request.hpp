#pragma once
// Parsing a tile address: /tiles/{maps}/{z}/{x}/{y}.png and …/{y}@2x.png.

#include <string>
#include <string_view>
#include <vector>

#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::server {

struct TileRequest {
  std::vector<std::string> maps;  // in drawing order, each a catalog map
  geo::TileId tile;
  int scale = 1;  // 1: 256 px, 2: 512 px (@2x)
};

// Parses the path parameters of a tile route. `y_and_suffix` is what precedes ".png" in the last
// segment ("27012" or "27012@2x").
// @throws RequestError (400) for a malformed or out-of-range z/x/y, an empty or repeated map name;
//         HttpError 404 for a map the catalog does not define.
TileRequest parse_tile_request(const model::LayerCatalog& catalog, std::string_view maps,
                               std::string_view z, std::string_view x, std::string_view y_and_suffix);

// "terrain,disaster" → {"terrain", "disaster"}, checked against the catalog as above.
std::vector<std::string> parse_map_list(const model::LayerCatalog& catalog, std::string_view maps);

}  // namespace minqing::server
