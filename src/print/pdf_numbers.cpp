// No <cstdio> here: this file defines snprintf and __snprintf_chk themselves, and declares the C
// library's entry points it forwards to.
#include "print/pdf_numbers.hpp"

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstring>

extern "C" {
int vsnprintf(char* s, std::size_t n, const char* format, va_list ap) noexcept;
int __vsnprintf_chk(char* s, std::size_t n, int flag, std::size_t slen, const char* format, va_list ap) noexcept;
}

namespace minqing::print {

namespace {
thread_local int t_fast_scopes = 0;  // FastPdfNumbers objects alive on this thread
}  // namespace

FastPdfNumbers::FastPdfNumbers() noexcept { ++t_fast_scopes; }
FastPdfNumbers::~FastPdfNumbers() { --t_fast_scopes; }

int print_fixed(char* out, std::size_t size, double value, int precision) noexcept {
  if (!std::isfinite(value) || std::fabs(value) >= 1e15 || precision < 0 || precision > 18) return -1;
  char text[64];  // sign, 15 digits, point, 18 decimals
  const auto [end, error] = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, precision);
  if (error != std::errc()) return -1;
  const auto length = static_cast<std::size_t>(end - text);
  if (size > 0) {
    const std::size_t n = length < size - 1 ? length : size - 1;
    std::memcpy(out, text, n);
    out[n] = '\0';
  }
  return static_cast<int>(length);
}

}  // namespace minqing::print

namespace {

// The fast path for cairo's three double formats, inside a FastPdfNumbers: the printed length, or
// -1 to leave the call to the C library (then `ap` is untouched).
int fast_double(char* s, std::size_t n, const char* format, va_list ap) noexcept {
  if (minqing::print::t_fast_scopes == 0 || format[0] != '%') return -1;
  int precision;
  if (std::strcmp(format, "%f") == 0) {
    precision = 6;
  } else if (std::strcmp(format, "%.18f") == 0) {
    precision = 18;
  } else if (std::strcmp(format, "%.*f") == 0) {
    va_list copy;
    va_copy(copy, ap);
    precision = va_arg(copy, int);
    const double value = va_arg(copy, double);
    va_end(copy);
    return minqing::print::print_fixed(s, n, value, precision);
  } else {
    return -1;
  }
  va_list copy;
  va_copy(copy, ap);
  const double value = va_arg(copy, double);
  va_end(copy);
  return minqing::print::print_fixed(s, n, value, precision);
}

}  // namespace

// The C library's snprintf, with cairo's doubles printed by print_fixed inside a FastPdfNumbers.
extern "C" int snprintf(char* s, std::size_t n, const char* format, ...) noexcept {
  va_list ap;
  va_start(ap, format);
  int r = fast_double(s, n, format, ap);
  if (r < 0) r = vsnprintf(s, n, format, ap);
  va_end(ap);
  return r;
}

// The same for _FORTIFY_SOURCE callers (cairo is built with it). `slen` is the buffer's real size;
// the C library aborts when `n` exceeds it, so the fast path checks that too.
extern "C" int __snprintf_chk(char* s, std::size_t n, int flag, std::size_t slen, const char* format, ...) noexcept {
  va_list ap;
  va_start(ap, format);
  int r = n <= slen ? fast_double(s, n, format, ap) : -1;
  if (r < 0) r = __vsnprintf_chk(s, n, flag, slen, format, ap);
  va_end(ap);
  return r;
}
