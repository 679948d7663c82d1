#include "render/hillshade_kernel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace minqing::render {

namespace {

// The slope accent's ramp, (slope° − 30) / 30, as a function of the squared gradient g2 on
// (tan² 30°, tan² 60°) = (1/3, 3), where it is needed (below it is 0, above it 1): a table with
// linear interpolation instead of atan and sqrt per pixel. Its error (< 1e-7 of the ramp) is far
// below half a level of 255.
class AccentRamp {
 public:
  AccentRamp() {
    for (int i = 0; i <= kSize; ++i) {
      const double g2 = kLow + (kHigh - kLow) * i / kSize;
      m_ramp[static_cast<std::size_t>(i)] = (std::atan(std::sqrt(g2)) * 180 / std::numbers::pi - 30) / 30;
    }
  }
  // @pre kLow < g2 < kHigh
  double operator()(double g2) const noexcept {
    const double f = (g2 - kLow) * kScale;
    const int i = std::min(static_cast<int>(f), kSize - 1);
    const double t = f - i;
    return m_ramp[static_cast<std::size_t>(i)] * (1 - t) + m_ramp[static_cast<std::size_t>(i) + 1] * t;
  }

  static constexpr double kLow = 1.0 / 3.0;  // tan² 30°
  static constexpr double kHigh = 3.0;       // tan² 60°

 private:
  static constexpr int kSize = 4096;
  static constexpr double kScale = kSize / (kHigh - kLow);
  std::array<double, kSize + 1> m_ramp{};
};

const AccentRamp& accent_ramp() {
  static const AccentRamp ramp;
  return ramp;
}

// The bounds as floats: a float g2 above kLowF is above 1/3 (kLowF rounds up), so ramp's
// precondition holds.
constexpr float kLowF = static_cast<float>(AccentRamp::kLow);
constexpr float kHighF = static_cast<float>(AccentRamp::kHigh);

// Each min and max written as the SSE instruction computes it (a < b ? a : b), so that the scalar
// tail and the groups of four agree bit for bit, NaN included.
inline float min_of(float a, float b) noexcept { return a < b ? a : b; }
inline float max_of(float a, float b) noexcept { return a > b ? a : b; }

inline std::uint32_t to_byte(float v) noexcept {
  return static_cast<std::uint32_t>(static_cast<int>(min_of(max_of(v * 255.0f, 0.0f), 255.0f) + 0.5f));
}

void shade_one(const ShadeConstants& c, float gx, float gy, const ShadedSpan& out, std::size_t i) {
  const float dx = gx * c.z_factor, dy = gy * c.z_factor;
  const float g2 = dx * dx + dy * dy;
  // Unit normal (-dx, -dy, 1) / norm; since 1/norm > 0 it factors out of each max(0, ·).
  const float inv = 1.0f / std::sqrt(g2 + 1.0f);
  float lit = 0.0f;
  for (int k = 0; k < 3; ++k) lit = lit + c.w[k] * max_of(c.lz[k] - dx * c.lx[k] - dy * c.ly[k], 0.0f);
  const float delta = lit * inv - c.flat;
  const bool shadow = delta < 0.0f;
  const float alpha = min_of(std::fabs(delta) * (shadow ? c.shadow_scale : c.highlight_scale), 1.0f) *
                      (shadow ? c.shadow_k : c.highlight_k);
  const float* col = shadow ? c.shadow : c.highlight;
  // Accent on steep ground (slopes above 30°, full from 60°).
  float acc = g2 >= kHighF ? c.full_accent : 0.0f;
  if (g2 > kLowF && g2 < kHighF) acc = static_cast<float>(accent_ramp()(g2)) * c.full_accent;
  // Source = accent over (shadow|highlight), premultiplied.
  const float keep = 1.0f - acc;
  const float sr = c.accent[0] * acc + col[0] * alpha * keep;
  const float sg = c.accent[1] * acc + col[1] * alpha * keep;
  const float sb = c.accent[2] * acc + col[2] * alpha * keep;
  const float sa = acc + alpha * keep;
  out.a[i] = sa;
  out.r[i] = sr;
  out.g[i] = sg;
  out.b[i] = sb;
  out.argb[i] = (to_byte(sa) << 24) | (to_byte(sr) << 16) | (to_byte(sg) << 8) | to_byte(sb);
}

}  // namespace

ShadeConstants::ShadeConstants(const HillshadeParams& p) {
  constexpr double d2r = std::numbers::pi / 180.0;
  const double alt = p.altitude_deg * d2r;
  const double flat_d = std::sin(alt);
  // Multidirectional-ish: the main light plus two weaker ones 60° to either side.
  const std::array<std::pair<double, double>, 3> lights{{{0.0, 0.6}, {-60.0, 0.2}, {60.0, 0.2}}};
  for (std::size_t k = 0; k < 3; ++k) {
    const double az = (p.azimuth_deg + lights[k].first) * d2r;
    lx[k] = static_cast<float>(std::sin(az) * std::cos(alt));
    ly[k] = static_cast<float>(std::cos(az) * std::cos(alt));
    lz[k] = static_cast<float>(std::sin(alt));
    w[k] = static_cast<float>(lights[k].second);
  }
  flat = static_cast<float>(flat_d);
  shadow_scale = static_cast<float>(1.25 / flat_d);
  highlight_scale = static_cast<float>(1.25 / (1 - flat_d));
  shadow_k = static_cast<float>(p.exaggeration * p.shadow.a);
  highlight_k = static_cast<float>(p.exaggeration * p.highlight.a);
  const style::Color* cols[3] = {&p.shadow, &p.highlight, &p.accent};
  float* dst[3] = {shadow, highlight, accent};
  for (int k = 0; k < 3; ++k) {
    dst[k][0] = static_cast<float>(cols[k]->r);
    dst[k][1] = static_cast<float>(cols[k]->g);
    dst[k][2] = static_cast<float>(cols[k]->b);
  }
  full_accent = static_cast<float>(0.5 * p.exaggeration * p.accent.a);
  z_factor = static_cast<float>(p.z_factor);
}

void shade_span(const ShadeConstants& c, const float* dzdx, const float* dzdy, std::size_t n, const ShadedSpan& out) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f), byte = _mm_set1_ps(255.0f), half = _mm_set1_ps(0.5f);
  const __m128 sign = _mm_set1_ps(-0.0f), zf = _mm_set1_ps(c.z_factor), flat = _mm_set1_ps(c.flat);
  const __m128 low = _mm_set1_ps(kLowF), high = _mm_set1_ps(kHighF), full = _mm_set1_ps(c.full_accent);
  const auto pick = [](__m128 mask, __m128 a, __m128 b) { return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)); };
  const auto bytes = [&](__m128 v) {
    return _mm_cvttps_epi32(_mm_add_ps(_mm_min_ps(_mm_max_ps(_mm_mul_ps(v, byte), zero), byte), half));
  };
  for (; i + 4 <= n; i += 4) {
    const __m128 dx = _mm_mul_ps(_mm_loadu_ps(dzdx + i), zf), dy = _mm_mul_ps(_mm_loadu_ps(dzdy + i), zf);
    const __m128 g2 = _mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy));
    const __m128 inv = _mm_div_ps(one, _mm_sqrt_ps(_mm_add_ps(g2, one)));
    __m128 lit = zero;
    for (int k = 0; k < 3; ++k) {
      const __m128 v = _mm_sub_ps(_mm_sub_ps(_mm_set1_ps(c.lz[k]), _mm_mul_ps(dx, _mm_set1_ps(c.lx[k]))),
                                  _mm_mul_ps(dy, _mm_set1_ps(c.ly[k])));
      lit = _mm_add_ps(lit, _mm_mul_ps(_mm_set1_ps(c.w[k]), _mm_max_ps(v, zero)));
    }
    const __m128 delta = _mm_sub_ps(_mm_mul_ps(lit, inv), flat);
    const __m128 shadow = _mm_cmplt_ps(delta, zero);
    const __m128 scale = pick(shadow, _mm_set1_ps(c.shadow_scale), _mm_set1_ps(c.highlight_scale));
    const __m128 k = pick(shadow, _mm_set1_ps(c.shadow_k), _mm_set1_ps(c.highlight_k));
    const __m128 alpha = _mm_mul_ps(_mm_min_ps(_mm_mul_ps(_mm_andnot_ps(sign, delta), scale), one), k);
    __m128 acc = _mm_and_ps(_mm_cmpge_ps(g2, high), full);
    const int ramp_lanes = _mm_movemask_ps(_mm_and_ps(_mm_cmpgt_ps(g2, low), _mm_cmplt_ps(g2, high)));
    if (ramp_lanes != 0) {  // steep ground: the ramp from the table, lane by lane
      alignas(16) float g[4], a[4];
      _mm_store_ps(g, g2);
      _mm_store_ps(a, acc);
      for (int l = 0; l < 4; ++l) {
        if (ramp_lanes & (1 << l)) a[l] = static_cast<float>(accent_ramp()(g[l])) * c.full_accent;
      }
      acc = _mm_load_ps(a);
    }
    const __m128 keep = _mm_sub_ps(one, acc);
    __m128 ch[3];
    for (int j = 0; j < 3; ++j) {
      const __m128 col = pick(shadow, _mm_set1_ps(c.shadow[j]), _mm_set1_ps(c.highlight[j]));
      ch[j] = _mm_add_ps(_mm_mul_ps(_mm_set1_ps(c.accent[j]), acc), _mm_mul_ps(_mm_mul_ps(col, alpha), keep));
    }
    const __m128 sa = _mm_add_ps(acc, _mm_mul_ps(alpha, keep));
    _mm_storeu_ps(out.a + i, sa);
    _mm_storeu_ps(out.r + i, ch[0]);
    _mm_storeu_ps(out.g + i, ch[1]);
    _mm_storeu_ps(out.b + i, ch[2]);
    const __m128i argb = _mm_or_si128(_mm_or_si128(_mm_slli_epi32(bytes(sa), 24), _mm_slli_epi32(bytes(ch[0]), 16)),
                                      _mm_or_si128(_mm_slli_epi32(bytes(ch[1]), 8), bytes(ch[2])));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.argb + i), argb);
  }
#endif
  for (; i < n; ++i) shade_one(c, dzdx[i], dzdy[i], out, i);
}

}  // namespace minqing::render
