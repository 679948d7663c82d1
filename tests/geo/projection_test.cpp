// PROJ transformations agree with PROJ's own command-line tool, and unknown CRSs are refused.

#include <cmath>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "geo/projection.hpp"

using namespace minqing;

namespace {
// Runs cs2cs (official axis order: northing easting in, latitude longitude out).
geo::Coord cs2cs_gk_to_wgs84(double easting, double northing) {
  const std::string cmd = "echo '" + std::to_string(northing) + " " + std::to_string(easting) +
                          "' | cs2cs -d 12 EPSG:4549 EPSG:4326";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  double lat = 0, lon = 0;
  const int n = std::fscanf(pipe, "%lf %lf", &lat, &lon);
  pclose(pipe);
  REQUIRE(n == 2);
  return {lon, lat};
}
}  // namespace

TEST_CASE("a CGCS2000 Gauss-Krüger point converts to WGS 84 within 1 cm of cs2cs", "[geo][proj]") {
  const geo::Transform t("EPSG:4549", "EPSG:4326");
  for (const auto& [e, n] : {std::pair{449312.37, 3148201.55}, std::pair{500000.0, 3000000.0}, std::pair{412345.6, 3201234.5}}) {
    const geo::Coord ours = t.apply(geo::Coord{e, n});
    const geo::Coord theirs = cs2cs_gk_to_wgs84(e, n);
    const double dy_m = (ours.y - theirs.y) * 111320.0;
    const double dx_m = (ours.x - theirs.x) * 111320.0 * std::cos(theirs.y * M_PI / 180);
    INFO(e << " " << n << " → " << ours.x << " " << ours.y);
    CHECK(std::hypot(dx_m, dy_m) < 0.01);
  }
}

TEST_CASE("Songyang lies where expected in every CRS the data comes in", "[geo][proj]") {
  const geo::Coord lonlat{119.48, 28.45};
  const geo::Coord gk = geo::Transform("EPSG:4326", "EPSG:4549").apply(lonlat);
  CHECK(gk.x == Approx(449100).margin(1000));  // 0.52° west of 120°E: about 50.9 km west of 500 km
  CHECK(gk.y == Approx(3148000).margin(2000));  // about 28.45° × 110.7 km
  const geo::Coord prefixed = geo::Transform("EPSG:4326", "EPSG:4528").apply(lonlat);
  CHECK(prefixed.x == Approx(40000000 + gk.x).margin(0.001));  // zone 40 prefix
  CHECK(prefixed.y == Approx(gk.y).margin(0.001));
  const geo::Coord back = geo::Transform("EPSG:4549", "EPSG:4490").apply(gk);
  CHECK(back.x == Approx(lonlat.x).margin(1e-9));
  CHECK(back.y == Approx(lonlat.y).margin(1e-9));
}

TEST_CASE("an unknown CRS is refused with its name", "[geo][proj]") {
  CHECK_THROWS_AS(geo::Transform("EPSG:999999", "EPSG:4326"), ProjError);
  CHECK_THROWS_WITH(geo::Transform("not a crs", "EPSG:4326"), Catch::Contains("not a crs"));
  CHECK_FALSE(geo::is_known_crs("EPSG:999999"));
  CHECK(geo::is_known_crs("EPSG:4549"));
}
