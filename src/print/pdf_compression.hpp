#pragma once
// How hard the streams of the PDFs this program writes are compressed.
//
// cairo's PDF surface (1.16) deflates every stream it writes — page contents, images, font
// subsets — at zlib's default level (6) and has no setting for it. On the atlas that was a third
// of the CPU of a sheet. So this module interposes zlib's deflateInit_ (the entry point that
// deflateInit expands to, which cairo calls): a stream opened at the default level is opened at
// pdf_deflate_level() instead; an explicit level (libpng's tiles, GDAL) is passed through
// unchanged. Measured on the atlas (bench/atlas_bench.sh): deflate ~4× faster, files ~15 % larger.
//
// The interposition is process-wide and needs the definition in the executable: the object file
// holding it is linked in by whatever calls pdf_deflate_level() (SheetPrinter::pdf does), and the
// linker exports it because libcairo and libz refer to it. Thread-safe.

namespace minqing::print {

// The zlib level (Z_BEST_SPEED) a default-level deflate stream gets in this process.
int pdf_deflate_level() noexcept;

}  // namespace minqing::print
