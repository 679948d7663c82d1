#pragma once
// The per-pixel shading of the hillshade (ReliefSource::render_hillshade): from a pixel's terrain
// gradient to its premultiplied shadow, highlight and steep-slope accent colour. It is most of the
// relief's cost, which was a third of a cold composite tile (issue 12 part 3), so it runs on spans
// of pixels, four at a time with SSE2 where the compiler targets it, in single precision.
//
// Every pixel is computed by the same sequence of IEEE single-precision operations whether it falls
// in a group of four or in the scalar tail (no fused multiply-add on the baseline x86-64 target),
// so a pixel's colour does not depend on where its span starts: a tile drawn alone and the same
// tile cut from its metatile, or from a band of it, shade it alike.

#include <cstddef>
#include <cstdint>

#include "render/relief_source.hpp"

namespace minqing::render {

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

}  // namespace minqing::render
