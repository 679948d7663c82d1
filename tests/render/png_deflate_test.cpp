// Issue 12 (cold tiles, part 3): the PNG written around a libdeflate stream holds the very pixels
// libpng and zlib wrote before, opaque (RGB) and not (RGBA), for every filter it writes itself, and
// libpng reads it without a complaint (chunk CRCs, zlib Adler-32, IEND).

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
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

// The encoder learns that an image is opaque while it converts it, row by row: a translucent pixel
// in the very last row still makes the whole PNG RGBA, with that pixel's alpha.
TEST_CASE("png: an image opaque but for one pixel of its last row is written RGBA", "[render][png]") {
  const int w = 256, h = 200;
  auto px = image(w, h, w, true);
  px[static_cast<std::size_t>(h - 1) * w + 7] = 0x80402010;  // alpha 128, premultiplied
  const auto* argb = reinterpret_cast<const std::uint8_t*>(px.data());
  render::PngOptions old;
  old.deflate_level = 0;  // libpng + zlib
  const auto want = render::decode_png(render::encode_png(argb, w, h, w * 4, old));
  for (const auto filter : {render::PngFilter::none, render::PngFilter::sub, render::PngFilter::up}) {
    INFO("filter " << static_cast<int>(filter));
    render::PngOptions o;
    o.filter = filter;
    const auto got = render::decode_png(render::encode_png(argb, w, h, w * 4, o));
    CHECK(got.color_type == 6);
    CHECK(got.rgba == want.rgba);
    const std::size_t at = (static_cast<std::size_t>(h - 1) * w + 7) * 4;
    CHECK(static_cast<unsigned char>(got.rgba[at + 3]) == 128);
  }
}

// The encoder keeps its buffers per thread, sized by the largest image so far: a small tile after a
// large image (and an RGBA one after RGB) comes out as it does on a thread that encoded nothing yet.
TEST_CASE("png: a tile's bytes do not depend on what the thread encoded before", "[render][png]") {
  const auto small = image(64, 48, 64, false);
  const auto large = image(512, 400, 512, true);
  const auto encode_small = [&] { return render::encode_png(reinterpret_cast<const std::uint8_t*>(small.data()), 64, 48, 64 * 4); };
  std::string fresh;
  std::thread([&] { fresh = encode_small(); }).join();
  render::encode_png(reinterpret_cast<const std::uint8_t*>(large.data()), 512, 400, 512 * 4);
  CHECK(encode_small() == fresh);
  CHECK(render::decode_png(fresh).color_type == 6);
}

// A printed sheet's image is larger than the buffers a thread keeps between tiles: it gets its own,
// with the same pixels as libpng's, and the next tile is unaffected.
TEST_CASE("png: an image larger than the kept buffers (a sheet) has libpng's pixels", "[render][png]") {
  const int w = 1400, h = 1000;
  for (const bool opaque : {true, false}) {
    INFO("opaque " << opaque);
    const auto px = image(w, h, w, opaque);
    const auto* argb = reinterpret_cast<const std::uint8_t*>(px.data());
    render::PngOptions old;
    old.deflate_level = 0;  // libpng + zlib
    const auto want = render::decode_png(render::encode_png(argb, w, h, w * 4, old));
    const auto got = render::decode_png(render::encode_png(argb, w, h, w * 4));
    CHECK(got.color_type == want.color_type);
    CHECK(got.rgba == want.rgba);
  }
  const auto tile = image(256, 256, 256, true);
  const auto* argb = reinterpret_cast<const std::uint8_t*>(tile.data());
  render::PngOptions old;
  old.deflate_level = 0;
  CHECK(render::decode_png(render::encode_png(argb, 256, 256, 256 * 4)).rgba ==
        render::decode_png(render::encode_png(argb, 256, 256, 256 * 4, old)).rgba);
}
