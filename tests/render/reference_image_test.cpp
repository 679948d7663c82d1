// Issue 12 (speed, part 1): reference images guard every change to the renderer. Each of the six
// maps and their composite is requested over the App, as the county administrator sees it, at
// z14–z18, @1x and @2x, on the tile holding the houses of the sample village 小吊门村, and compared
// pixel by pixel with the PNG committed under tests/render/reference/<maps>/<z>[@2x].png.
//
// A pixel differs when one of its channels differs by more than kChannelTolerance; a tile fails
// when more than kMaxDifferingShare of its pixels differ (room for a different CPU's pixman, not
// for a missing label or a moved road). On failure the tile as rendered and a difference image
// (differing pixels red over a faded reference) are written to the case's scratch folder, whose
// path the run prints.
//
// An intended change of the drawing (a new style, a fixed label) updates the references:
//   MINQING_UPDATE_REFERENCES=1 build/tests/minqing_tests "[reference]"
// then look at the changed PNGs (git diff --stat, an image viewer) before committing them.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "render/png_encoder.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

constexpr const char* kVillage = "331124207202";  // 小吊门村
constexpr int kChannelTolerance = 24;              // of 255
constexpr double kMaxDifferingShare = 0.002;       // 0.2 % of a tile's pixels

const server::App& app() {
  static const server::App a(test::demo_app_options("reference-images"));
  return a;
}

const std::string& admin_token() {
  static const std::string t = test::sign_in(app(), "admin");
  return t;
}

// Where the village lives: the household point nearest the mean of the village's household points
// (lon/lat) — houses, roads, labels and hazards around it, not an empty hillside.
geo::Coord village_centre() {
  static const geo::Coord c = [] {
    const auto r = test::get(app(), std::string("/collections/households/items?limit=10000&village_code=") + kVillage,
                             admin_token());
    REQUIRE(test::status(r) == 200);
    const auto fc = test::json_body(r);
    std::vector<geo::Coord> points;
    for (const auto& f : fc.at("features")) {
      const auto& p = f.at("geometry").at("coordinates");
      points.push_back({p[0].get<double>(), p[1].get<double>()});
    }
    REQUIRE(points.size() > 10);
    geo::Coord mean{0, 0};
    for (const auto& p : points) {
      mean.x += p.x / static_cast<double>(points.size());
      mean.y += p.y / static_cast<double>(points.size());
    }
    const auto d2 = [&](const geo::Coord& p) { return (p.x - mean.x) * (p.x - mean.x) + (p.y - mean.y) * (p.y - mean.y); };
    return *std::min_element(points.begin(), points.end(), [&](const auto& a, const auto& b) { return d2(a) < d2(b); });
  }();
  return c;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

// Straight RGBA rows → cairo's premultiplied native-endian ARGB32 (opaque here), for encode_png.
std::string to_argb(const std::string& rgba) {
  std::string out(rgba.size(), '\0');
  for (std::size_t i = 0; i + 3 < rgba.size(); i += 4) {
    out[i + 0] = rgba[i + 2];
    out[i + 1] = rgba[i + 1];
    out[i + 2] = rgba[i + 0];
    out[i + 3] = static_cast<char>(0xff);
  }
  return out;
}

struct Comparison {
  std::size_t differing = 0;
  std::size_t pixels = 0;
  std::string diff_rgba;  // differing pixels red over the faded reference
};

Comparison compare(const render::DecodedPng& got, const render::DecodedPng& want) {
  Comparison c;
  c.pixels = static_cast<std::size_t>(want.width) * static_cast<std::size_t>(want.height);
  c.diff_rgba.resize(want.rgba.size());
  for (std::size_t i = 0; i + 3 < want.rgba.size(); i += 4) {
    int worst = 0;
    for (int k = 0; k < 4; ++k) {
      const int a = static_cast<unsigned char>(got.rgba[i + k]);
      const int b = static_cast<unsigned char>(want.rgba[i + k]);
      worst = std::max(worst, std::abs(a - b));
    }
    const bool differs = worst > kChannelTolerance;
    if (differs) ++c.differing;
    for (int k = 0; k < 3; ++k) {
      const int faded = 255 - (255 - static_cast<unsigned char>(want.rgba[i + k])) / 4;
      c.diff_rgba[i + k] = static_cast<char>(differs ? (k == 0 ? 255 : 0) : faded);
    }
    c.diff_rgba[i + 3] = static_cast<char>(0xff);
  }
  return c;
}

// Renders `maps` at z14–z18, @1x and @2x, and compares each tile with its reference.
void check_references(const std::string& maps, const std::string& name) {
  const bool update = std::getenv("MINQING_UPDATE_REFERENCES") != nullptr;
  const auto reference_dir = test::source_dir() / "tests" / "render" / "reference" / name;
  const auto out_dir = test::scratch_dir("reference-" + name);
  const geo::Coord centre = geo::lonlat_to_mercator(village_centre());
  for (int z = 14; z <= 18; ++z) {
    for (const int scale : {1, 2}) {
      const geo::TileId t = geo::tile_at(centre, z);
      const std::string suffix = scale == 2 ? "@2x" : "";
      const std::string target = "/tiles/" + maps + "/" + std::to_string(z) + "/" + std::to_string(t.x) + "/" +
                                 std::to_string(t.y) + suffix + ".png";
      const std::string file = std::to_string(z) + suffix + ".png";
      INFO(target << " against " << (reference_dir / file));
      const auto r = test::get(app(), target, admin_token());
      REQUIRE(test::status(r) == 200);
      const std::string bytes(r.body().bytes());  // a tile is shared with the cache (server/response_body.hpp)
      if (update) {
        write_file(reference_dir / file, bytes);
        continue;
      }
      REQUIRE(std::filesystem::exists(reference_dir / file));
      const auto got = render::decode_png(bytes);
      const auto want = render::decode_png(read_file(reference_dir / file));
      REQUIRE(got.width == want.width);
      REQUIRE(got.height == want.height);
      REQUIRE(got.width == 256 * scale);
      const Comparison c = compare(got, want);
      if (static_cast<double>(c.differing) > kMaxDifferingShare * static_cast<double>(c.pixels)) {
        write_file(out_dir / file, bytes);
        write_file(out_dir / ("diff-" + file),
                   render::encode_png(reinterpret_cast<const std::uint8_t*>(to_argb(c.diff_rgba).data()), want.width,
                                      want.height, want.width * 4));
        FAIL_CHECK(c.differing << " of " << c.pixels << " pixels differ by more than " << kChannelTolerance
                               << "; the tile and the difference are in " << out_dir);
      }
    }
  }
}

}  // namespace

TEST_CASE("reference images: 村情民情图 terrain", "[render][reference]") { check_references("terrain", "terrain"); }
TEST_CASE("reference images: 产业发展图 industry", "[render][reference]") { check_references("industry", "industry"); }
TEST_CASE("reference images: 组织体系图 organization", "[render][reference]") {
  check_references("organization", "organization");
}
TEST_CASE("reference images: 重点人员图 key persons", "[render][reference]") {
  check_references("key_persons", "key_persons");
}
TEST_CASE("reference images: 结对帮扶图 assistance", "[render][reference]") {
  check_references("assistance", "assistance");
}
TEST_CASE("reference images: 防灾避险图 disaster", "[render][reference]") { check_references("disaster", "disaster"); }
TEST_CASE("reference images: the six maps at once", "[render][reference]") {
  check_references("terrain,industry,organization,key_persons,assistance,disaster", "composite");
}
