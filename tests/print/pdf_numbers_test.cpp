// print/pdf_numbers: cairo's doubles printed by std::to_chars inside a PDF being written must be
// the very text the C library prints, and nothing outside one may change.

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "print/pdf_numbers.hpp"

using namespace minqing;

namespace {

std::string libc_fixed(double value, int precision) {
  char text[512];
  std::snprintf(text, sizeof text, "%.*f", precision, value);  // outside a FastPdfNumbers: the C library's
  return text;
}

std::string fast_fixed(double value, int precision) {
  char text[64];
  REQUIRE(print::print_fixed(text, sizeof text, value, precision) >= 0);
  return text;
}

}  // namespace

TEST_CASE("the fast path prints a double as the C library's fixed notation does, digit for digit", "[print]") {
  // Page coordinates, widths and colours as cairo prints them ("%f", and "%.18f" then "%.*f" below
  // 0.1), and the halfway cases where rounding is decided.
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> page(-2000, 2000), unit(0, 1), tiny(-0.1, 0.1);
  for (int i = 0; i < 20000; ++i) {
    const double values[] = {page(random), unit(random), tiny(random), std::ldexp(unit(random), -30),
                             std::round(page(random) * 1e6) / 1e6 + 5e-7};
    for (const double v : values) {
      for (const int precision : {6, 18, 3, 0, 9}) {
        INFO(v << " at " << precision);
        REQUIRE(fast_fixed(v, precision) == libc_fixed(v, precision));
      }
    }
  }
  for (const double v : {0.0, -0.0, 0.5, 1.5, 2.5, -0.5, 0.125, 1e14 + 0.5, 999999999999999.0, 0.0000005, 1.0000005}) {
    INFO(v);
    CHECK(fast_fixed(v, 6) == libc_fixed(v, 6));
    CHECK(fast_fixed(v, 0) == libc_fixed(v, 0));
  }
  // What it does not take, it leaves to the C library.
  char text[64];
  CHECK(print::print_fixed(text, sizeof text, NAN, 6) == -1);
  CHECK(print::print_fixed(text, sizeof text, INFINITY, 6) == -1);
  CHECK(print::print_fixed(text, sizeof text, 1e15, 6) == -1);
  CHECK(print::print_fixed(text, sizeof text, 1.0, 19) == -1);
  // Truncated as snprintf truncates, with the whole length returned.
  CHECK(print::print_fixed(text, 4, 1234.5, 2) == 7);
  CHECK(std::string(text) == "123");
}

TEST_CASE("inside a PDF being written, snprintf prints cairo's formats by the fast path and any other as before",
          "[print]") {
  const auto print = [](const char* format, auto... args) {
    char text[128];
    const int n = std::snprintf(text, sizeof text, format, args...);
    return std::to_string(n) + ":" + text;
  };
  const std::string outside[] = {print("%f", 421.0625), print("%.18f", 0.0123), print("%.*f", 9, 0.0123),
                                 print("%d %s", 42, "x"), print("%f", NAN), print("%.3f", 2.0005)};
  const print::FastPdfNumbers fast;
  const std::string inside[] = {print("%f", 421.0625), print("%.18f", 0.0123), print("%.*f", 9, 0.0123),
                                print("%d %s", 42, "x"), print("%f", NAN), print("%.3f", 2.0005)};
  for (std::size_t i = 0; i < std::size(inside); ++i) CHECK(inside[i] == outside[i]);
  CHECK(inside[0] == "10:421.062500");
}
