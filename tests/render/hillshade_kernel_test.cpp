// Issue 12 part 3: the hillshade's per-pixel shading, four pixels at a time (render/hillshade_kernel.hpp).

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "render/hillshade_kernel.hpp"

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
