// Issue 3 (map tiles): tiles are valid PNGs whose pixels show the style's colours where features
// lie; labels continue identically across tile edges and never overlap; hillshade shows relief.

#include <catch2/catch.hpp>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "render/cairo_context.hpp"
#include "render/map_renderer.hpp"
#include "render/relief_cache.hpp"
#include "render/relief_source.hpp"
#include "store/feature_store.hpp"
#include "store/gdal_init.hpp"
#include "store/serving_index.hpp"
#include "style/style.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

constexpr const char* kVillage = "331124101201";
constexpr int kZ = 17;

const model::LayerCatalog& catalog() {
  static const auto c = model::LayerCatalog::load_directory(test::layers_dir());
  return c;
}
const style::StyleSet& styles() {
  static const auto s = style::StyleSet::load_directory(test::source_dir() / "styles", catalog());
  return s;
}

model::Feature make(const std::string& cls, std::vector<std::pair<std::string, model::Value>> values, geo::Geometry g) {
  const auto& def = *catalog().find_class(cls);
  model::Feature f;
  f.values.assign(def.fields.size(), model::Value{});
  for (auto& [k, v] : values) f.values.at(static_cast<std::size_t>(def.field_index(k))) = v;
  f.geometry = std::move(g);
  return f;
}

// A tile near Songyang whose right neighbour lies in the same metatile, and its pixel → 4549 map.
struct Scene {
  geo::TileId tile;
  geo::BBox bbox;
  geo::Transform to_store{"EPSG:3857", "EPSG:4549"};

  Scene() {
    tile = geo::tile_at(geo::lonlat_to_mercator({119.48, 28.45}), kZ);
    if (tile.x % 4 == 3) --tile.x;
    bbox = geo::tile_bbox(tile);
  }
  // Pixel of tile `tile` (may lie outside [0,256)) → store coordinates.
  geo::Coord at(double px, double py) const {
    const double span = bbox.width();
    return to_store.apply(geo::Coord{bbox.min_x + px / 256 * span, bbox.max_y - py / 256 * span});
  }
};

struct Fixture {
  Scene scene;
  std::filesystem::path path;
  std::unique_ptr<store::ServingIndex> index;

  explicit Fixture(const std::string& name, const std::function<void(store::FeatureStore&, const Scene&)>& fill) {
    path = test::scratch_dir(name) / "t.gpkg";
    {
      auto s = store::FeatureStore::create(path, catalog());
      s.begin();
      fill(s, scene);
      s.commit();
    }
    auto s = store::FeatureStore::open(path.string(), catalog(), store::FeatureStore::Mode::read_only);
    index = store::ServingIndex::load(s);
  }
};

struct Image {
  render::DecodedPng png;
  std::array<int, 4> px(int x, int y) const {
    const auto* p = reinterpret_cast<const unsigned char*>(png.rgba.data()) + (static_cast<std::size_t>(y) * png.width + x) * 4;
    return {p[0], p[1], p[2], p[3]};
  }
};

Image decode(const std::string& bytes) { return Image{render::decode_png(bytes)}; }

void check_colour(const Image& img, int x, int y, const style::Color& c, int tolerance = 3) {
  const auto p = img.px(x, y);
  INFO("pixel " << x << "," << y << " = " << p[0] << "," << p[1] << "," << p[2] << " expected " << style::to_string(c));
  CHECK(std::abs(p[0] - static_cast<int>(std::lround(c.r * 255))) <= tolerance);
  CHECK(std::abs(p[1] - static_cast<int>(std::lround(c.g * 255))) <= tolerance);
  CHECK(std::abs(p[2] - static_cast<int>(std::lround(c.b * 255))) <= tolerance);
}

const style::StyleLayer& layer(const std::string& map, const std::string& id) {
  for (const auto& l : styles().find(map)->layers) {
    if (l.id == id) return l;
  }
  throw std::runtime_error("no layer " + id);
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void fill_basic(store::FeatureStore& s, const Scene& sc) {
  // A building centred at pixel (100, 140), 30 × 24 px; a river along x = 190.
  s.insert("buildings", make("buildings",
                             {{"building_id", std::string("B1")}, {"village_code", std::string(kVillage)},
                              {"use", std::string("residential")}, {"structure", std::string("wood")}, {"floors", std::int64_t{2}}},
                             geo::Geometry::polygon({sc.at(85, 128), sc.at(115, 128), sc.at(115, 152), sc.at(85, 152)})));
  s.insert("rivers", make("rivers", {{"village_code", std::string(kVillage)}, {"class", std::string("river")}},
                          geo::Geometry::line({sc.at(190, 40), sc.at(190, 140), sc.at(190, 240)})));
  // A named POI exactly on the tile's right edge: its label straddles the edge.
  s.insert("pois", make("pois", {{"village_code", std::string(kVillage)}, {"name", std::string("跨界古樟树标签")},
                                 {"class", std::string("ancient_tree")}, {"kind", std::string("natural")}},
                        geo::Geometry::point(sc.at(256, 40))));
}

}  // namespace

TEST_CASE("a tile is a PNG showing the style's colours where features lie", "[render]") {
  Fixture fx("render-basic", fill_basic);
  const render::MapRenderer renderer(styles(), nullptr);
  const auto& b_layer = layer("terrain", "buildings");
  std::vector<store::ServedFeaturePtr> buildings;
  fx.index->query("buildings", fx.scene.bbox, buildings);
  REQUIRE(buildings.size() == 1);
  const style::EvalContext ctx{double(kZ), &buildings[0]->feature, geo::GeometryKind::polygon};
  const auto& fill = std::get<style::FillSymbolizer>(b_layer.symbolizer);
  REQUIRE(fill.opacity.evaluate(ctx) == Approx(1));
  const style::Color building = fill.color.evaluate(ctx);
  const auto& river_sym = std::get<style::LineSymbolizer>(layer("terrain", "rivers").symbolizer);
  std::vector<store::ServedFeaturePtr> rivers;
  fx.index->query("rivers", fx.scene.bbox, rivers);
  REQUIRE(rivers.size() == 1);
  const style::EvalContext rctx{double(kZ), &rivers[0]->feature, geo::GeometryKind::line};
  const style::Color river = river_sym.color.evaluate(rctx);
  REQUIRE(river_sym.width.evaluate(rctx) >= 3);
  const style::Color paper = std::get<style::BackgroundSymbolizer>(layer("terrain", "background").symbolizer).color.constant();

  for (int scale : {1, 2}) {
    INFO("scale " << scale);
    const std::string bytes = render::render_tile_png(renderer, *fx.index, {"terrain"}, fx.scene.tile, scale);
    write_file((test::scratch_dir("render-tile") / ("tile@" + std::to_string(scale) + "x.png")).string(), bytes);
    const Image img = decode(bytes);
    REQUIRE(img.png.width == 256 * scale);
    REQUIRE(img.png.height == 256 * scale);
    CHECK(img.png.color_type == 2);  // opaque: RGB
    check_colour(img, 100 * scale, 140 * scale, building);
    check_colour(img, 92 * scale, 134 * scale, building);
    check_colour(img, 190 * scale, 100 * scale, river);
    check_colour(img, 190 * scale, 200 * scale, river);
    check_colour(img, 30 * scale, 220 * scale, paper);
    check_colour(img, 140 * scale, 100 * scale, paper);
  }

  SECTION("palette output decodes to nearly the same picture") {
    render::PngOptions opts;
    opts.palette = true;
    const Image img = decode(render::render_tile_png(renderer, *fx.index, {"terrain"}, fx.scene.tile, 1, opts));
    CHECK(img.png.color_type == 3);
    check_colour(img, 100, 140, building, 12);
    check_colour(img, 190, 100, river, 12);
  }
  SECTION("an unknown map is a request error; the access filter hides features") {
    CHECK_THROWS_AS(render::render_tile_png(renderer, *fx.index, {"nomap"}, fx.scene.tile, 1), RequestError);
    // The renderer draws what its feature source gives: a server's scoped reader leaves out what
    // the caller may not see, as this source leaves out the buildings.
    struct WithoutBuildings final : store::FeatureSource {
      const store::FeatureSource& inner;
      explicit WithoutBuildings(const store::FeatureSource& i) : inner(i) {}
      void query(std::string_view cls, const geo::BBox& box, std::vector<store::ServedFeaturePtr>& out) const override {
        if (cls != "buildings") inner.query(cls, box, out);
      }
    } source(*fx.index);
    const Image img = decode(render::render_tile_png(renderer, source, {"terrain"}, fx.scene.tile, 1));
    check_colour(img, 100, 140, paper);
  }
}

TEST_CASE("a label straddling a tile edge is drawn identically in both tiles", "[render][labels]") {
  Fixture fx("render-labels", fill_basic);
  const render::MapRenderer renderer(styles(), nullptr);
  const geo::TileId a = fx.scene.tile;
  const geo::TileId b{a.z, a.x + 1, a.y};
  const Image ia = decode(render::render_tile_png(renderer, *fx.index, {"terrain"}, a, 1));
  const Image ib = decode(render::render_tile_png(renderer, *fx.index, {"terrain"}, b, 1));

  // The same two tiles as one canvas with the same label space (their metatile).
  render::RenderRequest both;
  both.features = fx.index.get();
  both.maps = {"terrain"};
  both.extent = geo::BBox{geo::tile_bbox(a).min_x, geo::tile_bbox(a).min_y, geo::tile_bbox(b).max_x, geo::tile_bbox(a).max_y};
  both.width_px = 512;
  both.height_px = 256;
  both.zoom = kZ;
  const int m = render::metatile_size(kZ);
  const geo::BBox first = geo::tile_bbox({kZ, a.x / m * m, a.y / m * m});
  const geo::BBox last = geo::tile_bbox({kZ, a.x / m * m + m - 1, a.y / m * m + m - 1});
  both.label_extent = geo::BBox{first.min_x, last.min_y, last.max_x, first.max_y};
  const Image wide = decode(render::render_png(renderer, both, {}));

  const auto labels = renderer.labels(both);
  REQUIRE(labels.size() == 1);
  CHECK(labels[0].text == "跨界古樟树标签");
  CHECK(labels[0].box.min_x < 256);
  CHECK(labels[0].box.max_x > 256);

  // Text pixels (dark) on both sides of the edge, in the label's rows.
  auto dark_in = [](const Image& img, int x0, int x1, int y0, int y1) {
    int n = 0;
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const auto p = img.px(x, y);
        if (p[0] + p[1] + p[2] < 300) ++n;
      }
    }
    return n;
  };
  const int y0 = static_cast<int>(labels[0].box.min_y), y1 = static_cast<int>(std::ceil(labels[0].box.max_y));
  CHECK(dark_in(ia, 200, 256, y0, y1) > 10);
  CHECK(dark_in(ib, 0, 56, y0, y1) > 10);

  // Stitched tiles equal the wide canvas, pixel for pixel, in the strips either side of the edge.
  int worst = 0;
  for (int y = 0; y < 256; ++y) {
    for (int x = 0; x < 512; ++x) {
      const auto w = wide.px(x, y);
      const auto t = x < 256 ? ia.px(x, y) : ib.px(x - 256, y);
      for (int c = 0; c < 4; ++c) worst = std::max(worst, std::abs(w[c] - t[c]));
    }
  }
  CHECK(worst <= 1);
}

TEST_CASE("labels never overlap, and crowded labels are dropped", "[render][labels]") {
  Fixture fx("render-crowd", [](store::FeatureStore& s, const Scene& sc) {
    for (int i = 0; i < 30; ++i) {
      s.insert("pois", make("pois", {{"village_code", std::string(kVillage)}, {"name", "文化礼堂" + std::to_string(i)},
                                     {"class", std::string("culture_hall")}, {"kind", std::string("cultural")}},
                            geo::Geometry::point(sc.at(60 + (i % 6) * 25, 60 + (i / 6) * 20))));
    }
    s.insert("roads", make("roads", {{"village_code", std::string(kVillage)}, {"name", std::string("松玉线县道")},
                                     {"class", std::string("county")}},
                           geo::Geometry::line({sc.at(-100, 205), sc.at(100, 215), sc.at(250, 208), sc.at(400, 220)})));
  });
  const render::MapRenderer renderer(styles(), nullptr);
  render::RenderRequest r;
  r.features = fx.index.get();
  r.maps = {"terrain"};
  r.extent = fx.scene.bbox;
  r.zoom = kZ;
  const auto labels = renderer.labels(r);
  CHECK(labels.size() > 3);
  CHECK(labels.size() < 31);
  bool road_label = false;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    road_label = road_label || labels[i].text == "松玉线县道";
    CHECK(labels[i].box.min_x >= 0);
    CHECK(labels[i].box.max_x <= 256);
    for (std::size_t j = i + 1; j < labels.size(); ++j) {
      const auto& p = labels[i].box;
      const auto& q = labels[j].box;
      const bool overlap = p.min_x < q.max_x && q.min_x < p.max_x && p.min_y < q.max_y && q.min_y < p.max_y;
      INFO(labels[i].text << " vs " << labels[j].text);
      CHECK_FALSE(overlap);
    }
  }
  CHECK(road_label);
  write_file((test::scratch_dir("render-crowd") / "crowd.png").string(), render::render_png(renderer, r, {}));
}

TEST_CASE("hillshade shows relief where a DEM exists", "[render][relief]") {
  Fixture fx("render-relief", [](store::FeatureStore&, const Scene&) {});
  // A DEM (EPSG:4549, 5 m cells) of ridges around the tile.
  const geo::Coord sw = fx.scene.at(-64, 320), ne = fx.scene.at(320, -64);
  const auto dem_dir = fx.path.parent_path() / "t.dem";
  std::filesystem::create_directories(dem_dir);
  const auto tif = store::relief_path(dem_dir, kVillage);
  {
    store::ensure_gdal_registered();
    const double cell = 5;
    const int nx = static_cast<int>((ne.x - sw.x) / cell), ny = static_cast<int>((ne.y - sw.y) / cell);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), tif.string().c_str(), nx, ny, 1, GDT_Float32, nullptr);
    REQUIRE(ds);
    double gt[6] = {sw.x, cell, 0, ne.y, 0, -cell};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(srs, 4549);
    char* wkt = nullptr;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    std::vector<float> z(static_cast<std::size_t>(nx) * ny);
    for (int y = 0; y < ny; ++y) {
      for (int x = 0; x < nx; ++x) z[static_cast<std::size_t>(y) * nx + x] = static_cast<float>(300 + 60 * std::sin(x * cell / 40.0) * std::cos(y * cell / 55.0));
    }
    REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, nx, ny, z.data(), nx, ny, GDT_Float32, 0, 0) == CE_None);
    GDALClose(ds);
  }
  const auto relief = render::ReliefSource::load_directory(dem_dir);
  REQUIRE(relief->size() == 1);
  CHECK(relief->extent().intersects(fx.scene.bbox));

  auto spread = [](const Image& img) {
    double sum = 0, sum2 = 0;
    const int n = img.png.width * img.png.height;
    for (int y = 0; y < img.png.height; ++y) {
      for (int x = 0; x < img.png.width; ++x) {
        const auto p = img.px(x, y);
        const double l = 0.3 * p[0] + 0.59 * p[1] + 0.11 * p[2];
        sum += l;
        sum2 += l * l;
      }
    }
    return std::sqrt(std::max(0.0, sum2 / n - (sum / n) * (sum / n)));
  };
  const render::MapRenderer flat(styles(), nullptr);
  const render::MapRenderer shaded(styles(), relief.get());
  const std::string bytes = render::render_tile_png(shaded, *fx.index, {"terrain"}, fx.scene.tile, 1);
  write_file((test::scratch_dir("render-hillshade") / "hillshade.png").string(), bytes);
  CHECK(spread(decode(render::render_tile_png(flat, *fx.index, {"terrain"}, fx.scene.tile, 1))) < 0.01);
  CHECK(spread(decode(bytes)) > 5);
  // Outside the DEM nothing is shaded.
  const geo::TileId far{kZ, fx.scene.tile.x + 8, fx.scene.tile.y};
  CHECK(spread(decode(render::render_tile_png(shaded, *fx.index, {"terrain"}, far, 1))) < 0.01);

  // A relief cache (the atlas keeps one per village) shades an extent once and draws the very
  // same pixels as shading anew, at the sheets' coarser hillshade grid too.
  render::RenderRequest req;
  req.maps = {"terrain"};
  req.extent = fx.scene.bbox;
  req.zoom = render::zoom_for(req.extent, req.width_px, req.scale);
  req.features = &*fx.index;
  req.hillshade_resolution = 0.5;
  const std::string uncached = render::render_png(shaded, req);
  CHECK(spread(decode(uncached)) > 5);
  render::ReliefCache cache;
  req.relief_cache = &cache;
  CHECK(render::render_png(shaded, req) == uncached);
  CHECK(render::render_png(shaded, req) == uncached);
  CHECK(cache.size() == 1);
  req.extent = fx.scene.bbox.buffered(fx.scene.bbox.width() / 4);  // another sheet: shaded anew
  req.relief_cache = nullptr;
  const std::string other = render::render_png(shaded, req);
  req.relief_cache = &cache;
  CHECK(render::render_png(shaded, req) == other);
  CHECK(cache.size() == 2);
}

TEST_CASE("tiles render the same from many threads at once", "[render]") {
  Fixture fx("render-threads", fill_basic);
  const render::MapRenderer renderer(styles(), nullptr);
  std::vector<geo::TileId> tiles;
  for (std::uint32_t dx = 0; dx < 4; ++dx) {
    for (std::uint32_t dy = 0; dy < 2; ++dy) tiles.push_back({kZ, fx.scene.tile.x - 1 + dx, fx.scene.tile.y + dy});
  }
  std::vector<std::string> expected;
  for (const auto& t : tiles) expected.push_back(render::render_tile_png(renderer, *fx.index, {"terrain"}, t, 1));
  std::vector<std::string> got(tiles.size() * 4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (std::size_t i = 0; i < tiles.size(); ++i) got[k * tiles.size() + i] = render::render_tile_png(renderer, *fx.index, {"terrain"}, tiles[i], 1);
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == expected[i % tiles.size()]);
}

// Not a test: prints tile render speed and PNG encoder numbers over the sample (or $MINQING_BENCH_STORE).
TEST_CASE("render benchmark", "[.][bench]") {
  const char* env = std::getenv("MINQING_BENCH_STORE");
  const std::string path = env ? env : test::sample_store().string();
  auto s = store::FeatureStore::open(path, catalog(), store::FeatureStore::Mode::read_only);
  const auto index = store::ServingIndex::load(s);
  const auto relief = render::ReliefSource::load_directory(s.relief_directory());
  const render::MapRenderer renderer(styles(), relief.get());
  const geo::BBox ext = index->extent();
  using clock = std::chrono::steady_clock;
  for (const std::vector<std::string>& maps : {std::vector<std::string>{"terrain"}, std::vector<std::string>{"terrain", "disaster"}}) {
    for (int z = 14; z <= 18; ++z) {
      const auto t0 = geo::tile_at({ext.min_x, ext.max_y}, z), t1 = geo::tile_at({ext.max_x, ext.min_y}, z);
      int n = 0;
      std::size_t bytes = 0;
      const auto start = clock::now();
      for (auto y = t0.y; y <= t1.y && n < 400; ++y) {
        for (auto x = t0.x; x <= t1.x && n < 400; ++x) {
          bytes += render::render_tile_png(renderer, *index, maps, {z, x, y}, 1).size();
          ++n;
        }
      }
      const double secs = std::chrono::duration<double>(clock::now() - start).count();
      std::printf("%-16s z%d: %4d tiles, %7.1f tiles/s, %6.2f ms/tile, %6zu B/tile\n", (maps.size() > 1 ? "terrain,disaster" : "terrain"), z, n,
                  n / secs, 1000 * secs / n, bytes / std::max(n, 1));
    }
  }
  // PNG encoder settings on z16 tiles.
  const int z = 16;
  const auto t0 = geo::tile_at({ext.min_x, ext.max_y}, z), t1 = geo::tile_at({ext.max_x, ext.min_y}, z);
  std::vector<render::SurfacePtr> surfaces;
  for (auto y = t0.y; y <= t1.y; ++y) {
    for (auto x = t0.x; x <= t1.x; ++x) {
      render::RenderRequest r;
      r.features = index.get();
      r.maps = {"terrain"};
      r.extent = geo::tile_bbox({z, x, y});
      r.zoom = z;
      auto surf = render::make_image_surface(256, 256);
      auto cr = render::make_context(surf.get());
      renderer.draw(cr.get(), r);
      cairo_surface_flush(surf.get());
      surfaces.push_back(std::move(surf));
    }
  }
  struct Setting {
    const char* name;
    render::PngOptions o;
  };
  std::vector<Setting> settings = {
      {"none   level 1", {1, render::PngFilter::none, false}}, {"sub    level 1", {1, render::PngFilter::sub, false}},
      {"sub    level 2", {2, render::PngFilter::sub, false}},  {"sub    level 3", {3, render::PngFilter::sub, false}},
      {"up     level 2", {2, render::PngFilter::up, false}},   {"paeth  level 2", {2, render::PngFilter::paeth, false}},
      {"all    level 6", {6, render::PngFilter::all, false}},  {"all    level 9", {9, render::PngFilter::all, false}},
      {"none   level 2", {2, render::PngFilter::none, false}}, {"none   level 3", {3, render::PngFilter::none, false}},
      {"none   level 4", {4, render::PngFilter::none, false}}, {"none   level 6", {6, render::PngFilter::none, false}},
      {"sub    level 6", {6, render::PngFilter::sub, false}}, {"palette level 2", {2, render::PngFilter::none, true}},
      {"palette level 6", {6, render::PngFilter::none, true}},
      {"libdeflate none 1", {4, render::PngFilter::none, false, 1}}, {"libdeflate none 2", {4, render::PngFilter::none, false, 2}},
      {"libdeflate none 3", {4, render::PngFilter::none, false, 3}}, {"libdeflate none 4", {4, render::PngFilter::none, false, 4}},
      {"libdeflate none 6", {4, render::PngFilter::none, false, 6}}, {"libdeflate sub  1", {4, render::PngFilter::sub, false, 1}},
      {"libdeflate sub  3", {4, render::PngFilter::sub, false, 3}},  {"libdeflate up   1", {4, render::PngFilter::up, false, 1}},
      {"libdeflate up   3", {4, render::PngFilter::up, false, 3}},
  };
  for (const auto& st : settings) {
    std::size_t bytes = 0;
    const auto start = clock::now();
    for (int rep = 0; rep < 3; ++rep) {
      for (const auto& surf : surfaces) {
        bytes += render::encode_png(cairo_image_surface_get_data(surf.get()), 256, 256, cairo_image_surface_get_stride(surf.get()), st.o).size();
      }
    }
    const double n = 3.0 * static_cast<double>(surfaces.size());
    const double secs = std::chrono::duration<double>(clock::now() - start).count();
    std::printf("png %-16s %6.3f ms/tile %7.0f B/tile (%zu z16 tiles)\n", st.name, 1000 * secs / n, bytes / n, surfaces.size());
  }
}
