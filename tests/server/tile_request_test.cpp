// Tile addresses: what parses, and the status every malformed one gets.

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "server/http_error.hpp"
#include "server/tile_request.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;

TEST_CASE("tile addresses parse into maps, z/x/y and scale", "[server][tiles]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto r = parse_tile_request(catalog, "terrain,disaster", "16", "54518", "27361@2x");
  CHECK(r.maps == std::vector<std::string>{"terrain", "disaster"});
  CHECK(r.tile == geo::TileId{16, 54518, 27361});
  CHECK(r.scale == 2);
  CHECK(parse_tile_request(catalog, "terrain", "0", "0", "0").scale == 1);
  // Eight digits at most, leading zeros allowed: the largest x and y of zoom 24 are numbers too.
  CHECK(parse_tile_request(catalog, "terrain", "3", "00000007", "0").tile == geo::TileId{3, 7, 0});
  CHECK(parse_tile_request(catalog, "terrain", "24", "16777215", "9999999").tile == geo::TileId{24, 16777215, 9999999});
}

TEST_CASE("malformed tile addresses are refused with 400 or 404", "[server][tiles]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  auto status_of = [&](std::string_view maps, std::string_view z, std::string_view x, std::string_view y) {
    try {
      parse_tile_request(catalog, maps, z, x, y);
      return 200;
    } catch (const RequestError&) {
      return 400;
    } catch (const HttpError& e) {
      return static_cast<int>(e.status());
    }
  };
  CHECK(status_of("terrain", "a", "0", "0") == 400);
  CHECK(status_of("terrain", "-1", "0", "0") == 400);
  CHECK(status_of("terrain", "16", "0x10", "0") == 400);
  CHECK(status_of("terrain", "16", "1e3", "0") == 400);
  CHECK(status_of("terrain", "16", " 1", "0") == 400);
  CHECK(status_of("terrain", "16", "1 ", "0") == 400);
  CHECK(status_of("terrain", "16", "+1", "0") == 400);
  CHECK(status_of("terrain", "16", "", "0") == 400);
  CHECK(status_of("terrain", "16", "1/", "0") == 400);  // the characters either side of the digits
  CHECK(status_of("terrain", "16", "1:", "0") == 400);
  CHECK(status_of("terrain", "16", "\xd9\xa3", "0") == 400);  // an Arabic-Indic three
  CHECK(status_of("terrain", "24", "123456789", "0") == 400);  // nine digits
  CHECK(status_of("terrain", "25", "0", "0") == 400);
  CHECK(status_of("terrain", "99999999999", "0", "0") == 400);
  CHECK(status_of("terrain", "2", "4", "0") == 400);
  CHECK(status_of("terrain", "2", "0", "4") == 400);
  CHECK(status_of("terrain", "2", "0", "3@3x") == 400);
  CHECK(status_of("roads", "2", "0", "0") == 404);
  CHECK(status_of("terrain,,disaster", "2", "0", "0") == 400);
  CHECK(status_of("terrain,terrain", "2", "0", "0") == 400);
  CHECK(status_of("", "2", "0", "0") == 400);
}
