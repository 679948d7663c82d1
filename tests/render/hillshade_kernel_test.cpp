// Issue 12 part 3: the hillshade's per-pixel shading, four pixels at a time (render/hillshade_kernel.hpp).
// Issue 12 (session 11): the AVX2 stages chosen at run time shade the bytes of the baseline ones.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "geo/tile.hpp"
#include "render/hillshade_kernel.hpp"
#include "render/relief_source.hpp"
#include "render/tile_footprint.hpp"
#include "store/raster_file.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

struct Shaded {
  std::vector<float> a, r, g, b;
  std::vector<std::uint32_t> argb;
  explicit Shaded(std::size_t n) : a(n), r(n), g(n), b(n), argb(n) {}
  render::ShadedSpan span(std::size_t at = 0) { return {a.data() + at, r.data() + at, g.data() + at, b.data() + at, argb.data() + at}; }
};

// Gradients from flat to cliffs (slopes up to ~80°), every direction.
void gradients(std::size_t n, std::vector<float>& gx, std::vector<float>& gy) {
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> d(-6.0f, 6.0f);
  gx.resize(n);
  gy.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float s = (i % 3 == 0) ? 0.05f : (i % 3 == 1 ? 0.4f : 1.0f);  // gentle, steep, cliffs
    gx[i] = d(rng) * s;
    gy[i] = d(rng) * s;
  }
}

// Restores the kernel's instruction set when a test ends, passed or not.
struct IsaGuard {
  render::KernelIsa saved = render::kernel_isa();
  ~IsaGuard() { render::set_kernel_isa(saved); }
};

bool same_float(float a, float b) {
  // NaN marks a pixel left alone; its payload is no output of the shading.
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

// The sample county's village DEMs (data-samples/, as `minqing serve` reads them) with no-data
// punched in: a block amid the first village, its whole west column and north row, and a sprinkle
// of single cells in the second, so that the shading meets no-data edges inside and at the border
// of a grid.
std::unique_ptr<render::ReliefSource> sample_relief_with_holes() {
  const auto dir = test::sample_store().parent_path() / (test::sample_store().stem().string() + ".dem");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".tif") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 2);
  std::vector<render::ReliefSource::Grid> grids;
  std::mt19937 rng(11);
  for (std::size_t f = 0; f < files.size(); ++f) {
    store::Raster r = store::read_raster(files[f]);
    REQUIRE(r.geotransform);
    render::ReliefSource::Grid g;
    g.crs = r.crs.empty() ? "EPSG:4549" : r.crs;
    g.origin_x = (*r.geotransform)[0];
    g.origin_y = (*r.geotransform)[3];
    g.cell_x = (*r.geotransform)[1];
    g.cell_y = -(*r.geotransform)[5];
    g.nx = r.width;
    g.ny = r.height;
    g.z = std::move(r.values);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    auto at = [&](int x, int y) -> float& { return g.z[static_cast<std::size_t>(y) * g.nx + x]; };
    if (f == 0) {
      for (int y = g.ny / 3; y < g.ny / 2; ++y) {
        for (int x = g.nx / 3; x < g.nx / 2; ++x) at(x, y) = nan;
      }
      for (int y = 0; y < g.ny; ++y) at(0, y) = nan;
      for (int x = 0; x < g.nx; ++x) at(x, 0) = nan;
    } else if (f == 1) {
      std::uniform_int_distribution<int> px(0, g.nx - 1), py(0, g.ny - 1);
      for (int k = 0; k < 200; ++k) at(px(rng), py(rng)) = nan;
    }
    grids.push_back(std::move(g));
  }
  return render::ReliefSource::from_grids(std::move(grids));
}

}  // namespace

TEST_CASE("hillshade kernel: a pixel shades alike in a group of four and alone", "[render][relief]") {
  // A tile drawn alone and the same tile cut from its metatile put a pixel at different places of
  // its span: its colour must not depend on that.
  render::HillshadeParams p;
  p.z_factor = 1.5;
  const render::ShadeConstants c(p);
  std::vector<float> gx, gy;
  const std::size_t n = 1001;
  gradients(n, gx, gy);
  Shaded all(n), one(n);
  render::shade_span(c, gx.data(), gy.data(), n, all.span());
  for (std::size_t i = 0; i < n; ++i) render::shade_span(c, gx.data() + i, gy.data() + i, 1, one.span(i));
  for (std::size_t i = 0; i < n; ++i) {
    INFO("pixel " << i << " gradient " << gx[i] << ", " << gy[i]);
    CHECK(all.argb[i] == one.argb[i]);
    CHECK(all.a[i] == one.a[i]);
    CHECK(all.r[i] == one.r[i]);
  }
}

TEST_CASE("hillshade kernel: single precision shades as the double-precision formula", "[render][relief]") {
  // The formula the kernel replaced (ReliefSource::render_hillshade before issue 12 part 3), in
  // double: the bytes may differ by one level where a value lies at a rounding edge, never more.
  render::HillshadeParams p;
  p.accent = style::Color{0.3, 0.1, 0.0, 0.8};
  p.shadow = style::Color{0.1, 0.1, 0.3, 1};
  const render::ShadeConstants c(p);
  std::vector<float> gx, gy;
  const std::size_t n = 3000;
  gradients(n, gx, gy);
  Shaded s(n);
  render::shade_span(c, gx.data(), gy.data(), n, s.span());
  const double d2r = std::acos(-1.0) / 180, alt = p.altitude_deg * d2r, flat = std::sin(alt);
  int worst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = gx[i] * p.z_factor, dy = gy[i] * p.z_factor;
    const double g2 = dx * dx + dy * dy;
    double lit = 0;
    for (auto [off, w] : {std::pair{0.0, 0.6}, std::pair{-60.0, 0.2}, std::pair{60.0, 0.2}}) {
      const double az = (p.azimuth_deg + off) * d2r;
      lit += w * std::max(0.0, std::sin(alt) - dx * std::sin(az) * std::cos(alt) - dy * std::cos(az) * std::cos(alt));
    }
    const double delta = lit / std::sqrt(g2 + 1) - flat;
    const style::Color& col = delta < 0 ? p.shadow : p.highlight;
    const double alpha = std::min(1.0, std::fabs(delta) * (delta < 0 ? 1.25 / flat : 1.25 / (1 - flat))) * p.exaggeration * col.a;
    const double slope = std::atan(std::sqrt(g2)) * 180 / std::acos(-1.0);
    const double acc = std::clamp((slope - 30) / 30, 0.0, 1.0) * 0.5 * p.exaggeration * p.accent.a;
    const double want[4] = {acc + alpha * (1 - acc), p.accent.r * acc + col.r * alpha * (1 - acc),
                            p.accent.g * acc + col.g * alpha * (1 - acc), p.accent.b * acc + col.b * alpha * (1 - acc)};
    for (int k = 0; k < 4; ++k) {
      const int got = static_cast<int>((s.argb[i] >> (24 - 8 * k)) & 255);
      worst = std::max(worst, std::abs(got - static_cast<int>(std::lround(std::clamp(want[k], 0.0, 1.0) * 255))));
    }
  }
  CHECK(worst <= 1);
}

TEST_CASE("hillshade kernel: AVX2 interpolation reads the gradients of the baseline, at grid edges and no-data too",
          "[render][relief][hillshade]") {
  IsaGuard guard;
  if (render::set_kernel_isa(render::KernelIsa::avx2) != render::KernelIsa::avx2) {
    WARN("this CPU has no AVX2: only the baseline stages run here");
    return;
  }
  // A small grid with no-data cells, and points inside, on its last row and column, just outside,
  // far outside and NaN or infinite (a transform that failed), some skipped.
  const int nx = 7, ny = 5;
  std::vector<float> gx(nx * ny), gy(nx * ny);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> value(-3.0f, 3.0f);
  for (std::size_t k = 0; k < gx.size(); ++k) {
    gx[k] = k % 11 == 3 ? std::numeric_limits<float>::quiet_NaN() : value(rng);
    gy[k] = k % 13 == 5 ? std::numeric_limits<float>::quiet_NaN() : value(rng);
  }
  const render::GradientGrid grid{gx.data(), gy.data(), nx, ny};
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> specials = {0.0, -0.0, nx - 1.0, ny - 1.0, nx - 1.0 + 1e-12, -1e-12, 3.5, 1e10, -1e10, inf, -inf, nan};
  std::uniform_real_distribution<double> coord(-1.0, nx + 0.5);
  std::vector<double> cx, cy;
  std::vector<std::uint8_t> skip;
  for (int i = 0; i < 2000; ++i) {
    cx.push_back(i % 7 == 0 ? specials[static_cast<std::size_t>(i / 7) % specials.size()] : coord(rng));
    cy.push_back(i % 5 == 0 ? specials[static_cast<std::size_t>(i / 5) % specials.size()] : coord(rng) * ny / nx);
    skip.push_back(i % 9 == 4 ? 1 : 0);
  }
  // Runs of points in one cell (a cell is 8-19 pixels at z17-z18), one run with a skipped point.
  for (int i = 0; i < 48; ++i) {
    cx.push_back(2.05 + i * 0.018);
    cy.push_back(1.5 + i * 0.001);
    skip.push_back(i == 30 ? 1 : 0);
  }
  const std::size_t n = cx.size() - 3;  // a tail after the groups of eight
  std::vector<float> base_x(n), base_y(n), avx_x(n), avx_y(n);
  render::set_kernel_isa(render::KernelIsa::baseline);
  render::interpolate_gradients(grid, cx.data(), cy.data(), skip.data(), n, base_x.data(), base_y.data());
  render::set_kernel_isa(render::KernelIsa::avx2);
  render::interpolate_gradients(grid, cx.data(), cy.data(), skip.data(), n, avx_x.data(), avx_y.data());
  int known = 0;
  for (std::size_t i = 0; i < n; ++i) {
    INFO("point " << i << " at " << cx[i] << ", " << cy[i] << (skip[i] ? " (skipped)" : ""));
    CHECK(same_float(base_x[i], avx_x[i]));
    CHECK(same_float(base_y[i], avx_y[i]));
    known += !std::isnan(base_x[i]) && !std::isnan(base_y[i]);
  }
  CHECK(known > 200);                       // many points fall inside, on real values
  CHECK(known < static_cast<int>(n) - 300);  // and many outside, skipped or on no-data
}

TEST_CASE("hillshade kernel: AVX2 stages shade real DEMs as the baseline, byte for byte", "[render][relief][hillshade]") {
  IsaGuard guard;
  if (render::set_kernel_isa(render::KernelIsa::avx2) != render::KernelIsa::avx2) {
    WARN("this CPU has no AVX2: only the baseline stages run here");
    return;
  }
  const auto relief = sample_relief_with_holes();
  const geo::BBox e = relief->extent();
  struct Window {
    std::string name;
    geo::BBox extent;
    int width, height;
  };
  std::vector<Window> windows;
  for (int z = 14; z <= 18; ++z) {
    const geo::TileId centre = geo::tile_at({(e.min_x + e.max_x) / 2, (e.min_y + e.max_y) / 2}, z);
    const geo::TileId corner = geo::tile_at({e.min_x, e.max_y}, z);  // the villages' north-west border
    windows.push_back({"tile " + std::to_string(z) + " centre", geo::tile_bbox(centre), 256, 256});
    windows.push_back({"tile " + std::to_string(z) + " north-west", geo::tile_bbox(corner), 256, 256});
    if (z == 16 || z == 18) {
      const geo::BBox m = render::metatile_bbox(corner);
      windows.push_back({"metatile band " + std::to_string(z), geo::BBox{m.min_x, (m.min_y + m.max_y) / 2, m.max_x, m.max_y}, 1024, 512});
    }
  }
  // Sizes that are no multiple of 8 or 16: tails of the groups, and spans past the last node pair.
  windows.push_back({"all villages, odd size", e, 999, 733});
  render::HillshadeParams p;
  p.exaggeration = 0.45;
  p.accent = style::Color{0.18, 0.23, 0.18, 1};
  std::size_t shaded = 0, blended = 0, total = 0;
  for (const Window& w : windows) {
    INFO(w.name);
    const std::size_t n = static_cast<std::size_t>(w.width) * w.height;
    // Onto transparent pixels (the symbolizer's own image), and onto a canvas of opaque, translucent
    // and transparent pixels (a sheet's drawing below the relief: the blend).
    std::vector<std::uint32_t> under(n);
    for (std::size_t i = 0; i < n; ++i) under[i] = i % 3 == 0 ? 0u : (i % 3 == 1 ? 0xff8090a0u : 0x80402010u);
    for (const bool over_drawing : {false, true}) {
      std::vector<std::uint32_t> base = over_drawing ? under : std::vector<std::uint32_t>(n, 0), avx = base;
      render::set_kernel_isa(render::KernelIsa::baseline);
      relief->render_hillshade(w.extent, w.width, w.height, p, reinterpret_cast<std::uint8_t*>(base.data()), w.width * 4);
      render::set_kernel_isa(render::KernelIsa::avx2);
      relief->render_hillshade(w.extent, w.width, w.height, p, reinterpret_cast<std::uint8_t*>(avx.data()), w.width * 4);
      std::size_t differ = 0, first = n;
      for (std::size_t i = 0; i < n; ++i) {
        if (base[i] != avx[i] && differ++ == 0) first = i;
        if (!over_drawing) shaded += base[i] != 0;
        if (over_drawing) blended += base[i] != under[i] && under[i] != 0;
      }
      INFO((over_drawing ? "over a drawing" : "onto transparent") << ": first differing pixel " << first % w.width << ", "
                                                                    << first / w.width);
      CHECK(differ == 0);
      total += n;
    }
  }
  CHECK(shaded > total / 8);  // the windows are mostly on the villages,
  CHECK(blended > 10000);     // the blend ran,
  CHECK(shaded < total / 2);  // and the holes, borders and outside were left alone
}
