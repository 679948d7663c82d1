// Issue 12 (cold tiles, part 3): a tile cut from its metatile (render/metatile.hpp) shows what the
// same tile drawn alone (render_tile_png) shows — the six-map composite with its labels and the
// hillshade, at z14–z18, @1x and @2x, and at the low zooms where the metatile is smaller.
//
// Both draw the same features with the same transform and clip box (render/map_renderer.cpp
// make_frame: a tile drawn alone measures from its metatile's corner), the same labels at the same
// device pixels, the same relief. What is left is cairo's scan converter: it steps each edge from
// where it enters the surface, and a tile's surface starts 256·k pixels into the metatile's, so an
// antialiased edge can gain or lose a subsample (1/15 of a pixel row: 17 levels of 255) here and
// there. Measured on the sample: at most 0.2 % of a tile's pixels differ, by 9 levels or less but for
// a single pixel of 262,144 (35 levels, a house corner at z16 @2x), all on antialiased edges and
// dash ends. The bound below allows that and nothing a reader could see (a
// missing label, a moved road or a shifted shade is tens of levels over hundreds of pixels).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/error.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "render/cairo_context.hpp"
#include "render/draw_pool.hpp"
#include "render/map_renderer.hpp"
#include "render/metatile.hpp"
#include "render/relief_source.hpp"
#include "render/tile_footprint.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "style/style.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

const std::vector<std::string> kComposite{"terrain", "industry", "organization", "key_persons", "assistance", "disaster"};
constexpr const char* kVillage = "331124207202";  // 小吊门村, as in reference_image_test.cpp

// Subsamples, not drawing: few pixels apart at all, hardly any by more than one subsample row, and
// none by more than a few rows.
constexpr double kMaxDifferingShare = 0.005;   // of a tile's pixels differing at all
constexpr int kSubsampleRow = 17;              // of 255: 1/15 of a pixel's coverage
constexpr double kMaxOverRowShare = 0.0001;    // of a tile's pixels differing by more than that
constexpr int kMaxChannelDifference = 48;      // of 255

struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  style::StyleSet styles = style::StyleSet::load_directory(test::source_dir() / "styles", catalog);
  std::unique_ptr<store::ServingIndex> index;
  std::unique_ptr<render::ReliefSource> relief;
  std::unique_ptr<render::MapRenderer> renderer;

  Sample() {
    auto s = store::FeatureStore::open(test::sample_store().string(), catalog, store::FeatureStore::Mode::read_only);
    index = store::ServingIndex::load(s);
    relief = render::ReliefSource::load_directory(s.relief_directory());
    renderer = std::make_unique<render::MapRenderer>(styles, relief.get());
  }
};

const Sample& sample() {
  static const Sample s;
  return s;
}

// The middle of 小吊门村's houses (EPSG:3857): roads, labels, parcels, hazards and relief around it.
geo::Coord village_houses() {
  const Sample& s = sample();
  const int code = s.catalog.find_class("households")->field_index("village_code");
  std::vector<store::ServedFeaturePtr> houses;
  s.index->query("households", s.index->extent(), houses);
  geo::BBox box;
  for (const auto& h : houses) {
    const auto* v = std::get_if<std::string>(&h->feature.values[static_cast<std::size_t>(code)]);
    if (v && *v == kVillage) box.expand(h->bbox);
  }
  REQUIRE(!box.empty());
  return box.center();
}

const std::filesystem::path& out_dir() {
  static const std::filesystem::path d = test::run_scratch_dir("metatile-differences");
  return d;
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct Difference {
  int max_channel = 0;
  std::size_t differing = 0;
  std::size_t over_row = 0;  // by more than kSubsampleRow
  std::size_t pixels = 0;
};

Difference compare(const std::string& a_png, const std::string& b_png) {
  const auto a = render::decode_png(a_png), b = render::decode_png(b_png);
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  Difference d;
  d.pixels = static_cast<std::size_t>(a.width) * static_cast<std::size_t>(a.height);
  for (std::size_t i = 0; i + 3 < a.rgba.size(); i += 4) {
    int worst = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      worst = std::max(worst, std::abs(static_cast<unsigned char>(a.rgba[i + k]) - static_cast<unsigned char>(b.rgba[i + k])));
    }
    d.max_channel = std::max(d.max_channel, worst);
    if (worst > 0) ++d.differing;
    if (worst > kSubsampleRow) ++d.over_row;
  }
  return d;
}

// Renders the metatile of `tile` and each of its tiles alone; checks they agree within the bound.
// Returns how many of the tiles came out byte-identical.
// With `pool`, the metatile drawn in bands (one per row of tiles) on it.
std::size_t check_metatile(geo::TileId tile, int scale, const std::vector<std::string>& maps = kComposite,
                           render::DrawPool* pool = nullptr) {
  const Sample& s = sample();
  const auto tiles = render::render_metatile_pngs(*s.renderer, *s.index, maps, tile, scale, {}, pool);
  const int m = render::metatile_size(tile.z);
  REQUIRE(tiles.size() == static_cast<std::size_t>(m * m));
  const geo::TileId origin = render::metatile_origin(tile);
  std::size_t identical = 0;
  for (std::size_t k = 0; k < tiles.size(); ++k) {
    const geo::TileId t = tiles[k].tile;
    // Row by row from the metatile's north-west tile.
    CHECK(t == geo::TileId{tile.z, origin.x + static_cast<std::uint32_t>(k % static_cast<std::size_t>(m)),
                           origin.y + static_cast<std::uint32_t>(k / static_cast<std::size_t>(m))});
    const std::string alone = render::render_tile_png(*s.renderer, *s.index, maps, t, scale);
    if (alone == tiles[k].png) {
      ++identical;
      continue;
    }
    const Difference d = compare(tiles[k].png, alone);
    const std::string name = std::string(pool ? "banded-" : "") + std::to_string(t.z) + "-" + std::to_string(t.x) + "-" + std::to_string(t.y) + "@" + std::to_string(scale);
    INFO("tile " << t.z << "/" << t.x << "/" << t.y << " @" << scale << "x: " << d.differing << " of " << d.pixels
                 << " pixels differ, by at most " << d.max_channel << "; both are in " << out_dir());
    if (d.over_row > 0) {
      write_file(out_dir() / (name + "-metatile.png"), tiles[k].png);
      write_file(out_dir() / (name + "-alone.png"), alone);
    }
    CHECK(d.max_channel <= kMaxChannelDifference);
    CHECK(static_cast<double>(d.differing) <= kMaxDifferingShare * static_cast<double>(d.pixels));
    CHECK(static_cast<double>(d.over_row) <= std::max(1.0, kMaxOverRowShare * static_cast<double>(d.pixels)));
  }
  return identical;
}

}  // namespace

TEST_CASE("metatile: the composite's sixteen tiles at z14-z18 @1x are the tiles drawn alone", "[render][metatile]") {
  const geo::Coord at = village_houses();
  // What makes this a real test: labels placed over the metatile, and relief under it.
  REQUIRE(sample().relief);
  REQUIRE(sample().relief->extent().contains(at));
  for (int z = 14; z <= 18; ++z) {
    const geo::TileId tile = geo::tile_at(at, z);
    render::RenderRequest r;
    r.maps = kComposite;
    r.extent = render::metatile_bbox(tile);
    r.width_px = r.height_px = 256 * render::metatile_size(z);
    r.zoom = z;
    r.features = sample().index.get();
    INFO("z" << z);
    CHECK(!sample().renderer->labels(r).empty());
    const std::size_t identical = check_metatile(tile, 1);
    UNSCOPED_INFO("z" << z << ": " << identical << " of 16 tiles byte-identical");
  }
}

TEST_CASE("metatile: the composite's sixteen tiles at z14-z18 @2x are the tiles drawn alone", "[render][metatile]") {
  const geo::Coord at = village_houses();
  for (int z = 14; z <= 18; ++z) {
    INFO("z" << z);
    check_metatile(geo::tile_at(at, z), 2);
  }
}

TEST_CASE("metatile: smaller metatiles at zooms 0 and 1, whole ones from zoom 2", "[render][metatile]") {
  const geo::Coord at = village_houses();
  CHECK(render::metatile_size(0) == 1);
  CHECK(render::metatile_size(1) == 2);
  CHECK(render::metatile_size(2) == 4);
  for (int z = 0; z <= 2; ++z) {
    INFO("z" << z);
    for (const int scale : {1, 2}) check_metatile(geo::tile_at(at, z), scale);
  }
}

TEST_CASE("metatile: a tile of another metatile column is drawn from its own metatile", "[render][metatile]") {
  // The tile east of the metatile: its metatile starts at its own column.
  const geo::TileId tile = geo::tile_at(village_houses(), 17);
  const geo::TileId origin = render::metatile_origin(tile);
  CHECK(origin.x % 4 == 0);
  CHECK(origin.y % 4 == 0);
  CHECK(tile.x - origin.x < 4);
  CHECK(tile.y - origin.y < 4);
  const geo::TileId east{17, origin.x + 4, origin.y};
  CHECK(render::metatile_origin(east) == east);
  check_metatile(east, 1, {"terrain"});
}


// Issue 12 part 3: a metatile drawn in bands on a pool (every core on one metatile). Each band is a
// whole-pixel window of the metatile, as a tile drawn alone is, with the labels placed once over the
// metatile: its tiles are the tiles drawn alone within the same bound, at every zoom and scale.
TEST_CASE("metatile: drawn in bands on a pool, the tiles are the tiles drawn alone", "[render][metatile][parallel]") {
  // One worker: two bands of two rows of tiles; three workers: four bands of one row.
  render::DrawPool two_bands(1), four_bands(3);
  const geo::Coord at = village_houses();
  for (int z = 14; z <= 18; ++z) {
    for (const int scale : {1, 2}) {
      INFO("z" << z << " @" << scale << "x");
      check_metatile(geo::tile_at(at, z), scale, kComposite, &two_bands);
    }
    INFO("z" << z << ", four bands");
    check_metatile(geo::tile_at(at, z), 1, kComposite, &four_bands);
  }
  for (int z = 0; z <= 2; ++z) {
    INFO("z" << z);
    check_metatile(geo::tile_at(at, z), 1, kComposite, &two_bands);
  }
}

TEST_CASE("metatile: the banded draw's PNGs are byte-identical whichever threads drew and encoded them", "[render][metatile][parallel]") {
  // The bands are fixed by the metatile and the pool's size, not by which thread takes which: two
  // pools of one size, and two draws of the same metatile at once on one pool (so that the worker
  // and the callers interleave differently), give the same bytes.
  const Sample& s = sample();
  const geo::TileId tile = geo::tile_at(village_houses(), 17);
  render::DrawPool one(1), other_pool(1);
  const auto a = render::render_metatile_pngs(*s.renderer, *s.index, kComposite, tile, 1, {}, &one);
  const auto b = render::render_metatile_pngs(*s.renderer, *s.index, kComposite, tile, 1, {}, &other_pool);
  std::vector<render::TilePng> c, d;
  std::thread other([&] { c = render::render_metatile_pngs(*s.renderer, *s.index, kComposite, tile, 1, {}, &one); });
  d = render::render_metatile_pngs(*s.renderer, *s.index, kComposite, tile, 1, {}, &one);
  other.join();
  REQUIRE(a.size() == 16);
  for (const auto* run : std::initializer_list<const std::vector<render::TilePng>*>{&b, &c, &d}) {
    REQUIRE(run->size() == a.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      INFO("tile " << k);
      CHECK((*run)[k].tile == a[k].tile);
      CHECK((*run)[k].png == a[k].png);
    }
  }
}

// Issue 12 (session 11): a band is drawn in two steps that may run on two threads — its shapes, then
// its labels over them once they are placed — so that its shapes need not wait for the placement.
// The two steps leave the very pixels one draw leaves: the composite's band at z14-z18, @1x and @2x.
TEST_CASE("metatile: a band drawn as its shapes then its labels has the pixels of one draw", "[render][metatile]") {
  const Sample& s = sample();
  const geo::Coord at = village_houses();
  for (int z = 14; z <= 18; ++z) {
    for (const int scale : {1, 2}) {
      INFO("z" << z << " @" << scale << "x");
      const geo::TileId tile = geo::tile_at(at, z);
      render::RenderRequest r;
      r.maps = kComposite;
      r.label_extent = render::metatile_bbox(tile);
      // A band: the metatile's second row of tiles.
      const geo::TileId origin = render::metatile_origin(tile);
      const geo::BBox first = geo::tile_bbox({z, origin.x, origin.y + 1});
      const geo::BBox last = geo::tile_bbox({z, origin.x + 3, origin.y + 1});
      r.extent = geo::BBox{first.min_x, last.min_y, last.max_x, first.max_y};
      r.width_px = 4 * 256 * scale;
      r.height_px = 256 * scale;
      r.scale = scale;
      r.zoom = z;
      r.features = s.index.get();
      const auto plan = s.renderer->plan_labels(r);
      REQUIRE(!plan->placed.empty());
      r.labels = plan.get();

      render::SurfacePtr one = render::make_image_surface(r.width_px, r.height_px);
      s.renderer->draw(render::make_context(one.get()).get(), r);

      render::SurfacePtr two = render::make_image_surface(r.width_px, r.height_px);
      {
        render::CairoPtr cr = render::make_context(two.get());
        render::RenderRequest shapes = r;
        shapes.labels = nullptr;
        shapes.draw_labels = false;
        s.renderer->draw(cr.get(), shapes);
        render::RenderRequest labels = r;
        labels.shapes_from = labels.maps.size();
        s.renderer->draw(cr.get(), labels);
      }
      cairo_surface_flush(one.get());
      cairo_surface_flush(two.get());
      const auto bytes = static_cast<std::size_t>(cairo_image_surface_get_stride(one.get())) * static_cast<std::size_t>(r.height_px);
      const std::string a(reinterpret_cast<const char*>(cairo_image_surface_get_data(one.get())), bytes);
      const std::string b(reinterpret_cast<const char*>(cairo_image_surface_get_data(two.get())), bytes);
      CHECK(a == b);
    }
  }
}

TEST_CASE("metatile: a banded draw's error reaches the caller", "[render][metatile][parallel]") {
  render::DrawPool pool(1);
  const Sample& s = sample();
  CHECK_THROWS_AS(render::render_metatile_pngs(*s.renderer, *s.index, {"no_such_map"}, geo::TileId{16, 54000, 27000}, 1, {}, &pool),
                  RequestError);
}
