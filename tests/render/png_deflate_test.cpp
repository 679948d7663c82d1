// Issue 12 (cold tiles, part 3): the PNG written around a libdeflate stream holds the very pixels
// libpng and zlib wrote before, opaque (RGB) and not (RGBA), for every filter it writes itself, and
// libpng reads it without a complaint (chunk CRCs, zlib Adler-32, IEND).

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "render/png_encoder.hpp"

using namespace minqing;

namespace {

// A premultiplied ARGB32 image: flat areas, a smooth ramp (hillshade-like) and, unless `opaque`,
// transparent and half-transparent pixels. `stride` wider than the row, as a metatile's window.
std::vector<std::uint32_t> image(int w, int h, int stride_px, bool opaque) {
  std::vector<std::uint32_t> px(static_cast<std::size_t>(stride_px) * static_cast<std::size_t>(h), 0xdeadbeef);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::uint32_t a = 255;
      if (!opaque) a = x < w / 4 ? 0 : x < w / 2 ? 128 : 255;
      const std::uint32_t r = (x * 255 / w) * a / 255, g = ((x + y) % 256) * a / 255, b = (y < h / 2 ? 200u : 40u) * a / 255;
      px[static_cast<std::size_t>(y) * stride_px + x] = a << 24 | r << 16 | g << 8 | b;
    }
  }
  return px;
}

}  // namespace

TEST_CASE("png: libdeflate writes the pixels libpng wrote, opaque and not, for each of its filters", "[render][png]") {
  const int w = 256, h = 200, stride_px = 1024;
  for (const bool opaque : {true, false}) {
    const auto px = image(w, h, stride_px, opaque);
    const auto* argb = reinterpret_cast<const std::uint8_t*>(px.data());
    render::PngOptions old;
    old.deflate_level = 0;  // libpng + zlib
    const auto want = render::decode_png(render::encode_png(argb, w, h, stride_px * 4, old));
    CHECK(want.color_type == (opaque ? 2 : 6));
    for (const auto filter : {render::PngFilter::none, render::PngFilter::sub, render::PngFilter::up}) {
      for (const int level : {1, 2, 6, 12}) {
        INFO("opaque " << opaque << ", filter " << static_cast<int>(filter) << ", level " << level);
        render::PngOptions o;
        o.filter = filter;
        o.deflate_level = level;
        const std::string bytes = render::encode_png(argb, w, h, stride_px * 4, o);
        const auto got = render::decode_png(bytes);
        CHECK(got.width == w);
        CHECK(got.height == h);
        CHECK(got.color_type == want.color_type);
        CHECK(got.rgba == want.rgba);
      }
    }
  }
}

TEST_CASE("png: the default encoder is libdeflate's", "[render][png]") {
  CHECK(render::PngOptions{}.deflate_level > 0);
  const auto px = image(64, 64, 64, true);
  const std::string bytes = render::encode_png(reinterpret_cast<const std::uint8_t*>(px.data()), 64, 64, 64 * 4);
  REQUIRE(bytes.size() > 8 + 25 + 12 + 12);
  CHECK(std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0);
  CHECK(bytes.substr(12, 4) == "IHDR");
  CHECK(bytes.substr(bytes.size() - 8, 4) == "IEND");
}
