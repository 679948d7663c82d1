#pragma once
// How fast the numbers of the PDFs this program writes are printed.
//
// cairo's PDF surface (1.16) writes every coordinate, width and colour of a page as decimal text
// through its own printf, which formats each double by calling the C library's snprintf with
// "%f", "%.18f" or "%.*f" (_cairo_dtostr) and trimming the zeros. glibc prints a double with
// multi-precision arithmetic: on the atlas that was ~17 % of the CPU of a sheet (a page holds some
// 15,000 numbers). So this module interposes snprintf and __snprintf_chk: while a FastPdfNumbers is
// alive on the calling thread, a call whose format is exactly one of those three and whose double
// is finite and below 1e15 is printed by std::to_chars (shortest exact algorithm, the same digits:
// to_chars with a precision is specified as printf's "%.*f" in the C locale — cairo's own
// contract, which replaces the locale's decimal point anyway). Every other call, on any thread —
// GDAL's, SQLite's, PROJ's, the integers cairo prints — goes to the C library unchanged.
//
// Like print/pdf_compression.hpp, the interposed symbols must be in the executable: the object
// holding them is linked in by whatever constructs a FastPdfNumbers (SheetPrinter::pdf does), and
// the linker exports them because libcairo refers to them. Thread-safe.

#include <cstddef>

namespace minqing::print {

// While alive, cairo's doubles printed on this thread take the fast path. Nests. Construct it
// around the cairo calls that write a PDF.
class FastPdfNumbers {
 public:
  FastPdfNumbers() noexcept;
  ~FastPdfNumbers();
  FastPdfNumbers(const FastPdfNumbers&) = delete;
  FastPdfNumbers& operator=(const FastPdfNumbers&) = delete;
};

// The fast path itself, for tests: prints `value` as printf("%.*f", precision, value) into
// `out` (`size` bytes with the terminating NUL, truncating as snprintf does) and returns the
// length of the whole text, or -1 when the value is not one the fast path takes (not finite, or
// |value| >= 1e15, or a precision outside [0, 18]); then nothing is written.
int print_fixed(char* out, std::size_t size, double value, int precision) noexcept;

}  // namespace minqing::print
