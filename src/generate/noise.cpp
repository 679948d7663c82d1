#include "generate/noise.hpp"

#include <cmath>

#include "generate/random.hpp"

namespace minqing::generate {

namespace {

inline double lattice(std::uint64_t key, std::int64_t i, std::int64_t j) noexcept {
  return unit_of(hash_of({key, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j)})) * 2.0 - 1.0;
}

inline double fade(double t) noexcept { return t * t * t * (t * (t * 6 - 15) + 10); }

}  // namespace

double value_noise(std::uint64_t key, double x, double y) noexcept {
  const double fx = std::floor(x);
  const double fy = std::floor(y);
  const auto i = static_cast<std::int64_t>(fx);
  const auto j = static_cast<std::int64_t>(fy);
  const double u = fade(x - fx);
  const double v = fade(y - fy);
  const double a = lattice(key, i, j);
  const double b = lattice(key, i + 1, j);
  const double c = lattice(key, i, j + 1);
  const double d = lattice(key, i + 1, j + 1);
  return (a + (b - a) * u) * (1 - v) + (c + (d - c) * u) * v;
}

double value_noise(std::uint64_t key, double x) noexcept {
  const double fx = std::floor(x);
  const auto i = static_cast<std::int64_t>(fx);
  const double u = fade(x - fx);
  const double a = lattice(key, i, 0x7fff);
  const double b = lattice(key, i + 1, 0x7fff);
  return a + (b - a) * u;
}

double fbm(std::uint64_t key, double x, double y, double wavelength, int octaves) noexcept {
  double sum = 0, amp = 1, norm = 0, f = 1.0 / wavelength;
  for (int o = 0; o < octaves; ++o) {
    sum += amp * value_noise(key + static_cast<std::uint64_t>(o) * 0x9e37ULL, x * f, y * f);
    norm += amp;
    amp *= 0.5;
    f *= 2.03;
  }
  return sum / norm;
}

double fbm(std::uint64_t key, double x, double wavelength, int octaves) noexcept {
  double sum = 0, amp = 1, norm = 0, f = 1.0 / wavelength;
  for (int o = 0; o < octaves; ++o) {
    sum += amp * value_noise(key + static_cast<std::uint64_t>(o) * 0x9e37ULL, x * f);
    norm += amp;
    amp *= 0.5;
    f *= 2.03;
  }
  return sum / norm;
}

}  // namespace minqing::generate
