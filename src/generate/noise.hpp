#pragma once
// Smooth deterministic noise (value noise and its fractal sum), keyed by a seed, defined on the
// whole plane so that neighbouring villages see one continuous field.

#include <cstdint>

namespace minqing::generate {

// Value noise in [-1, 1] with quintic interpolation between lattice points 1 unit apart.
double value_noise(std::uint64_t key, double x, double y) noexcept;
double value_noise(std::uint64_t key, double x) noexcept;

// Fractal sum of `octaves` value noises, the first with wavelength `wavelength`; in about [-1, 1].
double fbm(std::uint64_t key, double x, double y, double wavelength, int octaves) noexcept;
double fbm(std::uint64_t key, double x, double wavelength, int octaves) noexcept;

}  // namespace minqing::generate
