#pragma once
// PNG encoding of rendered images with libpng, tuned for tile serving speed. The libpng adapter
// of render/.

#include <cstdint>
#include <string>

namespace minqing::render {

enum class PngFilter { none, sub, up, average, paeth, all /* libpng's adaptive choice */ };

// Defaults chosen by measurement on z16 terrain tiles (tests/render, "[bench]"): no filter at zlib
// level 4 was ~3 ms and ~26 KB a tile, against ~3 ms / 34 KB for SUB at level 2 and ~10 ms / 26 KB
// for libpng's defaults (adaptive filters, level 6). Map tiles are flat colour areas plus smooth
// hillshade; row filters help neither much. Then libdeflate (issue 12), on the 437 z16 terrain tiles
// of a 20-village store, one run at load 5.4: zlib level 4 2.86 ms / 29.6 KB a tile; libdeflate
// level 1 1.06 ms / 33.7 KB, level 2 1.67 ms / 30.9 KB, level 3 1.92 ms / 29.3 KB, level 6
// 3.94 ms / 26.9 KB. Level 2: 42 % less time for 4.6 % more bytes. The pixels are the same.
struct PngOptions {
  int compression_level = 4;      // zlib 0–9 (libpng: when deflate_level is 0, or palette/other filters)
  PngFilter filter = PngFilter::none;
  bool palette = false;           // 8-bit palette (quantized, ≤ 256 colours) instead of RGB(A)
  // libdeflate's level (1–12) for RGB(A) with filter none, sub or up: the PNG written here around
  // one libdeflate zlib stream. 0: libpng and zlib at compression_level.
  int deflate_level = 2;
};

// Encodes a premultiplied ARGB32 image (cairo's native-endian layout; `stride` bytes per row)
// as PNG: RGB when every pixel is opaque, else RGBA; or palette when options.palette.
// @throws RenderError when libpng fails.
std::string encode_png(const std::uint8_t* argb, int width, int height, int stride, const PngOptions& options = {});

// A decoded PNG as straight RGBA rows (tests, tools). @throws RenderError for a bad PNG.
struct DecodedPng {
  int width = 0;
  int height = 0;
  int color_type = 0;  // of the file (PNG_COLOR_TYPE_*)
  std::string rgba;    // width * height * 4 bytes
};
DecodedPng decode_png(const std::string& bytes);

}  // namespace minqing::render
