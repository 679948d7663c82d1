#pragma once
// PNG encoding of rendered images with libpng, tuned for tile serving speed. The libpng adapter
// of render/.

#include <cstdint>
#include <string>

namespace minqing::render {

enum class PngFilter { none, sub, up, average, paeth, all /* libpng's adaptive choice */ };

// Defaults chosen by measurement on z16 terrain tiles of the sample (tests/render, "[bench]"):
// no filter at zlib level 4 was ~3 ms and ~26 KB a tile, against ~3 ms / 34 KB for SUB at
// level 2 and ~10 ms / 26 KB for libpng's defaults (adaptive filters, level 6). Map tiles are
// flat colour areas plus smooth hillshade; row filters help neither much.
struct PngOptions {
  int compression_level = 4;      // zlib 0–9
  PngFilter filter = PngFilter::none;
  bool palette = false;           // 8-bit palette (quantized, ≤ 256 colours) instead of RGB(A)
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
