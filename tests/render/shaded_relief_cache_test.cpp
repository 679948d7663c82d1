// Issue 12 part 3: the shaded relief kept across draws, maps and callers
// (render/shaded_relief_cache.hpp). A tile drawn with the kept shading is the tile drawn with a
// fresh one, byte for byte; the cache stays within its bound; a source loaded anew (a DEM replaced)
// never gets the old source's shading.

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "render/draw_pool.hpp"
#include "render/map_renderer.hpp"
#include "render/metatile.hpp"
#include "render/relief_source.hpp"
#include "render/shaded_relief_cache.hpp"
#include "render/tile_footprint.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "style/style.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

const std::vector<std::string> kComposite{"terrain", "industry", "organization", "key_persons", "assistance", "disaster"};

struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  style::StyleSet styles = style::StyleSet::load_directory(test::source_dir() / "styles", catalog);
  std::unique_ptr<store::ServingIndex> index;
  std::unique_ptr<render::ReliefSource> relief;

  Sample() {
    auto s = store::FeatureStore::open(test::sample_store().string(), catalog, store::FeatureStore::Mode::read_only);
    index = store::ServingIndex::load(s);
    relief = render::ReliefSource::load_directory(s.relief_directory());
  }
};

const Sample& sample() {
  static const Sample s;
  return s;
}

// A point of the sample's relief: the middle of its DEMs' extent.
geo::Coord relief_centre() {
  REQUIRE(sample().relief);
  REQUIRE(!sample().relief->empty());
  return sample().relief->extent().center();
}

// A synthetic DEM over `box` (EPSG:3857), 10 m cells, heights a ridge whose direction `turn`
// rotates: two calls with other turns give other shadings of the same extent.
std::unique_ptr<render::ReliefSource> ridge_dem(const geo::BBox& box, double turn) {
  render::ReliefSource::Grid g;
  g.crs = "EPSG:3857";
  g.origin_x = box.min_x;
  g.origin_y = box.max_y;
  g.cell_x = g.cell_y = 10;
  g.nx = static_cast<int>(box.width() / 10);
  g.ny = static_cast<int>(box.height() / 10);
  g.z.resize(static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny));
  for (int y = 0; y < g.ny; ++y) {
    for (int x = 0; x < g.nx; ++x) {
      g.z[static_cast<std::size_t>(y) * static_cast<std::size_t>(g.nx) + static_cast<std::size_t>(x)] =
          static_cast<float>(200 * std::sin((x * std::cos(turn) + y * std::sin(turn)) / 15.0));
    }
  }
  std::vector<render::ReliefSource::Grid> grids;
  grids.push_back(std::move(g));
  return render::ReliefSource::from_grids(std::move(grids));
}

render::HillshadeParams params() { return render::HillshadeParams{}; }

bool same_image(const render::ShadedReliefPtr& a, const render::ShadedReliefPtr& b) {
  if (!a || !b) return !a && !b;
  return a->x == b->x && a->y == b->y && a->width == b->width && a->height == b->height && a->pixels == b->pixels;
}

}  // namespace

TEST_CASE("shaded relief cache: tiles drawn with the kept relief are the tiles drawn with a fresh one", "[render][relief]") {
  const Sample& s = sample();
  render::ShadedReliefCache cache(std::size_t{256} << 20);
  const render::MapRenderer fresh(s.styles, s.relief.get());
  const render::MapRenderer kept(s.styles, s.relief.get(), &cache);
  render::DrawPool pool(1);
  const geo::Coord at = relief_centre();
  for (int z = 14; z <= 18; ++z) {
    for (const int scale : {1, 2}) {
      INFO("z" << z << " @" << scale << "x");
      const geo::TileId tile = geo::tile_at(at, z);
      for (render::DrawPool* p : {static_cast<render::DrawPool*>(nullptr), &pool}) {
        const auto expected = render::render_metatile_pngs(fresh, *s.index, kComposite, tile, scale, {}, p);
        // terrain first, as users switch maps: the composite then finds the relief kept.
        render::render_metatile_pngs(kept, *s.index, {"terrain"}, tile, scale, {}, p);
        const auto before = cache.stats();
        const auto got = render::render_metatile_pngs(kept, *s.index, kComposite, tile, scale, {}, p);
        const auto after = cache.stats();
        CHECK(after.hits > before.hits);
        CHECK(after.misses == before.misses);
        REQUIRE(got.size() == expected.size());
        for (std::size_t k = 0; k < got.size(); ++k) {
          INFO("tile " << k << (p ? ", banded" : ""));
          CHECK(got[k].png == expected[k].png);
        }
      }
      // A tile drawn alone, its relief kept the first time and taken from the cache the second.
      const std::string alone = render::render_tile_png(fresh, *s.index, kComposite, tile, scale);
      CHECK(render::render_tile_png(kept, *s.index, kComposite, tile, scale) == alone);
      CHECK(render::render_tile_png(kept, *s.index, kComposite, tile, scale) == alone);
    }
  }
  const auto st = cache.stats();
  CHECK(st.entries > 0);
  CHECK(st.bytes <= cache.max_bytes());
}

TEST_CASE("shaded relief cache: the shading is cropped to what it touched and drawn at its place", "[render][relief]") {
  // A DEM over the middle of a 1024 px canvas only: the kept image is that part, and nothing is
  // kept for a canvas beside the DEM.
  const geo::BBox canvas{0, 0, 10240, 10240};  // 10 m a pixel at 1024 px
  const auto dem = ridge_dem(geo::BBox{3000, 4000, 6000, 8000}, 0.3);
  const auto image = render::shade_cropped(*dem, canvas, 1024, 1024, params());
  REQUIRE(image);
  CHECK(image->x >= 295);  // the DEM's west edge is 300 px in
  CHECK(image->x <= 305);
  CHECK(image->y >= 219);  // the canvas's top is y = 10240: the DEM's north edge is 224 px down
  CHECK(image->y <= 229);
  CHECK(image->width <= 305);
  CHECK(image->height <= 405);
  CHECK(image->pixels.size() == static_cast<std::size_t>(image->width) * static_cast<std::size_t>(image->height));
  // Every pixel left out is transparent: the uncropped shading, pixel for pixel.
  std::vector<std::uint32_t> whole(1024 * 1024, 0);
  REQUIRE(dem->render_hillshade(canvas, 1024, 1024, params(), reinterpret_cast<std::uint8_t*>(whole.data()), 1024 * 4));
  for (int y = 0; y < 1024; ++y) {
    for (int x = 0; x < 1024; ++x) {
      const bool inside = x >= image->x && x < image->x + image->width && y >= image->y && y < image->y + image->height;
      const std::uint32_t kept =
          inside ? image->pixels[static_cast<std::size_t>(y - image->y) * static_cast<std::size_t>(image->width) +
                                 static_cast<std::size_t>(x - image->x)]
                 : 0u;
      if (whole[static_cast<std::size_t>(y) * 1024 + static_cast<std::size_t>(x)] != kept) {
        FAIL("pixel " << x << "," << y << " differs from the uncropped shading");
      }
    }
  }
  CHECK_FALSE(render::shade_cropped(*dem, geo::BBox{20000, 20000, 30240, 30240}, 1024, 1024, params()));
}

TEST_CASE("shaded relief cache: it stays within its byte bound", "[render][relief]") {
  const auto dem = ridge_dem(geo::BBox{0, 0, 20480, 20480}, 0.7);
  // One 256 px window shades 256 KB; the bound holds three and a bit.
  const std::size_t one = 256 * 256 * 4 + render::ShadedReliefCache::kEntryOverhead;
  render::ShadedReliefCache cache(3 * one + one / 2);
  std::vector<render::ShadedReliefPtr> first;
  for (int i = 0; i < 8; ++i) {
    const geo::BBox window{i * 2560.0, 0, (i + 1) * 2560.0, 2560};
    first.push_back(cache.get(*dem, window, 256, 256, params()));
    REQUIRE(first.back());
    const auto st = cache.stats();
    CHECK(st.bytes <= cache.max_bytes());
    CHECK(st.entries == static_cast<std::size_t>(std::min(i + 1, 3)));
  }
  // The three most recent are kept; the first were dropped and are shaded again (a miss).
  auto st = cache.stats();
  CHECK(st.misses == 8);
  CHECK(st.hits == 0);
  CHECK(same_image(cache.get(*dem, geo::BBox{7 * 2560.0, 0, 8 * 2560.0, 2560}, 256, 256, params()), first[7]));
  CHECK(cache.stats().hits == 1);
  CHECK(same_image(cache.get(*dem, geo::BBox{0, 0, 2560, 2560}, 256, 256, params()), first[0]));
  st = cache.stats();
  CHECK(st.hits == 1);
  CHECK(st.misses == 9);
  CHECK(st.bytes <= cache.max_bytes());
  // An image larger than the whole bound is handed out but not kept.
  const auto big = cache.get(*dem, geo::BBox{0, 0, 10240, 10240}, 1024, 1024, params());
  CHECK(big);
  CHECK(cache.stats().bytes <= cache.max_bytes());
  CHECK(cache.stats().entries == 3);
}

TEST_CASE("shaded relief cache: a DEM loaded anew is never served the old DEM's shading", "[render][relief]") {
  // One cache outlives two sources over the same extent: the second (a DEM replaced and loaded
  // again) gets its own shading, even when it is made at the address the first one had.
  const geo::BBox box{0, 0, 10240, 10240};
  render::ShadedReliefCache cache(std::size_t{64} << 20);
  auto old_dem = ridge_dem(box, 0.2);
  const auto old_image = cache.get(*old_dem, box, 512, 512, params());
  REQUIRE(old_image);
  CHECK(same_image(cache.get(*old_dem, box, 512, 512, params()), old_image));
  CHECK(cache.stats().hits == 1);
  const std::uint64_t old_id = old_dem->id();
  old_dem.reset();
  const auto new_dem = ridge_dem(box, 1.3);
  CHECK(new_dem->id() != old_id);
  const auto fresh = render::shade_cropped(*new_dem, box, 512, 512, params());
  const auto got = cache.get(*new_dem, box, 512, 512, params());
  CHECK(same_image(got, fresh));
  CHECK_FALSE(same_image(got, old_image));
  CHECK(cache.stats().hits == 1);  // the new source's first draw was a miss
  // Other shading parameters are another image too.
  render::HillshadeParams other = params();
  other.azimuth_deg = 135;
  CHECK_FALSE(same_image(cache.get(*new_dem, box, 512, 512, other), got));
}

TEST_CASE("shaded relief cache: many threads at once get the same shading", "[render][relief][parallel]") {
  const auto dem = ridge_dem(geo::BBox{0, 0, 10240, 10240}, 0.9);
  render::ShadedReliefCache cache(std::size_t{2} << 20);  // small: entries come and go meanwhile
  std::vector<render::ShadedReliefPtr> expected;
  for (int i = 0; i < 6; ++i) {
    expected.push_back(render::shade_cropped(*dem, geo::BBox{i * 1280.0, 0, (i + 2) * 1280.0, 2560}, 256, 256, params()));
  }
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 30; ++round) {
        const int i = (round + t) % 6;
        const auto got = cache.get(*dem, geo::BBox{i * 1280.0, 0, (i + 2) * 1280.0, 2560}, 256, 256, params());
        if (!same_image(got, expected[static_cast<std::size_t>(i)])) ++wrong[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const int w : wrong) CHECK(w == 0);
  const auto st = cache.stats();
  CHECK(st.hits + st.misses == 120);
  CHECK(st.bytes <= cache.max_bytes());
}
