#pragma once
// The per-pixel stages of the hillshade (ReliefSource::render_hillshade): a pixel's terrain gradient
// interpolated from its DEM's cells, from the gradient its premultiplied shadow, highlight and
// steep-slope accent colour, and that colour composited onto the canvas. They are most of the relief's cost, which was a third of a cold
// composite tile (issue 12 part 3), so they run on spans of pixels: four at a time with SSE2 (the
// baseline x86-64 target), eight at a time where the CPU has AVX2 (chosen at run time: the build
// stays generic x86-64).
//
// Every pixel is computed by the same sequence of IEEE single- and double-precision operations
// whichever way it goes (a group of eight, of four, or the scalar tail; no fused multiply-add: these
// files are compiled with -ffp-contract=off), so a pixel's colour depends neither on where its span
// starts nor on the CPU: a tile drawn alone and the same tile cut from its metatile, or from a band
// of it, shade it alike, and a server with AVX2 serves the bytes of one without.

#include <cstddef>
#include <cstdint>

#include "render/relief_source.hpp"

namespace minqing::render {

// The instructions the per-pixel stages use.
enum class KernelIsa {
  baseline,  // what the build targets: SSE2 on x86-64, plain C++ elsewhere
  avx2,      // eight pixels at a time, gradients read with AVX2 gathers
};

// The best this CPU runs, and what the stages use unless set_kernel_isa() chose otherwise.
KernelIsa best_kernel_isa() noexcept;
// What the stages use now.
KernelIsa kernel_isa() noexcept;
// Makes the stages use `isa`, or best_kernel_isa() if the CPU lacks it; returns what they use now.
// For tests and benchmarks, which compare the ways: the output is the same bytes either way.
// Thread-safe (a shading under way may mix the two ways, which changes none of its pixels).
KernelIsa set_kernel_isa(KernelIsa isa) noexcept;

// What shading needs from HillshadeParams, computed once per render.
struct ShadeConstants {
  float lx[3], ly[3], lz[3], w[3];  // three lights: direction and weight
  float flat = 0;                   // the shade of flat ground
  float shadow_scale = 0, highlight_scale = 0;
  float shadow_k = 0, highlight_k = 0;  // exaggeration × the colour's alpha
  float shadow[3], highlight[3], accent[3];
  float full_accent = 0;            // the accent's alpha from 60°
  float z_factor = 1;

  explicit ShadeConstants(const HillshadeParams& p);
};

// A span's shaded pixels: the premultiplied source (0..1) and the same as ARGB32 bytes.
struct ShadedSpan {
  float* a;
  float* r;
  float* g;
  float* b;
  std::uint32_t* argb;
};

// Shades n pixels from their gradients dzdx, dzdy (height units per CRS unit, before z_factor).
// Pixels whose gradient is NaN get unspecified values (the caller skips them).
void shade_span(const ShadeConstants& c, const float* dzdx, const float* dzdy, std::size_t n, const ShadedSpan& out);

// A DEM's gradients as the interpolation reads them: nx × ny cells, row-major from the north.
// Borrowed: the arrays must outlive the calls that read them.
struct GradientGrid {
  const float* gx = nullptr;  // dz/dx per cell, NaN where unknown
  const float* gy = nullptr;  // dz/dy
  int nx = 0;
  int ny = 0;
};

// The gradients of n pixels at cell coordinates (cx[i], cy[i]) (cell centres at integers),
// bilinear between the four cells around each, into gx[i], gy[i]; NaN where skip[i] != 0 or the
// point is not within [0, nx − 1] × [0, ny − 1] (a NaN coordinate included), and NaN propagated
// from a no-data cell. The cells' values are read only at those points.
void interpolate_gradients(const GradientGrid& grid, const double* cx, const double* cy, const std::uint8_t* skip,
                           std::size_t n, float* gx, float* gy);

// Composites n shaded pixels (from shade_span) onto `dst`, premultiplied ARGB32 (cairo's layout,
// native endian), OVER what is there: the pixels whose gradient gx[i], gy[i] is not NaN, each
// marked done[i] = 1 (done[i] must be 0 for them: the caller skipped done pixels, so their gradient
// is NaN); over a transparent pixel the source's own bytes (src.argb), over any other the blend
// rounded from double. A source of alpha 0 (or NaN) leaves the pixel as it is.
void composite_span(const float* gx, const float* gy, const ShadedSpan& src, std::size_t n, std::uint32_t* dst,
                    std::uint8_t* done);

}  // namespace minqing::render
