#pragma once
// Deterministic pseudo-random numbers for the generator. Everything here is defined bit for bit
// by this file (no std:: distributions, whose output differs between standard libraries), so
// the same seed gives the same villages on every platform.

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace minqing::generate {

// SplitMix64 finaliser: a good 64-bit mixing function.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A hash of several integers, order-sensitive: the key of keyed randomness (a value that is a
// pure function of, say, the seed, a cell and an edge, so both neighbours compute it alike).
constexpr std::uint64_t hash_of(std::initializer_list<std::uint64_t> parts) noexcept {
  std::uint64_t h = 0x51ed270b27a9c3d5ULL;
  for (auto p : parts) h = mix64(h ^ mix64(p));
  return h;
}

constexpr std::uint64_t hash_text(std::string_view s) noexcept {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return mix64(h);
}

// A double in [0, 1) from the top 53 bits of `h`.
constexpr double unit_of(std::uint64_t h) noexcept { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// xoshiro256** seeded through SplitMix64. Not thread-safe; cheap to copy; one per task.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    std::uint64_t z = seed;
    for (auto& s : m_s) {
      z += 0x9e3779b97f4a7c15ULL;
      s = mix64(z);
    }
  }
  Rng(std::initializer_list<std::uint64_t> key) noexcept : Rng(hash_of(key)) {}

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
  }

  // [0, 1)
  double unit() noexcept { return unit_of(next()); }
  // [lo, hi)
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * unit(); }
  // An integer in [lo, hi], both inclusive. @pre lo <= hi.
  std::int64_t range(std::int64_t lo, std::int64_t hi) noexcept {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(next() % span);  // bias below 2^-40 for our spans
  }
  std::size_t index(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
  bool chance(double p) noexcept { return unit() < p; }
  // Standard normal by Box–Muller (std::log/cos are correctly rounded enough on glibc; the
  // generator only compares within one platform).
  double normal(double mean = 0, double sd = 1) noexcept {
    double u1 = unit();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = unit();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // An index drawn with the given non-negative weights. @pre the weights sum to more than 0.
  std::size_t weighted(std::span<const double> weights) noexcept {
    double total = 0;
    for (double w : weights) total += w;
    double r = unit() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }
  template <class T>
  const T& pick(std::span<const T> items) noexcept {
    return items[index(items.size())];
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t m_s[4];
};

}  // namespace minqing::generate
