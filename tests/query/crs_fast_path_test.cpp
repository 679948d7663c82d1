// The closed-form EPSG:3857 ↔ WGS 84 conversion the feature API answers CRS84 and EPSG:4326 with
// (issue 12, part 5) agrees with PROJ within 1 mm on the ground: over the county, and over the
// whole of Web Mercator's latitude range (±85°; the poles are outside EPSG:3857). The coordinates
// a GeoJSON answer carries are PROJ's to within their 7 decimals' rounding plus that millimetre.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "geo/projection.hpp"
#include "query/crs.hpp"
#include "query/geojson_writer.hpp"

using namespace minqing;

namespace {

constexpr double kMetresPerDegree = 111'319.49;  // on the equator; a degree of latitude is ≥ 110.57 km

// Ground distance, in metres, between two nearby lon/lat positions (an upper bound: a degree of
// latitude is shorter than at the equator).
double ground_m(geo::Coord a, geo::Coord b) {
  const double lat = (a.y + b.y) / 2 * std::numbers::pi / 180;
  return std::hypot((a.x - b.x) * kMetresPerDegree * std::cos(lat), (a.y - b.y) * kMetresPerDegree);
}

// Web Mercator positions on a grid: over `lon0…lon1` × `lat0…lat1`, n × n points.
template <typename Visit>
void grid(double lon0, double lat0, double lon1, double lat1, int n, Visit visit) {
  const geo::Transform to_m("EPSG:4326", "EPSG:3857");
  for (int i = 0; i <= n; ++i) {
    for (int j = 0; j <= n; ++j) {
      visit(to_m.apply(geo::Coord{lon0 + (lon1 - lon0) * i / n, lat0 + (lat1 - lat0) * j / n}));
    }
  }
}

}  // namespace

TEST_CASE("CRS84 and EPSG:4326 answers agree with PROJ within 1 mm on the ground", "[query][crs]") {
  const geo::Transform proj("EPSG:3857", "EPSG:4326");
  const geo::Transform proj_back("EPSG:4326", "EPSG:3857");
  double worst = 0, worst_back = 0;
  std::size_t points = 0;
  const auto check = [&](geo::Coord m) {
    const geo::Coord want = proj.apply(m);
    const geo::Coord got = query::from_mercator(query::crs84(), m);
    worst = std::max(worst, ground_m(got, want));
    const geo::Coord swapped = query::from_mercator(query::parse_crs("EPSG:4326", "crs"), m);
    CHECK(swapped.x == got.y);  // EPSG:4326 answers lat/lon
    CHECK(swapped.y == got.x);
    // And back: a bbox or filter in CRS84 lands where PROJ puts it (metres in EPSG:3857 are
    // 1/cos(lat) ground metres).
    const geo::Coord m2 = query::to_mercator(query::crs84(), want);
    const geo::Coord m_want = proj_back.apply(want);
    worst_back = std::max(worst_back, std::hypot(m2.x - m_want.x, m2.y - m_want.y) * std::cos(want.y * std::numbers::pi / 180));
    ++points;
  };
  grid(118.9, 28.0, 119.7, 28.8, 40, check);   // the county (Songyang) and around it
  grid(-180, -85, 180, 85, 120, check);        // the world, poles excluded
  grid(-180, 84, 180, 85.05, 20, check);       // the far north edge of Web Mercator
  INFO("worst " << worst * 1000 << " mm, back " << worst_back * 1000 << " mm over " << points << " points");
  CHECK(points > 16000);
  CHECK(worst < 0.001);
  CHECK(worst_back < 0.001);
}

TEST_CASE("GeoJSON coordinates written in CRS84 are PROJ's to their 7 decimals", "[query][crs][geojson]") {
  const geo::Transform proj("EPSG:3857", "EPSG:4326");
  double worst = 0;
  grid(118.9, 28.0, 119.7, 28.8, 30, [&](geo::Coord m) {
    std::string text;
    query::append_geometry(text, geo::Geometry::point(m), query::crs84());
    const auto written = nlohmann::json::parse(text)["coordinates"];
    const geo::Coord want = proj.apply(m);
    // 7 decimals round by at most 0.5e-7° (≤ 5.6 mm); beyond that, within 1 mm of PROJ.
    const geo::Coord got{written[0].get<double>(), written[1].get<double>()};
    CHECK(std::abs(got.x - want.x) <= 0.5e-7 + 9e-9);  // 9e-9° ≈ 1 mm
    CHECK(std::abs(got.y - want.y) <= 0.5e-7 + 9e-9);  // 9e-9° ≈ 1 mm
    worst = std::max(worst, ground_m(got, want));
  });
  CHECK(worst < 0.0056 + 0.001);
}
