// The hillshade alone (issue 12): ReliefSource::render_hillshade over the metatiles of a tile list,
// cut into bands as the server draws them (render/metatile.cpp: one band per drawing thread), on
// one thread, without cairo, the features or PNG encoding. What a change to the per-pixel work
// costs or saves, with less noise than a cold run of the server.
//
// Prints the CPU time per metatile (the thread's, not the wall clock: the machine is shared; best of
// --reps passes over the list, and the median), the pixels
// the shading wrote, and an FNV-1a hash of every canvas: two builds that print the same hash shade
// the same bytes.
//
//   hillshade_bench DEM_DIR TILES [--reps 7] [--bands 2] [--scale 1] [--cropped] [--isa baseline|avx2]
//
// DEM_DIR: the village DEMs (bench/out/tile/county20.dem); TILES: lines "z x y" (bench/tile_list.py
// or the cold run's tiles.txt). --cropped times shade_cropped (the canvas cleared, shaded and
// cropped, as the server's shaded relief cache does on a miss) instead of render_hillshade onto a
// cleared canvas. --isa: the per-pixel stages' instructions (render/hillshade_kernel.hpp; default:
// the best the CPU has).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <tuple>

#include <time.h>
#include <vector>

#include "geo/tile.hpp"
#include "render/hillshade_kernel.hpp"
#include "render/metatile.hpp"
#include "render/relief_source.hpp"
#include "render/shaded_relief_cache.hpp"
#include "render/tile_footprint.hpp"

using namespace minqing;
namespace {

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

struct Band {
  geo::BBox extent;
  int width = 0;
  int height = 0;
  render::HillshadeParams params;
};

std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: hillshade_bench DEM_DIR TILES [--reps 7] [--bands 2] [--scale 1] [--cropped] [--isa baseline|avx2]\n");
    return 2;
  }
  int reps = 7, bands = 2, scale = 1;
  bool cropped = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (a == "--bands" && i + 1 < argc) bands = std::atoi(argv[++i]);
    else if (a == "--scale" && i + 1 < argc) scale = std::atoi(argv[++i]);
    else if (a == "--cropped") cropped = true;
    else if (a == "--isa" && i + 1 < argc) {
      const std::string isa = argv[++i];
      render::set_kernel_isa(isa == "avx2" ? render::KernelIsa::avx2 : render::KernelIsa::baseline);
    }
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  const auto relief = render::ReliefSource::load_directory(argv[1]);
  std::set<std::tuple<int, std::uint32_t, std::uint32_t>> metatiles;
  {
    std::ifstream in(argv[2]);
    int z = 0;
    std::uint32_t x = 0, y = 0;
    while (in >> z >> x >> y) {
      const geo::TileId o = render::metatile_origin({z, x, y});
      metatiles.insert({o.z, o.x, o.y});
    }
  }
  // The bands of each metatile as render_metatile_pngs cuts them (whole rows of tiles), with the
  // terrain style's exaggeration at the metatile's zoom.
  std::vector<Band> work;
  for (const auto& [z, x, y] : metatiles) {
    const int m = render::metatile_size(z);
    const int b = std::max(1, std::min(bands, m));
    const int rows = m / b;
    const int tile_px = 256 * scale;
    for (int j = 0; j < b; ++j) {
      const geo::BBox top = geo::tile_bbox({z, x, y + static_cast<std::uint32_t>(j * rows)});
      const geo::BBox bottom = geo::tile_bbox(
          {z, x + static_cast<std::uint32_t>(m - 1), y + static_cast<std::uint32_t>(j * rows + rows - 1)});
      Band band;
      band.extent = geo::BBox{top.min_x, bottom.min_y, bottom.max_x, top.max_y};
      band.width = tile_px * m;
      band.height = tile_px * rows;
      band.params.exaggeration = z <= 14 ? 0.45 : (z >= 17 ? 0.35 : 0.45 - (z - 14) * (0.10 / 3));
      band.params.shadow = style::Color{0x3b / 255.0, 0x4a / 255.0, 0x3a / 255.0, 1};
      band.params.highlight = style::Color{1, 0xfd / 255.0, 0xf2 / 255.0, 1};
      band.params.accent = style::Color{0x2f / 255.0, 0x3a / 255.0, 0x2e / 255.0, 1};
      work.push_back(band);
    }
  }
  std::vector<std::uint32_t> canvas;
  std::uint64_t hash = 1469598103934665603ULL;
  std::size_t shaded = 0;
  std::vector<double> pass_ms;
  for (int r = 0; r <= reps; ++r) {  // pass 0 reads the DEMs and computes their gradients: untimed
    const double t0 = thread_cpu_ms();
    for (const Band& b : work) {
      if (cropped) {
        const render::ShadedReliefPtr img = render::shade_cropped(*relief, b.extent, b.width, b.height, b.params);
        if (r == 0 && img) {
          hash = fnv(hash, &img->x, sizeof img->x);
          hash = fnv(hash, &img->y, sizeof img->y);
          hash = fnv(hash, img->pixels.data(), img->bytes());
        }
      } else {
        canvas.assign(static_cast<std::size_t>(b.width) * b.height, 0);
        relief->render_hillshade(b.extent, b.width, b.height, b.params, reinterpret_cast<std::uint8_t*>(canvas.data()),
                                 b.width * 4);
        if (r == 0) {
          hash = fnv(hash, canvas.data(), canvas.size() * 4);
          shaded += static_cast<std::size_t>(std::count_if(canvas.begin(), canvas.end(), [](std::uint32_t v) { return v != 0; }));
        }
      }
    }
    if (r > 0) pass_ms.push_back(thread_cpu_ms() - t0);
  }
  std::sort(pass_ms.begin(), pass_ms.end());
  const double n = static_cast<double>(metatiles.size());
  std::printf("metatiles=%zu bands=%zu non_transparent_px=%zu hash=%016llx\n", metatiles.size(), work.size(), shaded,
              static_cast<unsigned long long>(hash));
  std::printf("RESULT mode=%s isa=%s cpu_ms_per_metatile_best=%.3f cpu_ms_per_metatile_median=%.3f passes=%d\n",
              cropped ? "cropped" : "render", render::kernel_isa() == render::KernelIsa::avx2 ? "avx2" : "baseline", pass_ms.front() / n, pass_ms[pass_ms.size() / 2] / n, reps);
  return 0;
}
