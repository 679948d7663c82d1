#include "server/tile_request.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "server/http_error.hpp"

namespace minqing::server {

namespace {

// Digits only: no sign, no spaces, no hex, at most 8 of them (2^24 tiles fit in 8 digits).
std::uint32_t parse_tile_number(std::string_view text, const char* name) {
  constexpr std::size_t kMaxDigits = 8;
  // Checked and read in one pass (all_of then from_chars was ~100 instructions a number, three a
  // tile request: issue 12); 8 digits cannot overflow.
  std::uint32_t v = 0;
  bool digits = !text.empty() && text.size() <= kMaxDigits;
  for (std::size_t i = 0; digits && i < text.size(); ++i) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(text[i])) - '0';
    digits = d <= 9;
    v = v * 10 + d;
  }
  if (!digits) {
    throw RequestError(std::string(name) + " must be a non-negative whole number, got \"" +
                       std::string(text.substr(0, 32)) + "\"");
  }
  return v;
}

}  // namespace

std::vector<std::string> parse_map_list(const model::LayerCatalog& catalog, std::string_view maps) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin <= maps.size()) {
    const std::size_t end = std::min(maps.find(',', begin), maps.size());
    const std::string name(maps.substr(begin, end - begin));
    if (name.empty()) throw RequestError("maps: an empty map name in \"" + std::string(maps.substr(0, 64)) + "\"");
    if (!catalog.find_map(name)) throw HttpError(http::status::not_found, "no map named \"" + name.substr(0, 64) + "\"");
    if (std::find(out.begin(), out.end(), name) != out.end()) throw RequestError("maps: \"" + name + "\" is named twice");
    out.push_back(name);
    begin = end + 1;
  }
  return out;
}

TileRequest parse_tile_request(const model::LayerCatalog& catalog, std::string_view maps, std::string_view z,
                               std::string_view x, std::string_view y_and_suffix) {
  TileRequest req;
  req.maps = parse_map_list(catalog, maps);
  std::string_view y = y_and_suffix;
  if (y.size() > 3 && y.substr(y.size() - 3) == "@2x") {
    req.scale = 2;
    y.remove_suffix(3);
  }
  const std::uint32_t zz = parse_tile_number(z, "z");
  req.tile = {static_cast<int>(std::min<std::uint32_t>(zz, 1000)), parse_tile_number(x, "x"), parse_tile_number(y, "y")};
  if (zz > static_cast<std::uint32_t>(geo::kMaxZoom)) {
    throw RequestError("z must be between 0 and " + std::to_string(geo::kMaxZoom) + ", got " + std::to_string(zz));
  }
  if (!geo::is_valid(req.tile)) {
    throw RequestError("x and y must be below 2^z = " + std::to_string(1u << req.tile.z) + " at z " +
                       std::to_string(req.tile.z));
  }
  return req;
}

}  // namespace minqing::server
