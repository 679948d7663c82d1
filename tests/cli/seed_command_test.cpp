// `minqing seed` warms a running server's tile cache: every tile of the zoom range over the
// village ends up cached, and a refused map makes the command fail.

#include <cstdio>
#include <set>
#include <thread>
#include <tuple>

#include <catch2/catch.hpp>

#include "geo/tile.hpp"
#include "render/metatile.hpp"
#include "render/tile_footprint.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "server/http_server.hpp"
#include "support/app_options.hpp"
#include "support/loopback_server.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {
int run(const std::string& cmd, std::string& out) {
  auto result = test::run_command(cmd);
  out += result.output;
  return result.exit_code;
}
}  // namespace

TEST_CASE("minqing seed fills the server's tile cache for a village", "[cli][seed]") {
  const server::App app(test::sample_app_options("seed_command"));
  test::LoopbackServer http(app.handler());
  const std::string url = http.url();

  // The village's own extent decides the expected tile count.
  std::vector<store::ServedFeaturePtr> villages;
  app.index().query("villages", app.index().extent(), villages);
  REQUIRE_FALSE(villages.empty());
  const std::string code = std::get<std::string>(villages.front()->feature.values[0]);
  // A cold tile is drawn with its metatile and every tile of that goes into the cache
  // (server/tile_metatiles.hpp): the cache holds the metatiles of the seeded tiles.
  std::set<std::tuple<int, std::uint32_t, std::uint32_t>> metatiles;
  std::size_t expected = 0;
  for (int z = 14; z <= 15; ++z) {
    for (const geo::TileId t : geo::tiles_covering(villages.front()->bbox, z)) {
      const geo::TileId o = render::metatile_origin(t);
      if (metatiles.emplace(o.z, o.x, o.y).second) expected += static_cast<std::size_t>(render::metatile_size(z) * render::metatile_size(z));
    }
  }

  std::string out;
  const int code_ok = run(test::minqing_bin().string() + " seed --server " + url + " --village " + code +
                              " --zoom 14-15 --store " + test::sample_store().string(), out);
  INFO(out);
  CHECK(code_ok == 0);
  CHECK(app.tile_cache().stats().entries == expected);
  CHECK(out.find("0 failed") != std::string::npos);

  std::string refused;
  CHECK(run(test::minqing_bin().string() + " seed --server " + url + " --village " + code +
                " --zoom 14 --maps key_persons --store " + test::sample_store().string(), refused) == 1);
  CHECK(refused.find("404") != std::string::npos);  // anonymous: key_persons answers as unknown

  std::string bad;
  CHECK(run(test::minqing_bin().string() + " seed --server ftp://x --county", bad) != 0);
  CHECK(bad.find("--server must look like") != std::string::npos);

}
