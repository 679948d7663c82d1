#include "render/hillshade_kernel.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
// The AVX2 stages are compiled for AVX2 function by function (the target attribute) and run only
// where the CPU has it (__builtin_cpu_supports): the rest of the build stays generic x86-64.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MINQING_HILLSHADE_AVX2 1
#include <immintrin.h>
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

  // The table operator() interpolates: kSize + 1 values.
  const double* table() const noexcept { return m_ramp.data(); }

  static constexpr double kLow = 1.0 / 3.0;  // tan² 30°
  static constexpr double kHigh = 3.0;       // tan² 60°
  static constexpr int kSize = 4096;
  static constexpr double kScale = kSize / (kHigh - kLow);

 private:
  std::array<double, kSize + 1> m_ramp{};
};

// Made at start-up, not on first use: a function-local static's guard was a call per ramp lane.
const AccentRamp g_accent_ramp;

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
  if (g2 > kLowF && g2 < kHighF) acc = static_cast<float>(g_accent_ramp(g2)) * c.full_accent;
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

// Four pixels at a time with SSE2 from `i`, then the scalar tail; the baseline.
void shade_span_baseline(const ShadeConstants& c, const float* dzdx, const float* dzdy, std::size_t i, std::size_t n,
                         const ShadedSpan& out) {
#if defined(__SSE2__)
  const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f), byte = _mm_set1_ps(255.0f), half = _mm_set1_ps(0.5f);
  const __m128 sign = _mm_set1_ps(-0.0f), zf = _mm_set1_ps(c.z_factor), flat = _mm_set1_ps(c.flat);
  const __m128 low = _mm_set1_ps(kLowF), high = _mm_set1_ps(kHighF), full = _mm_set1_ps(c.full_accent);
  const auto pick = [](__m128 mask, __m128 a, __m128 b) { return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)); };
  const auto bytes = [&](__m128 v) {
    return _mm_cvttps_epi32(_mm_add_ps(_mm_min_ps(_mm_max_ps(_mm_mul_ps(v, byte), zero), byte), half));
  };
  for (; i + 4 <= n; i += 4) {
    const __m128 gx = _mm_loadu_ps(dzdx + i), gy = _mm_loadu_ps(dzdy + i);
    // Nothing to shade (outside the grid, no data, or done): the values are left unspecified.
    if (_mm_movemask_ps(_mm_cmpord_ps(gx, gy)) == 0) continue;
    const __m128 dx = _mm_mul_ps(gx, zf), dy = _mm_mul_ps(gy, zf);
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
        if (ramp_lanes & (1 << l)) a[l] = static_cast<float>(g_accent_ramp(g[l])) * c.full_accent;
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

// One pixel of interpolate_gradients, as render_hillshade computed it before the stages were split:
// the four cells' values turned into the bilinear form's coefficients, once per cell entered
// (`cell`, `ax`, `ay` carry them from pixel to pixel).
inline void interpolate_one(const GradientGrid& g, double cx, double cy, std::size_t& cell, float* ax, float* ay,
                            float& out_x, float& out_y) {
  out_x = out_y = std::numeric_limits<float>::quiet_NaN();
  if (cx < 0 || cy < 0 || cx > g.nx - 1 || cy > g.ny - 1) return;
  const int x0 = std::min(static_cast<int>(cx), g.nx - 2), y0 = std::min(static_cast<int>(cy), g.ny - 2);
  if (x0 < 0 || y0 < 0) return;
  const std::size_t k = static_cast<std::size_t>(y0) * static_cast<std::size_t>(g.nx) + static_cast<std::size_t>(x0);
  if (k != cell) {
    cell = k;
    const auto nx = static_cast<std::size_t>(g.nx);
    const auto coefficients = [&](const float* f, float* c) {
      const float f00 = f[k], f10 = f[k + 1], f01 = f[k + nx], f11 = f[k + nx + 1];
      c[0] = f00;
      c[1] = f10 - f00;
      c[2] = f01 - f00;
      c[3] = (f11 - f10) - (f01 - f00);
    };
    coefficients(g.gx, ax);
    coefficients(g.gy, ay);
  }
  const auto u = static_cast<float>(cx - x0), v = static_cast<float>(cy - y0);
  out_x = ax[0] + ax[1] * u + (ax[2] + ax[3] * u) * v;
  out_y = ay[0] + ay[1] * u + (ay[2] + ay[3] * u) * v;
}

void interpolate_baseline(const GradientGrid& g, const double* cx, const double* cy, const std::uint8_t* skip,
                          std::size_t i, std::size_t n, float* gx, float* gy) {
  std::size_t cell = std::numeric_limits<std::size_t>::max();
  float ax[4] = {}, ay[4] = {};
  for (; i < n; ++i) {
    if (skip[i]) {
      gx[i] = gy[i] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    interpolate_one(g, cx[i], cy[i], cell, ax, ay, gx[i], gy[i]);
  }
}

// Round half away from zero, as std::lround, without the libm call (the blend over an opaque
// destination, four per pixel).
std::uint8_t blend_byte(double v) noexcept {
  const double s = v * 255.0;
  if (!(s > 0)) return 0;  // also NaN
  if (s >= 255) return 255;
  return static_cast<std::uint8_t>(static_cast<int>(s + 0.5));
}

// composite_span for pixel i.
inline void composite_one(const float* gx, const float* gy, const ShadedSpan& src, std::size_t i, std::uint32_t* dst,
                          std::uint8_t* done) {
  if (std::isnan(gx[i]) || std::isnan(gy[i])) return;
  done[i] = 1;
  if (!(src.a[i] > 0)) return;
  const std::uint32_t d = dst[i];
  if (d == 0) {
    // Over a transparent pixel (the hillshade symbolizer's own image): the source itself.
    dst[i] = src.argb[i];
    return;
  }
  // Over the destination pixel.
  const double s_a = src.a[i];
  const double da = (d >> 24) / 255.0, dr = ((d >> 16) & 255) / 255.0, dg = ((d >> 8) & 255) / 255.0,
               db = (d & 255) / 255.0;
  const double oa = s_a + da * (1 - s_a), orr = src.r[i] + dr * (1 - s_a), og = src.g[i] + dg * (1 - s_a),
               ob = src.b[i] + db * (1 - s_a);
  dst[i] = (std::uint32_t{blend_byte(oa)} << 24) | (std::uint32_t{blend_byte(orr)} << 16) |
           (std::uint32_t{blend_byte(og)} << 8) | std::uint32_t{blend_byte(ob)};
}

#if defined(MINQING_HILLSHADE_AVX2)

// The target attribute is per function (lambdas do not inherit it): the helpers carry it too.
#define MINQING_AVX2 __attribute__((target("avx2"), always_inline)) inline

MINQING_AVX2 __m256i bytes_avx2(__m256 v) {
  const __m256 byte = _mm256_set1_ps(255.0f);
  return _mm256_cvttps_epi32(
      _mm256_add_ps(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(v, byte), _mm256_setzero_ps()), byte), _mm256_set1_ps(0.5f)));
}

// Bits 0..3 of the result: lanes of (x, y) within [0, max_x] × [0, max_y] (ordered comparisons:
// false for NaN).
MINQING_AVX2 int inside_avx2(__m256d x, __m256d y, __m256d max_x, __m256d max_y) {
  const __m256d zero = _mm256_setzero_pd();
  return _mm256_movemask_pd(
      _mm256_and_pd(_mm256_and_pd(_mm256_cmp_pd(x, zero, _CMP_GE_OQ), _mm256_cmp_pd(x, max_x, _CMP_LE_OQ)),
                    _mm256_and_pd(_mm256_cmp_pd(y, zero, _CMP_GE_OQ), _mm256_cmp_pd(y, max_y, _CMP_LE_OQ))));
}

// (c − c0) in double, rounded to float, for eight lanes given as two groups of four.
MINQING_AVX2 __m256 fraction_avx2(__m256d c_lo, __m256d c_hi, __m256i c0) {
  const __m128 lo = _mm256_cvtpd_ps(_mm256_sub_pd(c_lo, _mm256_cvtepi32_pd(_mm256_castsi256_si128(c0))));
  const __m128 hi = _mm256_cvtpd_ps(_mm256_sub_pd(c_hi, _mm256_cvtepi32_pd(_mm256_extracti128_si256(c0, 1))));
  return _mm256_set_m128(hi, lo);
}

// f's bilinear form at (u, v) within cells k (f00 = f[k], f10 = f[k + 1], f01 = f[k + nx],
// f11 = f[k + nx + 1]; `below` = f + nx), as interpolate_one computes it; NaN outside `lanes`.
// `one_cell`: every lane is in cell k0 (a cell spans 8-19 pixels at z17-z18), whose four values are
// then read once instead of gathered for each lane.
MINQING_AVX2 __m256 bilinear_avx2(const float* f, const float* below, __m256i k, bool one_cell, int k0, __m256 u,
                                  __m256 v, __m256i lanes) {
  __m256 f00, f10, f01, f11;
  if (one_cell) {
    f00 = _mm256_set1_ps(f[k0]);
    f10 = _mm256_set1_ps(f[k0 + 1]);
    f01 = _mm256_set1_ps(below[k0]);
    f11 = _mm256_set1_ps(below[k0 + 1]);
  } else {
    f00 = _mm256_i32gather_ps(f, k, 4);
    f10 = _mm256_i32gather_ps(f + 1, k, 4);
    f01 = _mm256_i32gather_ps(below, k, 4);
    f11 = _mm256_i32gather_ps(below + 1, k, 4);
  }
  const __m256 c1 = _mm256_sub_ps(f10, f00), c2 = _mm256_sub_ps(f01, f00);
  const __m256 c3 = _mm256_sub_ps(_mm256_sub_ps(f11, f10), _mm256_sub_ps(f01, f00));
  const __m256 r = _mm256_add_ps(_mm256_add_ps(f00, _mm256_mul_ps(c1, u)), _mm256_mul_ps(_mm256_add_ps(c2, _mm256_mul_ps(c3, u)), v));
  return _mm256_blendv_ps(_mm256_set1_ps(std::numeric_limits<float>::quiet_NaN()), r, _mm256_castsi256_ps(lanes));
}

// g_accent_ramp(g2) for four lanes, as operator() computes it in double, rounded to float; 0 in
// the lanes outside `ramp` (whose table index would be out of range).
MINQING_AVX2 __m128 ramp_avx2(__m128 g2, __m128 ramp) {
  const __m256d f = _mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(g2), _mm256_set1_pd(AccentRamp::kLow)),
                                  _mm256_set1_pd(AccentRamp::kScale));
  const __m128i i = _mm_and_si128(_mm_min_epi32(_mm256_cvttpd_epi32(f), _mm_set1_epi32(AccentRamp::kSize - 1)),
                                  _mm_castps_si128(ramp));
  const __m256d t = _mm256_sub_pd(f, _mm256_cvtepi32_pd(i));
  const double* table = g_accent_ramp.table();
  // Masked gathers with every lane on: the plain form trips GCC 12's -Wmaybe-uninitialized.
  const __m256d all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), zero = _mm256_setzero_pd();
  const __m256d r0 = _mm256_mask_i32gather_pd(zero, table, i, all, 8);
  const __m256d r1 = _mm256_mask_i32gather_pd(zero, table + 1, i, all, 8);
  const __m256d r = _mm256_add_pd(_mm256_mul_pd(r0, _mm256_sub_pd(_mm256_set1_pd(1.0), t)), _mm256_mul_pd(r1, t));
  return _mm_and_ps(_mm256_cvtpd_ps(r), ramp);
}

// shade_span_baseline's groups of four as groups of eight: the same operations lane by lane
// (_CMP_LT_OS is cmplt, _CMP_GE_OS cmpge, _CMP_GT_OS cmpgt; min, max and the conversion behave as
// their SSE forms, NaN included). Returns where the groups stopped.
__attribute__((target("avx2"))) std::size_t shade_span_avx2(const ShadeConstants& c, const float* dzdx,
                                                            const float* dzdy, std::size_t n, const ShadedSpan& out) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  const __m256 sign = _mm256_set1_ps(-0.0f), zf = _mm256_set1_ps(c.z_factor);
  const __m256 flat = _mm256_set1_ps(c.flat), low = _mm256_set1_ps(kLowF), high = _mm256_set1_ps(kHighF);
  const __m256 full = _mm256_set1_ps(c.full_accent);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gx = _mm256_loadu_ps(dzdx + i), gy = _mm256_loadu_ps(dzdy + i);
    // Nothing to shade (outside the grid, no data, or done): the values are left unspecified.
    if (_mm256_movemask_ps(_mm256_cmp_ps(gx, gy, _CMP_ORD_Q)) == 0) continue;
    const __m256 dx = _mm256_mul_ps(gx, zf), dy = _mm256_mul_ps(gy, zf);
    const __m256 g2 = _mm256_add_ps(_mm256_mul_ps(dx, dx), _mm256_mul_ps(dy, dy));
    const __m256 inv = _mm256_div_ps(one, _mm256_sqrt_ps(_mm256_add_ps(g2, one)));
    __m256 lit = zero;
    for (int k = 0; k < 3; ++k) {
      const __m256 v = _mm256_sub_ps(_mm256_sub_ps(_mm256_set1_ps(c.lz[k]), _mm256_mul_ps(dx, _mm256_set1_ps(c.lx[k]))),
                                     _mm256_mul_ps(dy, _mm256_set1_ps(c.ly[k])));
      lit = _mm256_add_ps(lit, _mm256_mul_ps(_mm256_set1_ps(c.w[k]), _mm256_max_ps(v, zero)));
    }
    const __m256 delta = _mm256_sub_ps(_mm256_mul_ps(lit, inv), flat);
    const __m256 shadow = _mm256_cmp_ps(delta, zero, _CMP_LT_OS);
    const __m256 scale = _mm256_blendv_ps(_mm256_set1_ps(c.highlight_scale), _mm256_set1_ps(c.shadow_scale), shadow);
    const __m256 k = _mm256_blendv_ps(_mm256_set1_ps(c.highlight_k), _mm256_set1_ps(c.shadow_k), shadow);
    const __m256 alpha = _mm256_mul_ps(_mm256_min_ps(_mm256_mul_ps(_mm256_andnot_ps(sign, delta), scale), one), k);
    __m256 acc = _mm256_and_ps(_mm256_cmp_ps(g2, high, _CMP_GE_OS), full);
    const __m256 ramp = _mm256_and_ps(_mm256_cmp_ps(g2, low, _CMP_GT_OS), _mm256_cmp_ps(g2, high, _CMP_LT_OS));
    if (!_mm256_testz_ps(ramp, ramp)) {  // steep ground: the ramp from the table, with gathers
      const __m256 r = _mm256_set_m128(ramp_avx2(_mm256_extractf128_ps(g2, 1), _mm256_extractf128_ps(ramp, 1)),
                                       ramp_avx2(_mm256_castps256_ps128(g2), _mm256_castps256_ps128(ramp)));
      acc = _mm256_blendv_ps(acc, _mm256_mul_ps(r, full), ramp);
    }
    const __m256 keep = _mm256_sub_ps(one, acc);
    __m256 ch[3];
    for (int j = 0; j < 3; ++j) {
      const __m256 col = _mm256_blendv_ps(_mm256_set1_ps(c.highlight[j]), _mm256_set1_ps(c.shadow[j]), shadow);
      ch[j] = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(c.accent[j]), acc), _mm256_mul_ps(_mm256_mul_ps(col, alpha), keep));
    }
    const __m256 sa = _mm256_add_ps(acc, _mm256_mul_ps(alpha, keep));
    _mm256_storeu_ps(out.a + i, sa);
    _mm256_storeu_ps(out.r + i, ch[0]);
    _mm256_storeu_ps(out.g + i, ch[1]);
    _mm256_storeu_ps(out.b + i, ch[2]);
    const __m256i argb =
        _mm256_or_si256(_mm256_or_si256(_mm256_slli_epi32(bytes_avx2(sa), 24), _mm256_slli_epi32(bytes_avx2(ch[0]), 16)),
                        _mm256_or_si256(_mm256_slli_epi32(bytes_avx2(ch[1]), 8), bytes_avx2(ch[2])));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.argb + i), argb);
  }
  return i;
}

// interpolate_baseline eight pixels at a time: the same double and float operations lane by lane,
// the four cells' values read with gathers for every pixel (what the scalar code reads once per
// cell: the same floats, so the same coefficients). Returns where the groups stopped.
// @pre nx, ny >= 2 and nx × ny < 2^31 (int32 gather indices)
__attribute__((target("avx2"))) std::size_t interpolate_avx2(const GradientGrid& g, const double* cx, const double* cy,
                                                             const std::uint8_t* skip, std::size_t n, float* gx,
                                                             float* gy) {
  const __m256d max_x = _mm256_set1_pd(g.nx - 1), max_y = _mm256_set1_pd(g.ny - 1);
  const __m256i last_x = _mm256_set1_epi32(g.nx - 2), last_y = _mm256_set1_epi32(g.ny - 2);
  const __m256i nx = _mm256_set1_epi32(g.nx);
  const __m256i lane_bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256 nan = _mm256_set1_ps(std::numeric_limits<float>::quiet_NaN());
  const float* gx_below = g.gx + g.nx;
  const float* gy_below = g.gy + g.nx;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d x_lo = _mm256_loadu_pd(cx + i), x_hi = _mm256_loadu_pd(cx + i + 4);
    const __m256d y_lo = _mm256_loadu_pd(cy + i), y_hi = _mm256_loadu_pd(cy + i + 4);
    const int not_skipped =
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(skip + i)), _mm_setzero_si128())) &
        0xff;
    const int valid =
        (inside_avx2(x_lo, y_lo, max_x, max_y) | inside_avx2(x_hi, y_hi, max_x, max_y) << 4) & not_skipped;
    if (valid == 0) {
      _mm256_storeu_ps(gx + i, nan);
      _mm256_storeu_ps(gy + i, nan);
      continue;
    }
    const __m256i lanes = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(valid), lane_bits), lane_bits);
    // The cell: truncation as static_cast<int> (the coordinates of valid lanes are >= 0), clamped
    // to the last cell pair; invalid lanes read cell 0 (their values are dropped).
    const __m256i x0 = _mm256_min_epi32(_mm256_set_m128i(_mm256_cvttpd_epi32(x_hi), _mm256_cvttpd_epi32(x_lo)), last_x);
    const __m256i y0 = _mm256_min_epi32(_mm256_set_m128i(_mm256_cvttpd_epi32(y_hi), _mm256_cvttpd_epi32(y_lo)), last_y);
    const __m256i k = _mm256_and_si256(_mm256_add_epi32(_mm256_mullo_epi32(y0, nx), x0), lanes);
    const __m256 u = fraction_avx2(x_lo, x_hi, x0), v = fraction_avx2(y_lo, y_hi, y0);
    const int k0 = _mm256_cvtsi256_si32(k);
    const bool one_cell =
        valid == 0xff && _mm256_movemask_epi8(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(k0))) == static_cast<int>(0xffffffff);
    _mm256_storeu_ps(gx + i, bilinear_avx2(g.gx, gx_below, k, one_cell, k0, u, v, lanes));
    _mm256_storeu_ps(gy + i, bilinear_avx2(g.gy, gy_below, k, one_cell, k0, u, v, lanes));
  }
  return i;
}

// composite_span eight pixels at a time where no pixel to draw lies over an opaque one (a shading
// onto its own transparent image, as the server's tiles are): the source's bytes where the
// gradient is known and the alpha above 0, the destination elsewhere. A group with a pixel to
// blend goes pixel by pixel. Returns where the groups stopped.
__attribute__((target("avx2"))) std::size_t composite_avx2(const float* gx, const float* gy, const ShadedSpan& src,
                                                           std::size_t n, std::uint32_t* dst, std::uint8_t* done) {
  const __m256 zero = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    // Known: both gradients ordered (not NaN).
    const __m256 known = _mm256_cmp_ps(_mm256_loadu_ps(gx + i), _mm256_loadu_ps(gy + i), _CMP_ORD_Q);
    const int known_lanes = _mm256_movemask_ps(known);
    if (known_lanes == 0) continue;
    const __m256 draw = _mm256_and_ps(known, _mm256_cmp_ps(_mm256_loadu_ps(src.a + i), zero, _CMP_GT_OQ));
    const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(dst + i));
    const __m256i over = _mm256_andnot_si256(_mm256_cmpeq_epi32(d, _mm256_setzero_si256()), _mm256_castps_si256(draw));
    if (!_mm256_testz_si256(over, over)) {  // a pixel to blend
      for (std::size_t j = i; j < i + 8; ++j) composite_one(gx, gy, src, j, dst, done);
      continue;
    }
    const __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src.argb + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_blendv_epi8(d, s, _mm256_castps_si256(draw)));
    // done[i] = 1 where known (0 there before).
    std::uint64_t marks = 0, was = 0;
    for (int l = 0; l < 8; ++l) marks |= static_cast<std::uint64_t>(known_lanes >> l & 1) << (8 * l);
    std::memcpy(&was, done + i, 8);
    was |= marks;
    std::memcpy(done + i, &was, 8);
  }
  return i;
}

#endif  // MINQING_HILLSHADE_AVX2

KernelIsa detect_isa() noexcept {
#if defined(MINQING_HILLSHADE_AVX2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return KernelIsa::avx2;
#endif
  return KernelIsa::baseline;
}

std::atomic<KernelIsa>& current_isa() noexcept {
  static std::atomic<KernelIsa> isa{best_kernel_isa()};
  return isa;
}

}  // namespace

KernelIsa best_kernel_isa() noexcept {
  static const KernelIsa best = detect_isa();
  return best;
}

KernelIsa kernel_isa() noexcept { return current_isa().load(std::memory_order_relaxed); }

KernelIsa set_kernel_isa(KernelIsa isa) noexcept {
  if (isa == KernelIsa::avx2 && best_kernel_isa() != KernelIsa::avx2) isa = best_kernel_isa();
  current_isa().store(isa, std::memory_order_relaxed);
  return isa;
}

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
#if defined(MINQING_HILLSHADE_AVX2)
  if (kernel_isa() == KernelIsa::avx2) i = shade_span_avx2(c, dzdx, dzdy, n, out);
#endif
  shade_span_baseline(c, dzdx, dzdy, i, n, out);
}

void composite_span(const float* gx, const float* gy, const ShadedSpan& src, std::size_t n, std::uint32_t* dst,
                    std::uint8_t* done) {
  std::size_t i = 0;
#if defined(MINQING_HILLSHADE_AVX2)
  if (kernel_isa() == KernelIsa::avx2) i = composite_avx2(gx, gy, src, n, dst, done);
#endif
  for (; i < n; ++i) composite_one(gx, gy, src, i, dst, done);
}

void interpolate_gradients(const GradientGrid& grid, const double* cx, const double* cy, const std::uint8_t* skip,
                           std::size_t n, float* gx, float* gy) {
  std::size_t i = 0;
#if defined(MINQING_HILLSHADE_AVX2)
  const bool gatherable = grid.nx >= 2 && grid.ny >= 2 &&
                          static_cast<std::uint64_t>(grid.nx) * static_cast<std::uint64_t>(grid.ny) <
                              static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
  if (gatherable && kernel_isa() == KernelIsa::avx2) i = interpolate_avx2(grid, cx, cy, skip, n, gx, gy);
#endif
  interpolate_baseline(grid, cx, cy, skip, i, n, gx, gy);
}

}  // namespace minqing::render
