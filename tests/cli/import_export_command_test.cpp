// `minqing import` and `minqing export` as a county GIS officer runs them (issue 13): the report
// table (features, derived village codes, split lines), --dry-run writing nothing, --outside, and
// bad options answered with exit code 2 naming the option.

#include <string>

#include <catch2/catch.hpp>

#include "support/foreign_county.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

std::string minqing_bin() { return test::minqing_bin().string(); }

}  // namespace

TEST_CASE("minqing import prints the report, --dry-run writes nothing, minqing export writes files", "[cli][import][issue13]") {
  const auto dir = test::scratch_dir("cli_import_export");
  test::write_county_villages(dir / "villages.gpkg");
  test::write_source(dir / "roads.gpkg", "GPKG", "roads", 4549, wkbLineString,
                     {{"name", OFTString}, {"class", OFTString}, {"width_m", OFTReal}},
                     {{{"松古线", "county", "7.5"}, "LINESTRING (450100 3148500, 452900 3148500)"},
                      {{"县外路", "township", "6"}, "LINESTRING (452900 3148600, 454000 3148600)"}});
  const std::string store = (dir / "store.gpkg").string();
  const std::string sources = (dir / "villages.gpkg").string() + " " + (dir / "roads.gpkg").string();

  // Outside every village: refused, naming the road.
  auto refused = test::run_command(minqing_bin() + " import " + sources + " --into " + store);
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("feature 2 piece 2 (县外路)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(store));

  const std::string keep = " --outside keep --outside-code 331124000000";
  auto dry = test::run_command(minqing_bin() + " import " + sources + " --into " + store + keep + " --dry-run");
  INFO(dry.output);
  CHECK(dry.exit_code == 0);
  CHECK(dry.output.find("dry run: 8 features would be imported") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(store));

  auto real = test::run_command(minqing_bin() + " import " + sources + " --into " + store + keep);
  INFO(real.output);
  CHECK(real.exit_code == 0);
  // roads: 松古线 in three pieces, 县外路 in two (one kept with the county-level code).
  CHECK(real.output.find("roads                         5        4          2 (5)") != std::string::npos);
  CHECK(real.output.find("imported 8 features into") != std::string::npos);

  auto exported = test::run_command(minqing_bin() + " export --store " + store + " --village " + test::kMiddleVillage +
                                    " --maps terrain --format GeoJSON --out " + (dir / "out").string());
  INFO(exported.output);
  CHECK(exported.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "out" / "roads.geojson"));
  CHECK(exported.output.find("exported 2 features") != std::string::npos);  // the village and its piece of 松古线

  auto bad = test::run_command(minqing_bin() + " export --store " + store + " --format DXF --out " + (dir / "x").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("--format DXF") != std::string::npos);
  auto bad_outside = test::run_command(minqing_bin() + " import " + sources + " --into " + store + " --outside keep");
  CHECK(bad_outside.exit_code == 2);
  CHECK(bad_outside.output.find("--outside-code") != std::string::npos);
}
